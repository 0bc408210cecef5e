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


# Rare name characters (生僻字): Noto Sans CJK covers CJK Extension A (e.g. 䶮) but few of Extension B and
# beyond (e.g. 𠮷, 𪚥); HanaMin A/B (Debian fonts-hanazono) cover Unified Ideographs, Extensions A–F and
# more. A screen text is shown in the Noto face, with each character Noto lacks drawn in the first
# fallback face that has it (Kivy markup [font=…]). The receipt printer draws such characters as images.
FALLBACKS = ("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf", "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf")


class Coverage:
    """Which characters a face draws (its cmap), read once with fontTools."""

    def __init__(self, main: str, fallbacks: tuple[str, ...] = FALLBACKS):
        from fontTools.ttLib import TTFont
        self.main = TTFont(main, lazy=True).getBestCmap().keys()
        self.fallbacks = [(path, set(TTFont(path, lazy=True).getBestCmap())) for path in fallbacks
                          if os.path.exists(path)]

    def face_for(self, char: str) -> str | None:
        """None: the main face draws it (or nothing does); else the fallback face's path."""
        code = ord(char)
        if code in self.main:
            return None
        return next((path for path, cmap in self.fallbacks if code in cmap), None)


def escape_markup(text: str) -> str:
    return text.replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")


def with_fallbacks(text: str, coverage: Coverage | None) -> str:
    """Kivy markup for ``text``: escaped, with runs of characters the main face lacks set in a fallback."""
    if coverage is None:
        return escape_markup(text)
    out, run, run_face = [], [], None

    def flush():
        if run:
            chunk = escape_markup("".join(run))
            out.append(f"[font={run_face}]{chunk}[/font]" if run_face else chunk)
            run.clear()
    for char in text:
        face = coverage.face_for(char) if ord(char) > 0x2E7F else None    # below the CJK blocks: main face
        if face != run_face:
            flush()
            run_face = face
        run.append(char)
    flush()
    return "".join(out)
