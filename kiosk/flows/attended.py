"""What every journey shares about the citizen's time and cards, wrapped around it by both runners (the app's
driver and the test player), so no journey has to repeat it and none can forget it:

- **A wait that ran out says so.** A "place your ID card" / "insert your card" step whose wait returns
  nothing is followed by "没有检测到身份证" (or the card) with "重试" (the same step again) and "返回首页";
  only "返回首页" hands the journey the empty answer (it then ends quietly, as it always did). Nobody
  answering that either is the session's inactivity timer's business.
- **The last screen ends by itself** once the cards that were in the machine are taken out (``last`` steps
  get ``until_removed``): no "完成" needed.
- **No visit ends with a card in the machine.** However the journey ends (done, the citizen leaving, the
  inactivity timer, a refusal or fault shown in words), a ``TakeCards`` step waits until the ID card and
  the social security card are taken, reminding with a beep and the words, and calls staff if a card stays.
  Only then does the journey end, and the session with it (the session's end wipes, as before).
- A refusal or fault is shown here as the journey's last screen (``failure``), so it too waits for the
  cards; the screen carries the exception (``Message.error``) for the runner.

Presence is asked of the devices (the GA 467 reader's "find card", the PC/SC reader's monitor) only inside
blocking callables: the runners run those off the UI thread.
"""
from __future__ import annotations

import dataclasses
import logging
import threading
import time

from kiosk.errors import KioskError, Refusal
from kiosk.flows.steps import (DONE, OFFER, CitizenLeft, InsertCard, Message, PlaceIdCard, TakeCards, failure)
from kiosk.i18n import _

log = logging.getLogger(__name__)

RETRY, HOME = "retry", "home"
STAFF_AFTER_S = 60       # a card left this long at the end of a visit: staff are called
REMIND_S = 8             # the beep and the words again, this often, while a card is left
POLL_S = 0.3
MISSED = {PlaceIdCard: (_("没有检测到身份证"), _("请将身份证平放在读卡区，再点击“重试”。")),
          InsertCard: (_("没有检测到社保卡"), _("请将社保卡芯片朝上插入插口，再点击“重试”。"))}
ENDS_BY_ITSELF = _("取走卡后，本次办理自动结束。")    # added to a last screen while a card is inside


# -- presence (device I/O: call only from a blocking step) ----------------------------------------------------
def cards_in(devices) -> set[str]:
    """Which of the citizen's cards are in the machine: "id" (on the ID card reader), "card" (in the card
    slot). A reader that cannot say (offline, no presence query) counts as empty: a visit must not be held
    forever by a reader that is gone."""
    inside = set()
    for name, reader in (("id", devices.idreader), ("card", devices.cardreader)):
        present = getattr(reader, "card_present", None)
        if present is None:
            continue
        try:
            if present():
                inside.add(name)
        except Exception as exc:
            log.info("cannot tell whether a card is on the %s reader: %s", name, getattr(exc, "detail", exc))
    return inside


def which(inside: set[str]) -> str:
    return "both" if len(inside) == 2 else next(iter(inside))


def until_removed(devices, timeout_s: float, cancelled: threading.Event, on_progress=None,
                  poll: float = POLL_S) -> bool:
    """True once the cards seen in the machine are all out; False when none was ever seen (nothing to wait
    for: the screen waits for its button), the time passes, or ``cancelled`` is set. ``on_progress("inside")``
    once when a card is first seen (the screen then says it ends by itself)."""
    deadline = time.monotonic() + timeout_s
    seen = False
    while time.monotonic() < deadline and not cancelled.is_set():
        if cards_in(devices):
            if not seen and on_progress is not None:
                on_progress("inside")
            seen = True
        elif seen:
            return True
        cancelled.wait(poll)
    return False


def wait_taken(devices, service: str | None, timeout_s: float, cancelled: threading.Event, on_progress=None,
               staff_after_s: float = STAFF_AFTER_S, remind_s: float = REMIND_S, poll: float = POLL_S) -> bool:
    """TakeCards' wait: True once no card is left (at once when none was), False when ``timeout_s`` passes
    first (staff have been called by then) or the session is cancelled."""
    report = on_progress or (lambda _key: None)
    start = time.monotonic()
    shown, called, reminded = None, False, start
    while not cancelled.is_set():
        inside = cards_in(devices)
        if not inside:
            return True
        now = time.monotonic()
        if which(inside) != shown:
            shown = which(inside)
            report(shown)
            reminded = now
        elif now - reminded >= remind_s:
            report("remind")
            reminded = now
        if not called and now - start >= staff_after_s:
            called = True
            try:
                devices.service.call_staff(screen="take_cards", service=service)
                log.warning("a card was left in the machine for %.0f s: staff called", now - start)
            except Exception as exc:      # the service is down: the screen still says to wait for help
                log.warning("staff call for a card left in the machine not delivered: %s",
                            getattr(exc, "detail", exc))
            report("staff")
        if now - start >= timeout_s:
            return False
        cancelled.wait(poll)
    return False


def take_cards(devices, service: str | None = None, staff_after_s: float = STAFF_AFTER_S):
    """The step that ends every visit: shown only while a card is left in the machine."""
    yield TakeCards(lambda timeout_s, cancelled, on_progress=None: wait_taken(
        devices, service, timeout_s, cancelled, on_progress, staff_after_s=staff_after_s))


# -- the wrapper --------------------------------------------------------------------------------------------
def attended(journey, devices, service: str | None = None, staff_after_s: float = STAFF_AFTER_S):
    """``journey`` as the citizen meets it (see the module's words). Returns how it ended ("done", "failed",
    or OFFER: the failure screen's button to the service its refusal offers, which the runner then begins); a citizen leaving is CitizenLeft, raised after the cards are taken. Closing this generator
    (the session ends) closes the journey, whose ``finally`` wipes."""
    send, value = journey.send, None
    try:
        while True:
            try:
                step = send(value)
            except StopIteration:
                break
            except CitizenLeft:
                yield from take_cards(devices, service, staff_after_s)
                raise
            except Exception as exc:          # a refusal or a fault: its words are the last screen
                _log_failure(service, exc)
                try:
                    answer = yield _last(failure(exc), devices)
                finally:
                    journey.close()
                if answer == OFFER:       # the refusal's button to another service: the ID card stays for it
                    return OFFER
                yield from take_cards(devices, service, staff_after_s)
                return "failed"
            try:
                value = yield from _shown(step, devices)
                send = journey.send
            except GeneratorExit:
                raise
            except Exception as exc:          # a step's work failed, or the citizen left: said at the yield
                send, value = journey.throw, exc
    finally:
        journey.close()
    yield from take_cards(devices, service, staff_after_s)
    return "done"


def _shown(step, devices):
    if isinstance(step, (PlaceIdCard, InsertCard)):
        return (yield from _until_there(step))
    if getattr(step, "last", False):
        return (yield _last(step, devices))
    return (yield step)


def _until_there(step):
    """The step again, for as long as the citizen asks to retry after it ran out."""
    while True:
        got = yield step
        if got is not None and got is not False:
            return got
        title, body = step.missed or MISSED[type(step)]
        if (yield Message(title, body, tone="warn", primary=(RETRY, _("重试")),
                          secondary=(HOME, _("返回首页")))) != RETRY:
            return got


def _last(step, devices):
    if step.until_removed is not None:
        return step
    return dataclasses.replace(step, until_removed=lambda timeout_s, cancelled, on_progress=None: until_removed(
        devices, timeout_s, cancelled, on_progress))


def _log_failure(service, exc: Exception) -> None:
    if isinstance(exc, KioskError):       # a Refusal or a fault: either way it has the citizen's words
        log.info("%s %s: %s", service, "refused" if isinstance(exc, Refusal) else "failed", exc.detail)
    else:
        log.error("%s failed unexpectedly", service, exc_info=exc)


__all__ = ["DONE", "HOME", "RETRY", "attended", "cards_in", "take_cards", "until_removed", "wait_taken"]
