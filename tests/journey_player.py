"""Plays a citizen through a journey (kiosk/flows/steps.py) without Kivy, as the app's driver would run it:
inside kiosk.flows.attended, as the app does (a wait that ran out offers a retry; the visit ends only once
the cards are out of the machine).

Blocking steps run inline on the test's thread with their waits shortened; before a step that waits for the
citizen (an ID card, a card, a payment), the next of the citizen's ``does`` runs — e.g. placing an ID card.
Steps that ask the citizen something stop the player until the test answers (``choose``, ``press``,
``type``, ``leave``). Every step shown is kept in ``shown``; how the journey ended is ``ended`` (done, a
CitizenLeft reason, failed) and, when it failed, ``error`` and the failure screen as the step on screen.
When the visit asks for the cards back (TakeCards), this citizen takes them unless ``takes_cards=False``;
``remove_cards()`` takes them out on a last screen (which then ends by itself).
"""
from __future__ import annotations

import threading
import time
from collections import deque
from typing import Callable

from kiosk.flows import kept_id, registry
from kiosk.flows import steps as s
from kiosk.flows.attended import STAFF_AFTER_S, attended
from kiosk.flows.representation import HOLDER
from kiosk.i18n import tr

CITIZEN_WAITS = (s.PlaceIdCard, s.InsertCard, s.Pay)
BLOCKING = (*CITIZEN_WAITS, s.Work, s.MakeCard, s.Heading, s.TakeCards, s.LookAtCamera)


class Player:
    def __init__(self, kiosk, key: str, acting=HOLDER, does=(), wait_s: float = 3.0, on_progress=None,
                 takes_cards: bool = True, staff_after_s: float = STAFF_AFTER_S, id_card=None,
                 camera_s: float | None = None, journey=None):
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
        self.takes_cards = takes_cards
        self.cards_left: list[str] = []        # what a TakeCards step said was still inside, in order
        self.guidance: list[str] = []          # the camera's prompts (kiosk.faces.Guidance.key), each change once
        self.frames = 0                        # camera frames the screen would have shown
        self.camera_s = camera_s               # a camera step's time (None: the step's own); a test of what
                                               # never passes (a print never blinks) need not wait it out
        self.keeper = kept_id.Keeper()       # the ID card read, as the app's driver keeps it for an offer
        # ``journey``: one not in the citizens' registry (staff mode), run the same way
        begun = journey if journey is not None else registry.begin(key, kiosk.devices, acting, id_card=id_card,
                                                                   keeper=self.keeper)
        self.journey = attended(begun, kiosk.devices, key, staff_after_s=staff_after_s)
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
        assert self.step is not None, f"the journey already ended ({self.ended})"
        return self._go(lambda: self.journey.throw(s.CitizenLeft(reason)))

    def remove_cards(self) -> "Player":
        """The citizen takes the ID card and the card out while a last screen is shown: it ends by itself."""
        step = self.step
        assert getattr(step, "until_removed", None) is not None, f"not a last screen: {step}"
        ended: list[bool] = []
        watch = threading.Thread(target=lambda: ended.append(step.until_removed(self.wait_s, threading.Event())))
        watch.start()               # the runner watches from when the screen appears, with the cards still in
        time.sleep(0.5)
        self.kiosk.hands.remove_id_card()
        self.kiosk.hands.remove_card()
        watch.join()
        return self._answer(s.DONE) if ended == [True] else self

    def follow_offer(self, does=()) -> "Player":
        """The failure screen's button to the service the refusal offers: this visit ends without asking for
        the cards (the ID card stays for the offered service), and that service's journey begins with the ID
        card this one read (as the app's driver does)."""
        assert self.ended == "failed" and isinstance(self.step, s.Message), f"no failure screen: {self.step}"
        assert self.step.secondary and self.step.secondary[0] == s.OFFER, f"no offer on {self.title}"
        offer = s.offer_of(self.error)
        self._answer(s.OFFER)
        assert self.ended == s.OFFER, f"the refused journey ended {self.ended}, not by its offer"
        return Player(self.kiosk, offer, does=does, wait_s=self.wait_s, takes_cards=self.takes_cards,
                      id_card=self.keeper.take())

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
        """The titles of the journey's screens the citizen saw, in order (waits and work show their text;
        the visit's own last step, TakeCards, is in ``cards_left``)."""
        return [self.zh(getattr(step, "title", None) or getattr(step, "text", "")) for step in self.shown
                if not isinstance(step, (s.Heading, s.TakeCards))]

    @staticmethod
    def zh(text) -> str:
        return tr(text, "zh") if text else ""

    # -- running ------------------------------------------------------------------------------------------------
    def _answer(self, value) -> "Player":
        assert self.step is not None, f"the journey already ended ({self.ended})"   # (a failure's screen: on)
        return self._go(lambda: self.journey.send(value))

    def _go(self, go) -> "Player":
        while True:
            try:
                step = go()
            except StopIteration as stop:
                self.ended, self.step = stop.value or "done", None
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
            if isinstance(step, s.Message) and step.error is not None:    # a refusal or fault, in words
                self.ended, self.error = "failed", step.error
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

    def _frame(self, _image, guidance) -> None:
        self.frames += 1
        if not self.guidance or self.guidance[-1] != guidance.key:
            self.guidance.append(guidance.key)

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
        if isinstance(step, s.LookAtCamera):
            return step.run(self.camera_s or step.timeout_s, cancelled, self._frame)
        if isinstance(step, s.TakeCards):
            if self.takes_cards:
                self.kiosk.hands.remove_id_card()
                self.kiosk.hands.remove_card()
            return step.wait(self.wait_s, cancelled, on_progress=self.cards_left.append)
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
