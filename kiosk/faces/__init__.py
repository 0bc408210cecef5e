"""Who stands at the kiosk (人证核验) and the photo on the card: plain Python, no Kivy.

- ``engine``: dlib's detector, landmarks and descriptor (the one place that imports dlib);
- ``card_photo``: the card photo to the spec — checks with reasons, cropped and scaled to 358 × 441;
- ``liveness``: an active challenge (a blink) seen in the landmarks across frames;
- ``verify``: the loop that reads camera frames, guides the citizen and ends in a Verdict.

What the camera loops hand the screen and the journey is defined here, so both sides share one shape.
"""
from __future__ import annotations

from dataclasses import dataclass

from kiosk.i18n import Text


@dataclass(frozen=True)
class Guidance:
    """What the citizen is told while the camera looks, with each frame: shown under the live preview and
    spoken when ``key`` changes. ``face_box``: the face found in that frame (left, top, right, bottom, frame
    pixels) or None; ``countdown``: seconds before the shot (card photo) or None; ``progress``: 0–1."""
    key: str                     # no_face, two_faces, closer, further, centre, look_straight, blink, hold_still,
                                 # countdown, checking, done
    text: Text
    face_box: tuple[int, int, int, int] | None = None
    countdown: int | None = None
    progress: float = 0.0


@dataclass(frozen=True)
class Verdict:
    """How one attempt at 人证核验 ended. ``score``: the descriptor distance between the live face and the ID
    card photo (lower is more alike; None when no comparison happened); ``threshold``: the largest distance
    that counts as the same person (the region's policy); ``reason``: "" when passed, else one of
    no_face, not_live, no_match, id_photo_unusable, timeout, engine_missing, cancelled."""
    match: bool
    live: bool
    score: float | None
    threshold: float
    reason: str
    words: Text                  # what the citizen is told (zh, translated by kiosk.i18n)

    @property
    def passed(self) -> bool:
        return self.match and self.live and not self.reason


class PhotoRefused(Exception):
    """A card photo that does not meet the spec: ``reason`` (a key, for tests and the journal) and ``words``
    (what the citizen is told, e.g. "照片中只能有一个人"). Carries no image."""

    def __init__(self, reason: str, words: Text):
        super().__init__(reason)
        self.reason = reason
        self.words = words
