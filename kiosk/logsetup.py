"""Logging to the state directory. Nothing in the kiosk logs a PIN, key or unmasked ID number; this
filter is the second line of defence: it masks any 18-character ID number that slips into a message."""
from __future__ import annotations

import logging
import logging.handlers
import os
import re

from kiosk import masking

_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dX](?![\dX])")


class MaskIdNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _ID_NUMBER.sub(lambda m: masking.id_number(m.group(0)), message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def configure(state_dir: str, level: int = logging.INFO) -> str:
    os.makedirs(state_dir, exist_ok=True)
    path = os.path.join(state_dir, "kiosk.log")
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=5_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskIdNumbers())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("escpos").setLevel(logging.WARNING)
    return path
