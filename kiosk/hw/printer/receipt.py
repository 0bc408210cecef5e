"""A receipt as data: lines with a style, a QR code, no device knowledge (forms live in kiosk.receipts)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Line:
    text: str
    align: str = "left"      # left | center | right
    bold: bool = False
    large: bool = False      # double width and height


@dataclass
class Receipt:
    lines: list[Line] = field(default_factory=list)
    qr: str = ""             # printed under the lines when set (the transaction number)

    def add(self, text: str = "", **style) -> "Receipt":
        self.lines.append(Line(text, **style))
        return self

    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)
