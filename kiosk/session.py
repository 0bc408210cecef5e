"""One citizen's visit at the kiosk: what must be wiped when it ends, how long it may sit idle, and the one
way it ends. Plain Python (the Kivy app ticks it once a second and renders what it says), so every way a
session can end is tested without a screen.

- **Inactivity.** Each second without a touch counts; at ``limit`` the session ends ("timeout"). The last
  ``WARN_S`` seconds are a full-screen, spoken question with a "more time" answer (WCAG 2.2.1: at least 20 s to
  react, and the time can be extended), at most ``EXTENSIONS`` times.
- **A card in the machine holds the session.** While the card-issuing module holds a card (a new card at
  the gate, an old card taken in) the timer does not run: the journey itself captures or hands the card
  back, and only then may the session end. This is read from the module's own last-reported position,
  never from a flag a screen sets and may forget to clear.
- **The citizen's own cards do not hold the timer; they hold the end.** An ID card on the reader or a card
  in the slot does not stop the countdown (a citizen may simply have walked away), but no visit ends with
  one still in: every journey runs inside ``kiosk.flows.attended``, whose last step asks for them back
  (beep, words, staff called if they stay) before the journey, and so the session, ends.
- **One end.** ``end(reason)`` — done, cancel, give up, timeout, device fault, an exception in a step — wipes
  everything registered (the flow's citizen data, PIN buffers) and then calls ``on_end(reason)`` once, where
  the app puts language, elderly mode and voice back to the defaults for the next person.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

log = logging.getLogger(__name__)

WARN_S = 20          # the full-screen "more time?" question comes this long before the wipe: ≥ 20 s to react
EXTENSIONS = 3       # "more time" may be asked this many times in one session


@dataclass(frozen=True)
class Tick:
    remaining: int | None     # seconds left; None while the timer is not running (resting, or a card inside)
    warning: bool             # show the countdown and the "more time" button
    expired: bool             # the session must end now


class Session:
    def __init__(self, card_inside: Callable[[], bool] = lambda: False,
                 on_end: Callable[[str], None] = lambda _reason: None):
        self.card_inside = card_inside
        self.on_end = on_end
        self.idle_s = 0
        self.extensions = 0
        self.active = False
        self._wipes: list[Callable[[], None]] = []

    # -- life ----------------------------------------------------------------------------------------
    def begin(self) -> None:
        """A citizen starts a service: a fresh timer and nothing registered yet."""
        self.active = True
        self.idle_s = 0
        self.extensions = 0

    def holds(self, wipe: Callable[[], None]) -> None:
        """Register something holding the citizen's data (a flow's ``wipe``, a PIN buffer's ``clear``)."""
        self._wipes.append(wipe)

    def end(self, reason: str) -> None:
        """Every way a session ends comes here: wipe everything registered, then ``on_end`` once."""
        wipes, self._wipes = self._wipes, []
        for wipe in reversed(wipes):
            try:
                wipe()
            except Exception:           # one failing wipe must not keep the others from running
                log.exception("wipe failed at the end of a session (%s)", reason)
        was_active, self.active = self.active, False
        self.idle_s = 0
        self.extensions = 0
        if was_active or wipes:
            log.info("session ended: %s", reason)
        self.on_end(reason)

    # -- inactivity ----------------------------------------------------------------------------------
    def touched(self) -> None:
        self.idle_s = 0

    def more_time(self) -> bool:
        """The citizen asked for more time: the timer starts again. False once the extensions are used up."""
        if self.extensions >= EXTENSIONS:
            return False
        self.extensions += 1
        self.idle_s = 0
        return True

    @property
    def may_extend(self) -> bool:
        return self.extensions < EXTENSIONS

    def tick(self, limit_s: int, resting: bool) -> Tick:
        """One second passed. ``resting``: a screen with no timeout (the start screen, a progress screen)."""
        if resting or not self.active or self._card_inside():
            self.idle_s = 0
            return Tick(None, False, False)
        self.idle_s += 1
        remaining = max(0, limit_s - self.idle_s)
        return Tick(remaining, remaining <= min(WARN_S, limit_s), remaining == 0)

    def _card_inside(self) -> bool:
        try:
            return bool(self.card_inside())
        except Exception:       # cannot tell: hold rather than wipe a session whose card may be inside
            log.warning("could not tell whether a card is inside; the session is held", exc_info=True)
            return True
