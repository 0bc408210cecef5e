"""Pure ESC/POS command building for a receipt, on python-escpos's Dummy printer.

Chinese is not left to python-escpos's "magic encode" (hardware.md §3.2: no FS &, GB18030 4-byte codes,
punctuation-only lines lost): after ESC @ we select Chinese mode with FS &, normalise ``¥`` to ``￥`` and
encode each line as GBK ourselves. A line with a character GBK lacks (a rare name character) is printed
as a raster image rendered with a CJK font, so it reaches the paper as the citizen's real name.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

from escpos.printer import Dummy
from PIL import Image, ImageDraw, ImageFont

from kiosk import fonts
from kiosk.hw.printer.receipt import Receipt

FS_CHINESE_ON = b"\x1c\x26"
ESC_INIT = b"\x1b\x40"
PAPER_DOTS = 576             # 80 mm paper at 203 dpi
COLUMNS = 48                 # font A is 12 dots wide: 48 half-width columns, 24 Chinese characters


def columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """Split a line at the paper's width in columns (a CJK character takes two), as the printer would."""
    lines, current, used = [], "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used + w > width:
            lines.append(current)
            current, used = "", 0
        current += ch
        used += w
    lines.append(current)
    return lines


def gbk_line(text: str) -> bytes | None:
    """The line as GBK bytes, or None when a character has no GBK code."""
    try:
        return text.replace("¥", "￥").encode("gbk")
    except UnicodeEncodeError:
        return None


@lru_cache(maxsize=4)
def _font(size: int):
    return ImageFont.truetype(fonts.collection(), size, index=fonts.SC_INDEX)


def render_line_image(text: str, large: bool = False) -> Image.Image:
    size = 48 if large else 24
    font = _font(size)
    width = min(PAPER_DOTS, (int(font.getlength(text)) + 8) // 8 * 8)   # only as wide as the text
    image = Image.new("1", (width, size + 8), 1)
    ImageDraw.Draw(image).text((0, 2), text, font=font, fill=0)
    return image


def build(receipt: Receipt) -> bytes:
    p = Dummy()
    p.profile.profile_data["media"]["width"]["pixels"] = PAPER_DOTS   # lets python-escpos centre images
    p._raw(ESC_INIT + FS_CHINESE_ON)
    for line in receipt.lines:
        p.set(align=line.align, bold=line.bold, double_width=line.large, double_height=line.large,
              custom_size=line.large, width=2 if line.large else 1, height=2 if line.large else 1,
              normal_textsize=not line.large)
        for piece in wrap(line.text, COLUMNS // (2 if line.large else 1)):
            encoded = gbk_line(piece)
            if encoded is None:
                p.image(render_line_image(piece, line.large), center=False)
            else:
                p._raw(encoded + b"\n")
    p.set(align="left", bold=False, normal_textsize=True)
    if receipt.qr:
        # centred by ESC a 1 (which raster images follow) rather than by padding the image to the paper
        # width: a third of the bytes, which matters on a 9600-baud serial printer
        p.set(align="center")
        p.qr(receipt.qr, native=False, size=6)
        p.set(align="left")
    p.cut()
    return p.output
