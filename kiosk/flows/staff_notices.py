"""Notices the kiosk owes the hall's staff through the service: an old card captured at start-up (staff
return it if its replacement was never made), a PIN event the service could not be told in time.

A notice is written to the journal first (step DUE on the transaction it concerns, which may already be
closed), sent at once if the service answers, and otherwise at the next start — so a notice outlives the
outage that caused it. SENT marks it delivered. A notice changes nothing on any card, so sending it late is
never wrong; it carries the card number and the transaction, never a PIN or an ID number.
"""
from __future__ import annotations

import logging

from kiosk.backend.client import ServiceError, ServiceRefused
from kiosk.flows.base import Devices
from kiosk.journal import request_key

log = logging.getLogger(__name__)
DUE, SENT = "staff_notice_due", "staff_notice_sent"


def notify(devices: Devices, txn: str, kind: str, card_number: str | None, note: str | None = None) -> bool:
    """Owe staff the notice ``kind`` about ``txn``; True when the service took it now."""
    devices.journal.step(txn, DUE, kind=kind, card_number=card_number, note=note)
    return _send(devices, txn, kind, card_number, note)


def deliver(devices: Devices) -> list[str]:
    """Send the notices still owed (at start); returns the transactions whose notice went."""
    return [txn for txn, d in devices.journal.due(DUE, SENT)
            if _send(devices, txn, d["kind"], d.get("card_number"), d.get("note"))]


def _send(devices: Devices, txn: str, kind: str, card_number: str | None, note: str | None) -> bool:
    return deliver_once(devices, txn, SENT, f"staff notice {kind}", lambda: devices.service.kiosk_event(
        kind, txn, card_number, note, idempotency_key=request_key(txn, kind)))


def deliver_once(devices: Devices, txn: str, sent: str, what: str, call) -> bool:
    """One owed request (``call``) for ``txn``: on success the ``sent`` step marks it delivered. A refusal
    that asking again would only repeat (a malformed request) is marked too, and logged as an error; a
    service that is down or not sure leaves it owed for the next start."""
    try:
        call()
    except ServiceRefused as exc:
        if not exc.definite:
            log.warning("%s for %s not taken yet (%s); kept for the next start", what, txn, exc.code)
            return False
        log.error("%s for %s refused by the service: %s", what, txn, exc.code)
        devices.journal.step(txn, sent, refused=exc.code)
        return False
    except ServiceError as exc:
        log.warning("%s for %s not delivered yet (%s); kept for the next start", what, txn, exc.detail)
        return False
    devices.journal.step(txn, sent)
    return True
