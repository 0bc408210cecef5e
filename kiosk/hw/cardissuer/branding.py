"""What the card face carries besides the holder's data: the issuing authority (发卡机构, from the region
profile), the partner bank's mark (an image the technician configures: the bank whose blank cards are in
the hopper), and the hotline. The bank mark is checked when the configuration is read; a mark that is not
configured or has gone missing leaves the face with the bank's name in text, and says so in the log, so a
card is never refused for want of a logo but the technician is told."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from PIL import Image

log = logging.getLogger(__name__)

HOTLINE = "12333"      # the national HR & social security hotline (seeds/001, 002, 003, 004)
# a bank mark is a logo, not a photograph: 32 px is too small to print legibly at 300 dpi, and more than
# 2000 px or 2 MB is a wrong file (a scan, a poster), not a mark for a 20 mm box
MARK_MIN_PX, MARK_MAX_PX, MARK_MAX_BYTES = 32, 2000, 2_000_000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class BankMarkError(ValueError):
    """The configured file is there but is not a usable mark (the technician must fix the configuration)."""


@dataclass(frozen=True)
class Branding:
    authority: str                        # e.g. 陕西省人力资源和社会保障厅; "" prints no authority line
    bank_name: str                        # printed when there is no mark, and the mark's alternative
    bank_mark: Image.Image | None = None  # RGBA; None: the bank's name in text
    hotline: str = HOTLINE


def check_bank_mark(path: str) -> Image.Image | None:
    """The mark at ``path``, loaded (RGBA); None when no path is set or the file does not exist (the text
    fallback). A file that exists but is unreadable, not a PNG, or of no sane size raises BankMarkError."""
    if not path or not os.path.exists(path):
        return None
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            head = fh.read(len(PNG_SIGNATURE))
    except OSError as exc:
        raise BankMarkError(f"{path}: not readable ({exc.strerror or type(exc).__name__})") from None
    if head != PNG_SIGNATURE:
        raise BankMarkError(f"{path}: not a PNG file")
    if size > MARK_MAX_BYTES:
        raise BankMarkError(f"{path}: {size} bytes; a mark is at most {MARK_MAX_BYTES} bytes")
    try:
        with Image.open(path) as image:
            image.load()
            mark = image.convert("RGBA")
    except Exception as exc:    # Pillow's decoders raise many types for a damaged file
        raise BankMarkError(f"{path}: not a readable PNG ({type(exc).__name__})") from None
    width, height = mark.size
    if not (MARK_MIN_PX <= width <= MARK_MAX_PX and MARK_MIN_PX <= height <= MARK_MAX_PX):
        raise BankMarkError(f"{path}: {width}×{height} px; each side between {MARK_MIN_PX} and {MARK_MAX_PX} px")
    return mark


def branding(authority: str, bank_name: str, bank_mark_path: str) -> Branding:
    """The face's branding for this kiosk. A mark that cannot be used now is logged for the technician and
    replaced by the bank's name in text."""
    try:
        mark = check_bank_mark(bank_mark_path)
    except BankMarkError as exc:     # checked at start-up already; the file changed since
        log.warning("card face: bank mark unusable (%s); printing the bank's name %r instead", exc, bank_name)
        mark = None
    else:
        if mark is None:
            log.warning("card face: no bank mark (%s); printing the bank's name %r instead",
                        f"{bank_mark_path} does not exist" if bank_mark_path else "cardface.bank_mark not set",
                        bank_name)
    return Branding(authority, bank_name, mark)
