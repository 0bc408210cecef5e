"""Write ahead for the acts a citizen asks the service for that change their card for good and that touch no
device: a loss report, and its release. (The acts that touch a card or the module have their own steps in
the same journal: pin_recovery for PIN writes, issuance_settle for a card made, replacement for an old card
captured; the fee is paid on the citizen's phone, and the kiosk's only money act — a refund — is part of
the issuance it belongs to.)

One mechanism, the same shape as the others:
1. before the request is sent, the journal records what it is (``what`` and the arguments that rebuild it,
   kiosk.backend.client's request functions) under the transaction's id, which is also its idempotency key;
2. the answer is recorded and the transaction closed: ``done``, or ``refused`` for a definite refusal
   (asking again would get the same answer);
3. no answer (a cut, a timeout, the service's own trouble): the citizen is told the request went out and is
   not confirmed — not "system busy", as if nothing happened — and the transaction stays open;
4. at the next start (``recover``) it is sent again with the same key: the service answers the first
   outcome and never acts twice (its idempotency records). Confirmed → closed ``confirmed``; refused for
   good → closed ``refused`` with a staff notice (the citizen left believing it might have happened);
   still unanswered → left for the next start, for GIVE_UP_AFTER at most, then closed ``unconfirmed`` with
   a staff notice. Never retried forever, never closed in silence.

The journal holds the card number and, when someone acted for the holder, the actor's ID number: what the
request itself carries, and nothing else (no PIN is ever part of these requests).
"""
from __future__ import annotations

import datetime as dt
import logging

from kiosk.backend import client as requests_
from kiosk.backend.client import ServiceError, ServiceRefused
from kiosk.errors import Action, Fault
from kiosk.flows import staff_notices
from kiosk.flows.base import Devices
from kiosk.journal import age

log = logging.getLogger(__name__)
KIND = "service_write"
SENT, ANSWERED, REFUSED, UNANSWERED = "request_sent", "answered", "refused", "unanswered"
GIVE_UP_AFTER = dt.timedelta(days=3)    # as PIN events (pin_recovery): past a long weekend, a person reconciles

# what → (the request function, the citizen's words when its answer is lost)
REQUESTS = {
    "loss_report": (requests_.loss_report,
                    ("挂失申请已发出，但未收到系统确认。本机将自动核实；请稍后查询卡片状态，如未挂失请到窗口办理",
                     "The loss report was sent but not confirmed. The kiosk will check it by itself; query the "
                     "card's status later, and go to a counter if it is not reported lost")),
    "release": (requests_.release,
                ("解除挂失申请已发出，但未收到系统确认。本机将自动核实；请稍后查询卡片状态，如仍为挂失请到窗口办理",
                 "The release was sent but not confirmed. The kiosk will check it by itself; query the card's "
                 "status later, and go to a counter if it is still reported lost")),
}


class Unconfirmed(Fault):
    """The request went out and no answer came back: the service may or may not have acted."""
    action = Action.RETRY


def send(devices: Devices, txn: str, what: str, **arguments) -> dict:
    """Journal, send, record the answer. ``txn`` is this write's own id (letters, digits, - and _: it is also
    the idempotency key and, in a staff notice, what staff search for). Raises the service's refusal as it is (closed, when definite) or
    Unconfirmed (kept open for ``recover``)."""
    build, (zh, en) = REQUESTS[what]
    request = build(**arguments)
    journal = devices.journal
    journal.begin(txn, KIND, what=what, arguments=arguments)
    journal.step(txn, SENT)
    try:
        answer = devices.service.send(request, idempotency_key=txn)
    except ServiceRefused as exc:
        if not exc.definite:               # 5xx, 408, 429, 401/403: it may have acted, or may yet
            journal.step(txn, UNANSWERED, code=exc.code)
            raise Unconfirmed(f"{what} {txn}: {exc.code}", zh=zh, en=en) from exc
        journal.step(txn, REFUSED, code=exc.code)
        journal.finish(txn, "refused")
        raise
    except ServiceError as exc:
        journal.step(txn, UNANSWERED, detail=exc.detail)
        raise Unconfirmed(f"{what} {txn}: {exc.detail}", zh=zh, en=en) from exc
    except BaseException:                  # anything else (a bug, an interrupt): unknown whether it went out
        journal.step(txn, UNANSWERED, detail="interrupted")
        raise
    journal.step(txn, ANSWERED)
    journal.finish(txn, "done")
    return answer


def recover(devices: Devices) -> list[tuple[str, str]]:
    """Send each write still open again, with its key (at start). Returns (txn, outcome) for those closed."""
    closed = []
    for row in devices.journal.unfinished(KIND):
        outcome = _settle(devices, row)
        if outcome is not None:
            closed.append((row["txn"], outcome))
    return closed


def _settle(devices: Devices, row: dict) -> str | None:
    journal, txn, context = devices.journal, row["txn"], row["context"]
    what, arguments = context.get("what"), context.get("arguments") or {}
    card_number = arguments.get("card_number")
    if what not in REQUESTS:                     # a journal from another version, or damaged: a person looks
        journal.finish(txn, "unknown_request")
        staff_notices.notify(devices, txn, "service_write_unconfirmed", card_number, "unknown_request")
        return "unknown_request"
    build = REQUESTS[what][0]
    try:
        devices.service.send(build(**arguments), idempotency_key=txn)
    except ServiceRefused as exc:
        if exc.definite:
            log.warning("%s %s refused at recovery: %s", what, txn, exc.code)
            journal.step(txn, REFUSED, code=exc.code)
            journal.finish(txn, "refused")
            staff_notices.notify(devices, txn, "service_write_refused", card_number, what)
            return "refused"
        problem = exc.code
    except ServiceError as exc:
        problem = exc.detail
    else:
        journal.step(txn, ANSWERED, at="recovery")
        journal.finish(txn, "confirmed")
        return "confirmed"
    if age(row["started_at"]) < GIVE_UP_AFTER:
        log.warning("%s %s still unanswered (%s); left for the next start", what, txn, problem)
        return None
    log.error("%s %s unanswered for over %s; closed unconfirmed, staff notice owed", what, txn, GIVE_UP_AFTER)
    journal.step(txn, "given_up")
    journal.finish(txn, "unconfirmed")
    staff_notices.notify(devices, txn, "service_write_unconfirmed", card_number, what)
    return "unconfirmed"
