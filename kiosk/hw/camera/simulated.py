"""A simulated camera that shows real photographs of faces (kiosk.faces.samples), as a device simulator does:
it says so in its status, and the kiosk's real face checks run on what it shows.

What it shows is switched at run time (the simulator panel, a test):

  holder  the person whose photo is on the ID card now on the simulated reader (``holder``: a callable that
          returns that person's key, e.g. "obama"; None or unknown: obama)
  other   someone else (biden when the holder is obama, otherwise obama)
  photo   a printed photo of the holder held up to the camera: flat, and it never blinks
  nobody  the empty backdrop
  two     the holder and someone else

A person blinks as people do — eyes closed for 2 frames about every 27 — and sways a little; each time a
person is shown they start a little far away and step closer over the first 8 frames. One frame per
``frame()`` call, so a test knows exactly what it gets (``eyes_closed``: the last frame's eyes were shut);
with ``realtime=True`` (the kiosk) ``frame()`` is paced to ``fps``.
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from PIL import Image

from kiosk.hw.base import Action, DeviceError, DeviceState, DeviceStatus

SHOWS = ("holder", "other", "photo", "nobody", "two")
DEFAULT_PERSON = "obama"
OTHER = "biden"                 # "someone else" when the holder is obama; otherwise obama is
BLINK_EVERY = 27                # frames between the starts of two blinks (people blink ~15-20 times a minute)
BLINK_FRAMES = 2                # frames with the eyes closed (a blink lasts 100-400 ms: 2 frames at 15 fps)
FIRST_BLINK = 12                # after the approach, so the first blink is seen at the right distance
APPROACH_FRAMES = 8             # half a second: the person steps up as the camera step begins
FAR, NEAR = 0.15, 0.23          # face width as a share of the frame's width: a little far, then near enough
                                # (at 1280 x 720: 192 px, then 294 px, where both the match and the card photo
                                # want it: >= 0.2 of the width, and a 358 x 441 crop that fits in the height)


def blinks_at(index: int) -> bool:
    """Whether a live person's eyes are closed in frame ``index`` (0 = the first frame they are shown)."""
    return index >= FIRST_BLINK and (index - FIRST_BLINK) % BLINK_EVERY < BLINK_FRAMES


class SimulatedCamera:
    def __init__(self, holder: Callable[[], str | None] | None = None, showing: str = "holder",
                 resolution: tuple[int, int] = (1280, 720), fps: float = 15.0, realtime: bool = False):
        if showing not in SHOWS:
            raise ValueError(f"simulated camera shows one of {', '.join(SHOWS)}, not {showing!r}")
        self._holder = holder or (lambda: DEFAULT_PERSON)
        self.resolution = tuple(resolution)
        self.fps = fps
        self.realtime = realtime
        self.captures = 0           # how often a still was asked for (a retake asks again)
        self.eyes_closed = False    # whether the last frame showed a live person's eyes shut (for tests)
        self._showing = showing
        self._index = 0             # frames served since ``showing`` last changed
        self._started = False
        self._next_at = 0.0
        self._lock = threading.Lock()

    # -- what a tester's hands do -------------------------------------------------------------------------
    @property
    def showing(self) -> str:
        return self._showing

    def show(self, what: str) -> None:
        """Switch what stands in front of the camera; the newcomer starts a little far away again."""
        if what not in SHOWS:
            raise ValueError(f"simulated camera shows one of {', '.join(SHOWS)}, not {what!r}")
        with self._lock:
            self._showing, self._index = what, 0

    def holder_person(self) -> str:
        from kiosk.faces.samples import PERSONS
        person = self._holder()
        return person if person in PERSONS else DEFAULT_PERSON

    def other_person(self) -> str:
        return OTHER if self.holder_person() == DEFAULT_PERSON else DEFAULT_PERSON

    # -- the port ---------------------------------------------------------------------------------------
    def status(self) -> DeviceStatus:
        from kiosk.faces import samples
        media = {"resolution": "x".join(map(str, self.resolution)), "fps": self.fps}
        if not samples.available():
            return DeviceStatus("camera", DeviceState.OFFLINE, media,
                                detail=f"simulated camera: the sample faces are missing in {samples.samples_dir()}; "
                                       f"fetch them with {samples.FETCH_HINT}")
        return DeviceStatus("camera", DeviceState.ONLINE, media, detail=f"simulated camera (showing: {self._showing})")

    def start(self) -> None:
        from kiosk.faces import samples
        if self._started:
            return
        if not samples.available():
            raise DeviceError(f"simulated camera: sample faces missing in {samples.samples_dir()}: "
                              f"run {samples.FETCH_HINT}", zh="摄像头未就绪，请联系工作人员",
                              en="The camera is not ready. Please ask staff for help", action=Action.CONFIGURATION)
        self._started = True
        self._next_at = time.monotonic()

    def frame(self, timeout: float = 1.0) -> Image.Image:
        """The next frame (one step on: a blink, the sway, the approach)."""
        self.start()
        if self.realtime:
            now = time.monotonic()
            self._next_at = max(self._next_at + 1 / self.fps, now)      # late: no burst to catch up
            time.sleep(self._next_at - now)
        with self._lock:
            showing, index = self._showing, self._index
            self._index += 1
        image, closed = self._render(showing, index)
        self.eyes_closed = closed
        return image

    def stop(self) -> None:
        self._started = False

    def capture(self) -> Image.Image:
        """One fresh still."""
        self.captures += 1
        return self.frame()

    def close(self) -> None:
        self.stop()

    # -- the scene ---------------------------------------------------------------------------------------
    @staticmethod
    def _live_photo(person: str) -> str:
        # Obama's live photographs are obama2 and obama3: the camera shows obama3, whose closed eyes register
        # clearly in its frames (eye ratio 0.13-0.16 closed against >= 0.22 open); obama2's do not (0.28-0.36
        # closed against 0.34-0.39 open), so a blink on it could be missed by a fair liveness check
        # …held straight: a person at the kiosk faces it (Biden's portrait leans 13°, which the card photo refuses)
        from kiosk.faces.samples import LEVEL, PERSONS
        return PERSONS[person].live_sources[-1] + LEVEL

    def _render(self, showing: str, index: int) -> tuple[Image.Image, bool]:
        from kiosk.faces import samples
        size = self.resolution
        if showing == "nobody":
            return samples.nobody(size), False
        holder = self._live_photo(self.holder_person())
        if showing == "two":
            return samples.two_people(holder, self._live_photo(self.other_person()), size), False
        if showing == "photo":
            # held in a steady hand: it tilts by a few tenths of a degree, and nothing in it moves or blinks.
            # (A wobble of ±1° already moves dlib's eye landmarks by ±10 % on a print this size — as much as
            # a weak blink; that is the liveness check's problem to be robust to, not the simulator's to fake.)
            return samples.printed(samples.PERSONS[self.holder_person()].id_source, size,
                                   tilt=round(4 + 0.3 * math.sin(index / 6), 1)), False
        name = holder if showing == "holder" else self._live_photo(self.other_person())
        closed = blinks_at(index) and can_blink(name)
        near = min(1.0, index / APPROACH_FRAMES)
        width = FAR + (NEAR - FAR) * (1 - (1 - near) ** 2)        # steps closer, slowing down as they arrive
        dx = 0.012 * math.sin(index / 5.0)                          # the body sways a little
        dy = 0.006 * math.sin(index / 7.0 + 1)
        return samples.scene(name, size, face_width=width, dx=dx, dy=dy, eyes_closed=closed), closed


def can_blink(photograph: str) -> bool:
    """Grace Hopper's glasses cover her lids: closing her eyes in the photograph does not register
    (kiosk.faces.samples.close_eyes), so the simulator does not pretend she blinked."""
    return not photograph.startswith("grace_hopper.jpg")
