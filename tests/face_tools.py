"""Shared by the face tests: one face engine per session, the sample scenes, and a camera that serves real
derived frames (test data, not a mock: the loops under test run the real engine on them)."""
from __future__ import annotations

import threading

import pytest


@pytest.fixture(scope="session")
def engine():
    from kiosk.faces import engine as face_engine, samples
    found = face_engine.shared()
    if not found.installed:
        pytest.fail(f"the face engine must be installed for these tests: {found.status}")
    if not samples.available():
        pytest.skip(f"sample photographs missing: run {samples.FETCH_HINT}")
    return found


def blinking(name: str, size=(640, 480), face_width=0.3, open_before=8, closed=2, open_after=6) -> list:
    """Frames of a person looking at the camera who blinks once."""
    from kiosk.faces import samples
    opened = samples.scene(name, size, face_width=face_width)
    shut = samples.scene(name, size, face_width=face_width, eyes_closed=True)
    return [opened] * open_before + [shut] * closed + [opened] * open_after


class FrameCamera:
    """Serves a list of frames, one per frame() call, then keeps showing the last one (a still scene); no
    frames at all → frame() waits its timeout and raises TimeoutError, as a camera that delivers nothing."""

    def __init__(self, frames: list, capture=None):
        self.frames = list(frames)
        self.served = 0
        self.running = False
        self.starts = self.stops = 0
        self._capture = capture
        self.resolution = frames[0].size if frames else (640, 480)

    def start(self) -> None:
        self.running = True
        self.starts += 1

    def stop(self) -> None:
        self.running = False
        self.stops += 1

    def frame(self, timeout: float):
        assert self.running, "frame() before start()"
        if not self.frames:
            threading.Event().wait(timeout)
            raise TimeoutError("no frame")
        image = self.frames[min(self.served, len(self.frames) - 1)]
        self.served += 1
        return image

    def capture(self):
        assert self.running, "capture() before start()"
        if self._capture is not None:
            return self._capture
        return self.frames[min(self.served, len(self.frames)) - 1]


class Recorder:
    """Collects the Guidance the loop gives (the frames are not kept)."""

    def __init__(self):
        self.guidance = []

    def __call__(self, frame, guidance) -> None:
        self.guidance.append(guidance)

    @property
    def keys(self) -> list[str]:
        out = []
        for g in self.guidance:
            if not out or out[-1] != g.key:
                out.append(g.key)
        return out
