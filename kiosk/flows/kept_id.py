"""The ID card already read, carried from a refused service to the one its refusal offers.

A refusal that names another kiosk service (``Refusal.offer``: "your PIN is locked → 密码解锁") shows a button
to it. Asking the citizen to place the same ID card again, seconds after it was read, is a touch for nothing
and confuses ("did it not work?"). So the runner keeps a copy of the holder's ID card the refused journey
read (``Keeper``), and the offered journey begins with it (``registry.begin(…, id_card=kept)``): its first
"place your ID card" step is answered from the copy, read through the same checks as a card on the reader
(who may act, the card's validity), shown as a short "checking your ID card" step instead of a wait.

Kept only while fresh (``KEEP_S`` after the physical read) and still valid (an ID card can expire at
midnight); anything else and the offered journey simply asks for the card again. Kept only for the holder
acting in person: an acting person's journey reads two ID cards and the offered one would need both.
The copy is wiped when the session ends (the runner's keeper) or when the offered journey wipes its card.
"""
from __future__ import annotations

import copy
import datetime as dt
import threading
import time
from dataclasses import dataclass, replace

from kiosk.flows.steps import PlaceIdCard, Work
from kiosk.hw.idreader.idcard import IdCard
from kiosk.i18n import _

KEEP_S = 300.0      # a refusal screen, a tap, at most a session's few minutes: older than this, read it again


@dataclass
class KeptIdCard:
    card: IdCard
    read_at: float          # time.monotonic() of the physical read

    def usable(self, now: float | None = None, today: dt.date | None = None) -> bool:
        """Fresh, not wiped, and still a card the kiosk may use (IdCard.refusal: expired, malformed…)."""
        now = time.monotonic() if now is None else now
        return (bool(self.card.id_number) and now - self.read_at <= KEEP_S
                and self.card.refusal(today) is None)

    def wipe(self) -> None:
        self.card.wipe()


class Keeper:
    """What a runner holds for one journey: a copy of the last ID card a "place your ID card" step read."""

    def __init__(self) -> None:
        self.kept: KeptIdCard | None = None

    def keep(self, card: IdCard, read_at: float | None = None) -> None:
        self.wipe()
        # a copy: the journey wipes its own card in its ``finally``, before the refusal is even shown
        self.kept = KeptIdCard(copy.copy(card), time.monotonic() if read_at is None else read_at)

    def take(self) -> KeptIdCard | None:
        """Hand the copy over (to the offered journey); the keeper forgets it."""
        kept, self.kept = self.kept, None
        return kept

    def wipe(self) -> None:
        if self.kept is not None:
            self.kept.wipe()
        self.kept = None


class KeptIdReader:
    """The ID card reader as a journey begun with ``kept`` or ``keeper`` sees it: its first read is the kept
    card (checked as the reader checks every card); every card it hands out is copied into the keeper — at
    the read itself, since a flow may refuse inside the very step that read the card (no card on record);
    every other call goes to the real reader (status, removal)."""

    def __init__(self, reader, kept: KeptIdCard | None, keeper: Keeper | None):
        self._reader = reader
        self._kept = kept
        self._keeper = keeper

    def wait_for_card(self, timeout: float, cancelled: threading.Event | None = None, **kwargs) -> IdCard | None:
        kept, self._kept = self._kept, None
        if kept is None:
            card, read_at = self._reader.wait_for_card(timeout, cancelled, **kwargs), None
        else:
            refusal = kept.card.refusal()          # the same check the reader makes on every read
            if refusal is not None:
                kept.wipe()
                raise refusal
            card, read_at = kept.card, kept.read_at
        if card is not None and self._keeper is not None:
            self._keeper.keep(card, read_at)
        return card

    def __getattr__(self, name):
        return getattr(self._reader, name)


def run(begin_journey, devices, acting, kept: KeptIdCard | None, keeper: Keeper | None):
    """``begin_journey(devices, acting)``'s steps, passed through: with ``kept`` (usable), the first "place
    your ID card" becomes a short check of the kept card; with ``keeper``, every ID card read is kept."""
    if kept is not None and not kept.usable():
        kept.wipe()
        kept = None
    devices = replace(devices, idreader=KeptIdReader(devices.idreader, kept, keeper))
    inner = begin_journey(devices, acting)
    if kept is None:                # nothing to skip: the journey's own steps, as they are
        return (yield from inner)
    try:
        step = next(inner)
        while True:
            shown = step
            if kept is not None and isinstance(step, PlaceIdCard):
                shown = Work(_("正在核验身份证"), lambda wait=step.wait: wait(0, threading.Event()))
                kept = None
            try:
                answer = yield shown
            except GeneratorExit:
                raise
            except BaseException as exc:         # CitizenLeft, a step's exception: the journey's to answer
                step = inner.throw(exc)
                continue
            step = inner.send(answer)
    except StopIteration as stop:
        return stop.value
    finally:
        inner.close()
