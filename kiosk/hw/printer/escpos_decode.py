"""Decode ESC/POS bytes the way a Chinese receipt printer reads them, and render what would be printed.

Used by the simulated printer (to answer status queries at the right place in the stream and to keep a
PNG preview) and by tests (to read receipts back as text). No registry package decodes ESC/POS with GBK
(hardware.md §4.1), so this is ours; it knows the commands our builder and python-escpos emit and
reports anything else as unknown rather than guessing.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

ESC, GS, FS, DLE, LF = 0x1B, 0x1D, 0x1C, 0x10, 0x0A
# command prefix → number of parameter bytes that follow the two command bytes
_FIXED = {(ESC, 0x40): 0, (ESC, 0x21): 1, (ESC, 0x45): 1, (ESC, 0x61): 1, (ESC, 0x74): 1, (ESC, 0x64): 1,
          (ESC, 0x2D): 1, (ESC, 0x4D): 1, (ESC, 0x32): 0, (ESC, 0x33): 1, (ESC, 0x4A): 1, (ESC, 0x47): 1,
          (ESC, 0x7B): 1, (ESC, 0x56): 1,
          (GS, 0x21): 1, (GS, 0x42): 1, (GS, 0x68): 1, (GS, 0x77): 1, (GS, 0x48): 1, (GS, 0x66): 1,
          (GS, 0x4C): 2, (GS, 0x57): 2, (GS, 0x62): 1,
          (FS, 0x26): 0, (FS, 0x2E): 0, (FS, 0x21): 1, (FS, 0x57): 1, (DLE, 0x04): 1}


class Incomplete(Exception):
    """More bytes are needed to finish the current command."""


@dataclass
class Style:
    align: int = 0
    bold: bool = False
    large: bool = False
    chinese: bool = False


@dataclass
class Decoded:
    lines: list[tuple[str, Style]] = field(default_factory=list)   # text lines in print order
    items: list = field(default_factory=list)    # ("text", str, Style) | ("image", Image, align) | ("cut",)
    status_queries: list[int] = field(default_factory=list)
    unknown: list[bytes] = field(default_factory=list)

    def text(self) -> str:
        return "\n".join(text for text, _ in self.lines)


class EscposDecoder:
    """Incremental: ``feed`` bytes, get back the DLE EOT queries found (the simulator answers them)."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._pending_text = bytearray()
        self.style = Style()
        self.result = Decoded()

    def feed(self, data: bytes) -> list[int]:
        self._buf += data
        queries: list[int] = []
        while self._buf:
            try:
                used = self._one(queries)
            except Incomplete:
                break
            del self._buf[:used]
        return queries

    def finish(self) -> Decoded:
        self._flush_text()
        if self._buf:
            self.result.unknown.append(bytes(self._buf))
            self._buf.clear()
        return self.result

    # -- internals --------------------------------------------------------------------------------
    def _need(self, n: int) -> None:
        if len(self._buf) < n:
            raise Incomplete

    def _flush_text(self) -> None:
        if self._pending_text:
            text = bytes(self._pending_text).decode("gbk" if self.style.chinese else "cp437", errors="replace")
            style = Style(**vars(self.style))
            self.result.lines.append((text, style))
            self.result.items.append(("text", text, style))
            self._pending_text.clear()

    def _one(self, queries: list[int]) -> int:
        b = self._buf
        first = b[0]
        if first == LF:                                 # print the line buffer; an empty one feeds a line
            if self._pending_text:
                self._flush_text()
            else:
                self._blank_line()
            return 1
        if first in (ESC, GS, FS, DLE):
            self._need(2)
            key = (first, b[1])
            if key == (GS, 0x56):                       # cut: GS V m [n]
                self._need(3)
                size = 4 if b[2] in (65, 66) else 3
                self._need(size)
                self._flush_text()
                self.result.items.append(("cut",))
                return size
            if key == (GS, 0x76):                       # raster image: GS v 0 m xL xH yL yH data
                self._need(8)
                width_bytes = b[4] | (b[5] << 8)
                height = b[6] | (b[7] << 8)
                size = 8 + width_bytes * height
                self._need(size)
                self._flush_text()
                image = Image.frombytes("1", (width_bytes * 8, height), bytes(b[8:size]))
                self.result.items.append(("image", Image.eval(image.convert("L"), lambda v: 255 - v),
                                          self.style.align))
                return size
            if key == (GS, 0x28):                       # GS ( k pL pH …
                self._need(5)
                size = 5 + (b[3] | (b[4] << 8))
                self._need(size)
                return size
            if key in _FIXED:
                size = 2 + _FIXED[key]
                self._need(size)
                self._apply(key, b[2] if size > 2 else None, queries)
                return size
            self.result.unknown.append(bytes(b[:2]))
            return 2
        if self.style.chinese and first >= 0x81:        # a GBK double-byte character
            self._need(2)
            self._pending_text += b[:2]
            return 2
        self._pending_text.append(first)
        return 1

    def _blank_line(self) -> None:
        style = Style(**vars(self.style))
        self.result.lines.append(("", style))
        self.result.items.append(("text", "", style))

    def _apply(self, key: tuple[int, int], n: int | None, queries: list[int]) -> None:
        if key == (DLE, 0x04):
            self.result.status_queries.append(n)
            queries.append(n)
            return
        if key[0] != DLE:
            self._flush_text()
        if key == (ESC, 0x40):
            chinese = self.style.chinese
            self.style = Style(chinese=chinese)   # ESC @ keeps the power-on Chinese mode setting
        elif key == (ESC, 0x61):
            self.style.align = n % 48 if n >= 48 else n
        elif key == (ESC, 0x45):
            self.style.bold = bool(n & 1)
        elif key == (GS, 0x21):
            self.style.large = n != 0
        elif key == (ESC, 0x21):
            self.style.large = bool(n & 0x30)
        elif key == (FS, 0x26):
            self.style.chinese = True
        elif key == (FS, 0x2E):
            self.style.chinese = False


def decode(data: bytes) -> Decoded:
    decoder = EscposDecoder()
    decoder.feed(data)
    return decoder.finish()


def render_png(decoded: Decoded, path: str, width: int = 576) -> None:
    """Draw the receipt as the paper would show it (text in a CJK font, images, cut marks)."""
    from kiosk.hw.printer.builder import _font
    rows: list[Image.Image] = []
    for item in decoded.items:
        if item[0] == "text":
            _, text, style = item
            size = 48 if style.large else 24
            row = Image.new("L", (width, size + 8), 255)
            draw = ImageDraw.Draw(row)
            font = _font(size)
            # the printer's grid: font A cells are 12 x 24 dots, a Chinese character takes two cells
            cells = [(ch, (2 if unicodedata.east_asian_width(ch) in "WF" else 1) * size // 2) for ch in text]
            text_width = sum(w for _, w in cells)
            x = {0: 0, 1: (width - text_width) // 2, 2: width - text_width}.get(style.align, 0)
            for ch, cell in cells:
                offset = (cell - draw.textlength(ch, font=font)) / 2      # glyph centred in its cell
                draw.text((x + offset, 2), ch, font=font, fill=0, stroke_width=1 if style.bold else 0,
                          stroke_fill=0)
                x += cell
            rows.append(row)
        elif item[0] == "image":
            image, align = item[1], item[2]
            row = Image.new("L", (width, image.height), 255)
            x = {1: (width - image.width) // 2, 2: width - image.width}.get(align, 0)
            row.paste(image.crop((0, 0, min(width, image.width), image.height)), (max(0, x), 0))
            rows.append(row)
        elif item[0] == "cut":
            row = Image.new("L", (width, 16), 255)
            ImageDraw.Draw(row).line((0, 8, width, 8), fill=128, width=1)
            rows.append(row)
    height = sum(r.height for r in rows) + 20
    page = Image.new("L", (width + 20, height), 255)
    y = 10
    for row in rows:
        page.paste(row, (10, y))
        y += row.height
    page.save(path)
