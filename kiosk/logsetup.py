"""Logging to the state directory. Nothing in the kiosk logs a PIN, key or unmasked ID number; this
filter is the second line of defence: it masks any 18-character ID number that slips into a message."""
from __future__ import annotations

import logging
import logging.handlers
import os
import re

from kiosk import masking, sdnotify

_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dX](?![\dX])")


class MaskIdNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _ID_NUMBER.sub(lambda m: masking.id_number(m.group(0)), message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class JournalLines(logging.StreamHandler):
    """Log lines on stderr as journald reads them: a sd-daemon(3) priority prefix ("<3>" for an error), no
    timestamp of its own (the journal stamps each line), so `journalctl -u sbk-kiosk -p err` finds faults."""
    PRIORITY = {logging.CRITICAL: 2, logging.ERROR: 3, logging.WARNING: 4, logging.INFO: 6, logging.DEBUG: 7}

    def __init__(self):
        super().__init__()          # sys.stderr
        self.setFormatter(logging.Formatter("%(name)s: %(message)s"))

    def format(self, record: logging.LogRecord) -> str:
        priority = self.PRIORITY.get(record.levelno, 6 if record.levelno < logging.WARNING else 3)
        text = super().format(record).replace("\n", "\n" + f"<{priority}>")   # each line its own entry
        return f"<{priority}>{text}"


def configure(state_dir: str, level: int = logging.INFO) -> str:
    os.makedirs(state_dir, exist_ok=True)
    path = os.path.join(state_dir, "kiosk.log")
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=5_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskIdNumbers())
    root = logging.getLogger()
    root.addHandler(handler)
    if sdnotify.journal_stream() and not any(isinstance(h, JournalLines) for h in root.handlers):
        journal = JournalLines()            # run by systemd: the same lines in the journal, with priorities
        journal.addFilter(MaskIdNumbers())
        root.addHandler(journal)
    root.setLevel(level)
    logging.getLogger("escpos").setLevel(logging.WARNING)
    return path
