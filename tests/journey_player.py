"""Plays a citizen through a journey (kiosk/flows/steps.py) without Kivy, as the app's driver would run it.

Blocking steps run inline on the test's thread with their waits shortened; before a step that waits for the
citizen (an ID card, a card, a payment), the next of the citizen's ``does`` runs — e.g. placing an ID card.
Steps that ask the citizen something stop the player until the test answers (``choose``, ``press``,
``type``, ``leave``). Every step shown is kept in ``shown``; how the journey ended is ``ended`` (done, a
CitizenLeft reason, failed) and, when it failed, ``error`` and the failure screen as the last step shown.
"""
from __future__ import annotations

import threading
from collections import deque
from typing import Callable

from kiosk.flows import kept_id, registry
from kiosk.flows import steps as s
from kiosk.flows.representation import HOLDER
from kiosk.i18n import tr

CITIZEN_WAITS = (s.PlaceIdCard, s.InsertCard, s.Pay)
BLOCKING = (*CITIZEN_WAITS, s.Work, s.MakeCard, s.Heading)


class Player:
    def __init__(self, kiosk, key: str, acting=HOLDER, does=(), wait_s: float = 3.0, on_progress=None,
                 id_card=None):
        self.kiosk = kiosk
        self.key = key
        self.does: deque[Callable | None] = deque(does)
        self.wait_s = wait_s
        # sub-step key → what the citizen does then (once), e.g. push the old card in when the gate opens
        self.on_progress: dict[str, Callable[[], None]] = dict(on_progress or {})
        self.progress_seen: list[str] = []
        self.shown: list[s.Step] = []
        self.step: s.Step | None = None
        self.ended: str | None = None
        self.error: BaseException | None = None
        self.keeper = kept_id.Keeper()       # the ID card read, as the app's driver keeps it for an offer
        self.journey = registry.begin(key, kiosk.devices, acting, id_card=id_card, keeper=self.keeper)
        self._go(lambda: next(self.journey))

    # -- the citizen's answers ------------------------------------------------------------------------------
    def choose(self, key: str) -> "Player":
        assert isinstance(self.step, s.Choose), f"not a choice: {self.step}"
        assert key in [o.key for o in self.step.options], f"{key!r} not offered: {self.options}"
        return self._answer(key)

    def press(self, key: str) -> "Player":
        step = self.step
        assert isinstance(step, (s.Message, s.ShowQr, s.ShowStatus)), f"no buttons: {step}"
        if isinstance(step, s.ShowStatus):
            assert key in (s.RECEIPT, s.DONE)
        else:
            buttons = [b[0] for b in (getattr(step, "primary", None), getattr(step, "secondary", None),
                                      getattr(step, "close", None), getattr(step, "extra", None)) if b]
            assert key in buttons, f"{key!r} not a button of {self.title}: {buttons}"
        return self._answer(key)

    def type(self, digits: str) -> "Player":
        assert isinstance(self.step, s.EnterDigits), f"no keypad: {self.step}"
        buffer = self.step.buffer
        buffer.clear()
        for digit in digits:
            buffer.push(digit)
        assert buffer.complete, "the keypad does not confirm an incomplete entry"
        return self._answer(None)

    def leave(self, reason: str = "cancel") -> "Player":
        """A cancel button, or the inactivity timer (``timeout``)."""
        assert self.ended is None
        return self._go(lambda: self.journey.throw(s.CitizenLeft(reason)))

    def follow_offer(self, does=()) -> "Player":
        """The failure screen's button to the service the refusal offers: that service's journey, begun with
        the ID card this one read (as the app's driver does)."""
        assert self.ended == "failed" and isinstance(self.step, s.Message), f"no failure screen: {self.step}"
        assert self.step.secondary and self.step.secondary[0] == s.OFFER, f"no offer on {self.title}"
        return Player(self.kiosk, s.offer_of(self.error), does=does, wait_s=self.wait_s, id_card=self.keeper.take())

    def end_session(self) -> None:
        """The session ends under the journey (the app's Session.end closes it)."""
        self.journey.close()

    # -- what the test reads ----------------------------------------------------------------------------------
    @property
    def title(self) -> str:
        return self.zh(getattr(self.step, "title", ""))

    @property
    def body(self) -> str:
        return self.zh(getattr(self.step, "body", ""))

    @property
    def options(self) -> list[str]:
        return [o.key for o in self.step.options]

    @property
    def titles(self) -> list[str]:
        """The titles of the screens the citizen saw, in order (waits and work show their text)."""
        return [self.zh(getattr(step, "title", None) or getattr(step, "text", "")) for step in self.shown
                if not isinstance(step, s.Heading)]

    @staticmethod
    def zh(text) -> str:
        return tr(text, "zh") if text else ""

    # -- running ------------------------------------------------------------------------------------------------
    def _answer(self, value) -> "Player":
        assert self.ended is None, f"the journey already ended ({self.ended})"
        return self._go(lambda: self.journey.send(value))

    def _go(self, go) -> "Player":
        while True:
            try:
                step = go()
            except StopIteration:
                self.ended, self.step = "done", None
                return self
            except s.CitizenLeft as left:
                self.ended, self.step = left.reason, None
                return self
            except Exception as exc:           # the driver's one safe path: the failure's words on screen
                self.ended, self.error = "failed", exc
                self.step = s.failure(exc)
                self.shown.append(self.step)
                return self
            self.step = step
            self.shown.append(step)
            if not isinstance(step, BLOCKING):
                return self
            try:
                result = self._run(step)
            except Exception as exc:
                go = (lambda e: lambda: self.journey.throw(e))(exc)
            else:
                go = (lambda r: lambda: self.journey.send(r))(result)

    def _progress(self, key: str) -> None:
        self.progress_seen.append(key)
        action = self.on_progress.pop(key, None)
        if action is not None:
            action()

    def _run(self, step):
        cancelled = threading.Event()
        if isinstance(step, CITIZEN_WAITS):
            action = self.does.popleft() if self.does else None
            if action is not None and isinstance(left := action(step), s.CitizenLeft):
                raise left        # the citizen presses cancel (or gives up) on this step's screen
        if isinstance(step, (s.PlaceIdCard, s.InsertCard)):
            wait = min(step.timeout_s, self.wait_s)
            if getattr(step, "progress", None):
                return step.wait(wait, cancelled, on_progress=self._progress)
            return step.wait(wait, cancelled)
        if isinstance(step, s.Pay):
            return step.wait(self.wait_s, cancelled)
        if isinstance(step, s.Work):
            return step.run(on_progress=self._progress) if step.progress else step.run()
        if isinstance(step, s.MakeCard):
            return step.run(self.wait_s, cancelled, on_progress=self._progress)
        return None        # Heading


# -- what the citizen does before a step that waits for them ---------------------------------------------------
def place(kiosk, key: str):
    return lambda _step: kiosk.hands.place_id_card(key)


def insert(kiosk, key: str):
    return lambda _step: kiosk.hands.insert_card(key)


def take_back_id_card(kiosk):
    return lambda _step: kiosk.hands.remove_id_card()


def leave_at(reason: str = "cancel"):
    """The citizen leaves on this step's screen (cancel, give up at the fee) instead of doing what it asks."""
    return lambda _step: s.CitizenLeft(reason)


def pay(kiosk):
    """The citizen's phone scans the QR code on screen and pays."""
    return lambda step: kiosk.hands.pay(step.payload)
