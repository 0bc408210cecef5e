"""Liveness by an active challenge: the citizen is asked to blink, and the blink is seen in the eye landmarks
across frames of one continuous face.

How: the eye aspect ratio (``engine.eyes_open_ratio``, Soukupová & Čech 2016) of the first frames gives the
person's open-eyed baseline (their median: one bad frame does not set it); a blink is the ratio falling at
least ``CLOSED_SHARE`` below the baseline for 1 to ``MAX_CLOSED_FRAMES`` frames and then rising back to
``REOPEN_SHARE`` of it. The face must stay the same face throughout: a box that jumps (another face took its
place) or a face missing for longer than ``MAX_GAP_S`` starts the challenge again from a new baseline.

What it stops: a printed photograph or a still picture on a phone held up to the camera — nothing in them
changes, so no blink is ever seen (the landmark jitter of a still image, a few per cent, stays far above
the 20 % drop).

What it does NOT stop — said plainly, as a kiosk that hands out bank cards must:
- a video of the person blinking, played on a phone or tablet held up to the camera (replay attack);
- a printed photograph with the eyes cut out and someone's real eyes behind it;
- a realistic mask (silicone, 3-D printed) worn by someone who blinks;
- a deep-fake video injected into the camera's USB stream (the software trusts the camera).
What would: a camera that sees depth or infrared (structured light / time of flight, or an NIR camera with
its own illuminator: a screen shows nothing in NIR and a print or screen is flat), passive liveness models
that look at texture, moiré and screen reflections (trained networks; none ships with an offline package
we use), a challenge the attacker cannot pre-record (a random sequence of head turns), and a staff member in
sight of the kiosk. Which is why the journey still calls staff after repeated failures (issue 15).

Nothing is kept beyond the few numbers of the current challenge; no image, no landmarks.
"""
from __future__ import annotations

import statistics

from kiosk.faces.engine import Face, eyes_open_ratio

BASELINE_FRAMES = 5            # open-eyed frames before a blink counts (~1/3 s at 15 fps)
CLOSED_SHARE = 0.8             # a blink: the ratio at most 80 % of the baseline (closed eyes measure
                               # 60-80 % of open on the sample scenes at preview size; landmark jitter on a
                               # still face is under 5 %)
REOPEN_SHARE = 0.9             # and back to at least 90 % of it (hysteresis: jitter cannot count twice)
MAX_CLOSED_FRAMES = 12         # a blink lasts 100-400 ms; eyes shut longer (~0.8 s at 15 fps) are not one
MAX_GAP_S = 0.5                # a face missing for longer than this (it left, or was swapped) starts again
MAX_JUMP = 0.35                # the face's centre may move this share of its width between frames,
MAX_RESIZE = 0.25              # and its width change by this share: more is not the same face moving


class BlinkChallenge:
    """Fed one frame's face (or None) at a time with its timestamp (seconds, monotonic); ``passed`` once a
    blink of the same face was seen. ``state``: learning, waiting (for the blink), closed, passed."""

    def __init__(self):
        self.passed = False
        self.resets = 0
        self._start()

    def _start(self) -> None:
        self._ratios: list[float] = []
        self.baseline: float | None = None
        self._closed_frames = 0
        self._last_face: Face | None = None
        self._last_seen: float | None = None

    def reset(self) -> None:
        """Start again from a new baseline (a different face, two faces, the face gone); a blink already
        passed is forgotten too: the blink must belong to the face that is compared."""
        self.passed = False
        self.resets += 1
        self._start()

    @property
    def state(self) -> str:
        if self.passed:
            return "passed"
        if self.baseline is None:
            return "learning"
        return "closed" if self._closed_frames else "waiting"

    def same_face(self, face: Face) -> bool:
        last = self._last_face
        if last is None:
            return True
        (x0, y0), (x1, y1) = last.centre, face.centre
        moved = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
        return moved <= MAX_JUMP * last.width and abs(face.width - last.width) <= MAX_RESIZE * last.width

    def feed(self, face: Face | None, at: float) -> str:
        if face is None:
            if self._last_seen is not None and at - self._last_seen > MAX_GAP_S:
                self.reset()
            return self.state
        if not self.same_face(face) or (self._last_seen is not None and at - self._last_seen > MAX_GAP_S):
            self.reset()
        self._last_face, self._last_seen = face, at
        if self.passed:
            return self.state
        ratio = eyes_open_ratio(face)
        if self.baseline is None:
            self._ratios.append(ratio)
            if len(self._ratios) >= BASELINE_FRAMES:
                self.baseline = statistics.median(self._ratios)
            return self.state
        if ratio <= CLOSED_SHARE * self.baseline:
            self._closed_frames += 1
        elif self._closed_frames:
            if ratio >= REOPEN_SHARE * self.baseline:
                self.passed = self._closed_frames <= MAX_CLOSED_FRAMES
                self._closed_frames = 0
        return self.state
