"""What a crash or power cut left of a journalled PIN write (change_pin; pin_writes for reset and unlock),
settled at the next start. By the last step on disk:

- nothing, or the card's refusal: nothing reached the card's PIN → closed "not_sent" / "failed";
- sent: the command may or may not have reached the card, and only the card knows. The service is told the
  outcome is unknown ("outcome_unknown": a mark on the card's record that a status query shows, a card
  event and a staff event, kiosk/backend/pin_outcomes.py); the holder's next visit settles it
  (kiosk/flows/pin_settlement.py). Never closed silently;
- done: the card has the new PIN → the service is told the event;
- told: finished; only the journal's close was lost → "done".

The service refusing is a definite answer and closes the transaction, with a staff notice. The service unreachable leaves it for
the next start, for UNREPORTED_AFTER at most: past that it is closed "unreported" and a staff notice is owed
(kiosk/flows/staff_notices.py), delivered when the service answers again.

Why three days: a PIN event told late can contradict what happened to the card since (an "unblocked" told
after the card was locked again at a hospital would mark a locked card normal). Three days outlast a
long-weekend outage of the provincial service; past them a person, not the kiosk, should reconcile the card
with the record, and the staff notice puts it in front of one.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Callable

from kiosk.backend.client import ServiceError, ServiceRefused
from kiosk.flows import staff_notices
from kiosk.flows.base import Devices
from kiosk.journal import age

log = logging.getLogger(__name__)
UNREPORTED_AFTER = dt.timedelta(days=3)
UNKNOWN_REPORTED = "outcome_unknown_reported"


@dataclass(frozen=True)
class Steps:
    sent: str       # written before the command goes to the card
    done: str       # the card answered: its PIN is set
    told: str       # the service recorded it


def recover(devices: Devices, kind: str, steps: Steps, event_of: Callable[[dict], str]) -> list[tuple[str, str]]:
    """Settle unfinished ``kind`` transactions; ``event_of(context)`` names the PIN event the write tells.
    Returns (txn, outcome) pairs; a transaction left open for the next start is not listed."""
    outcomes = []
    for row in devices.journal.unfinished(kind):
        outcome = _settle(devices, row, steps, event_of(row["context"]))
        if outcome is not None:
            outcomes.append((row["txn"], outcome))
    return outcomes


def _settle(devices: Devices, row: dict, steps: Steps, event: str) -> str | None:
    journal, txn, last = devices.journal, row["txn"], row["last_step"]
    card_number = row["context"].get("card_number")
    if last not in (steps.sent, steps.done):
        outcome = {steps.told: "done", "card_refused": "failed", None: "not_sent"}.get(last, "interrupted")
        journal.finish(txn, outcome)
        return outcome
    if last == steps.done:
        answer, told_step, told_outcome = _ask(lambda: devices.service.pin_event(
            card_number, event, idempotency_key=txn)), steps.told, "reconciled"
    else:
        answer, told_step, told_outcome = _ask(lambda: devices.service.pin_event(
            card_number, "outcome_unknown", operation=event, txn=txn, idempotency_key=f"{txn}:unknown")), \
            UNKNOWN_REPORTED, UNKNOWN_REPORTED
    note = event if last == steps.done else f"unknown_{event}"
    if isinstance(answer, ServiceRefused) and answer.definite:
        # a definite answer: asking again gets the same one. Closed, but a person hears of it.
        log.warning("service refused %s for %s: %s", event, txn, answer.code)
        journal.step(txn, "service_refused", code=answer.code)
        journal.finish(txn, "service_refused")
        staff_notices.notify(devices, txn, "pin_unreported", card_number, note)
        return "service_refused"
    if answer is None:
        journal.step(txn, told_step)
        journal.finish(txn, told_outcome)
        return told_outcome
    if age(row["started_at"]) < UNREPORTED_AFTER:
        log.warning("%s: service not reachable (%s); left for the next start", txn, answer.detail)
        return None
    log.error("%s: service unreachable for over %s; closed unreported, staff notice owed", txn, UNREPORTED_AFTER)
    journal.step(txn, "unreported")
    journal.finish(txn, "unreported")
    staff_notices.notify(devices, txn, "pin_unreported", card_number, note)
    return "unreported"


def _ask(call) -> ServiceRefused | ServiceError | None:
    """None when the service recorded it; else the ServiceRefused (the caller checks ``definite``) or the
    ServiceError (unreachable, unusable answer)."""
    try:
        call()
    except (ServiceRefused, ServiceError) as exc:   # a refusal is a Refusal, not a ServiceError: both asked for
        return exc
    return None
