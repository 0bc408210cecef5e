"""The CJK font: Noto Sans CJK, Simplified Chinese face.

Debian's fonts-noto-cjk ships one collection (.ttc) whose first face is the Japanese one; Kivy's SDL2 text
provider can only open the first face, which would draw Chinese with Japanese glyph forms (社, 骨, 直 …).
So on first use the SC face is extracted once with fontTools into the state directory.
"""
from __future__ import annotations

import os
import threading

FONT_DIR = "/usr/share/fonts/opentype/noto"
SC_INDEX = 2          # JP, KR, SC, TC, HK: the order of faces in the Noto CJK collection
_lock = threading.Lock()


class FontMissing(RuntimeError):
    pass


def collection(weight: str = "Regular") -> str:
    path = os.path.join(FONT_DIR, f"NotoSansCJK-{weight}.ttc")
    if not os.path.exists(path):
        raise FontMissing(f"{path} is missing (Debian package fonts-noto-cjk)")
    return path


def sc_font_file(cache_dir: str, weight: str = "Regular") -> str:
    """Path of a standalone Noto Sans CJK SC font file, extracted into ``cache_dir`` if needed."""
    target = os.path.join(cache_dir, f"NotoSansCJKsc-{weight}.otf")
    with _lock:
        if not os.path.exists(target):
            from fontTools.ttLib import TTCollection
            os.makedirs(cache_dir, exist_ok=True)
            partial = target + ".part"
            TTCollection(collection(weight), lazy=True).fonts[SC_INDEX].save(partial)
            os.replace(partial, target)      # never leave a half-written font behind
    return target
