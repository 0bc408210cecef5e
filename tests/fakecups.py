"""A stand-in print system for the CUPS face printer: the scripts in tests/fake_cups (lp, lpstat, cancel)
put first on PATH, so CupsFacePrinter runs its real subprocesses. ``behave`` picks what they do next."""
from __future__ import annotations

import os

SCRIPTS = os.path.join(os.path.dirname(__file__), "fake_cups")
MODES = ("ok", "hang", "stuck", "refuse")


class FakeCups:
    def __init__(self, directory, monkeypatch):
        self.dir = str(directory)
        os.makedirs(self.dir, exist_ok=True)
        monkeypatch.setenv("FAKE_CUPS_DIR", self.dir)
        monkeypatch.setenv("PATH", SCRIPTS + os.pathsep + os.environ.get("PATH", ""))
        self.behave("ok")

    def behave(self, mode: str) -> None:
        assert mode in MODES, mode
        with open(os.path.join(self.dir, "mode"), "w") as fh:
            fh.write(mode)

    def _lines(self, name: str) -> list[str]:
        path = os.path.join(self.dir, name)
        if not os.path.exists(path):
            return []
        with open(path) as fh:
            return [line.strip() for line in fh if line.strip()]

    @property
    def pending(self) -> list[str]:
        return self._lines("pending")

    @property
    def cancelled(self) -> list[str]:
        return self._lines("cancelled")

    @property
    def printed(self) -> list[str]:
        return sorted(n for n in os.listdir(self.dir) if n.startswith("printed-"))
