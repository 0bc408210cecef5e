"""Settling issuances that did not finish: after a crash (at start-up, once the module's initialise has
captured any card left inside) and before every dispense (once the issuing flow has emptied the module).

A transaction's card is judged from the journal and the module: captured, or never presented, means the
number is voided; presented and no longer in the module means the citizen has the card, so it is confirmed.
A number asked for whose answer never reached the journal is learned from the application (the service
shows the number it is issuing). A definite refusal closes the record with a staff notice; only an
unreachable service (or a refusal that may pass, ServiceRefused.definite) leaves it for the next attempt.
"""
from __future__ import annotations

import logging

from kiosk.backend.client import ServiceError, ServiceRefused
from kiosk.flows import staff_notices

log = logging.getLogger(__name__)
KIND = "issuance"


def _number_being_issued(devices, application_id) -> str | None:
    if not isinstance(application_id, int):
        return None
    number = devices.service.application(application_id).get("issuing_card")
    return number if isinstance(number, str) and number.isalnum() and len(number) == 9 else None


def card_number_of(steps: list[tuple[str, dict]]) -> str | None:
    return next((detail["card_number"] for _, detail in steps if "card_number" in detail), None)


def settle_unfinished(devices, leftover_captured: bool, skip: str | None = None) -> list[tuple[str, str]]:
    """Void or confirm the number of every unfinished issuance but ``skip`` (the one now running) and
    close its record. ``leftover_captured``: a card was just found inside the module and captured; it is
    taken to be the latest unfinished transaction's. A service that cannot be told leaves the record open
    for the next attempt."""
    outcomes = []
    unfinished = [row for row in devices.journal.unfinished(KIND) if row["txn"] != skip]
    for i, row in enumerate(sorted(unfinished, key=lambda r: r["started_at"])):
        txn = row["txn"]
        steps = devices.journal.details(txn)
        names = [name for name, _ in steps]
        card_number = card_number_of(steps)
        captured_now = leftover_captured and i == len(unfinished) - 1
        try:
            if card_number is None and "number_requested" in names:
                # asked, and the answer was lost (or never sent): the service says which number it holds
                card_number = _number_being_issued(devices, row["context"].get("application_id"))
                if card_number is not None:
                    devices.journal.step(txn, "number_learned", card_number=card_number)
            if card_number is None:
                outcome = "recovered_nothing_allocated"
            elif "voided" in names:
                outcome = "failed"
            elif "captured" in names or captured_now or "presenting" not in names:
                devices.service.void_issuance(card_number, "recovered after interruption", idempotency_key=f"{txn}:void")
                devices.journal.step(txn, "voided")
                outcome = "recovered_voided"
            else:                         # presented and no longer in the module: the citizen has it
                devices.service.confirm_issuance(card_number, idempotency_key=f"{txn}:confirm")
                devices.journal.step(txn, "confirmed")
                outcome = "recovered_confirmed"
        except ServiceRefused as refused:
            if not refused.definite:
                log.warning("settling %s postponed: %s", txn, refused.detail)
                continue
            if refused.code == "not_issuing":
                state = devices.service.card(card_number)["state"]        # already settled at the service
                outcome = "recovered_voided" if state == "void" else "recovered_confirmed"
            else:               # a definite answer (e.g. a card the service does not know): asking again is futile
                log.error("settling %s refused by the service (%s); closed, staff told", txn, refused.code)
                devices.journal.step(txn, "service_refused", code=refused.code)
                staff_notices.notify(devices, txn, "issuance_unsettled", card_number, refused.code)
                outcome = "service_refused"
        except ServiceError as exc:
            log.warning("settling %s postponed: %s", txn, exc.detail)
            continue
        devices.journal.finish(txn, outcome)
        outcomes.append((txn, outcome))
    return outcomes


def recover(devices) -> list[tuple[str, str]]:
    """At start-up, after the module's initialize-with-capture: a card still inside was captured
    (issuer.leftover_captured); a card no longer inside left through the gate, into a citizen's hand."""
    return settle_unfinished(devices, devices.cardissuer.leftover_captured)
