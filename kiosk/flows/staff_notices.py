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
    try:
        devices.service.kiosk_event(kind, txn, card_number, note, idempotency_key=request_key(txn, kind))
    except ServiceRefused as exc:
        if not exc.definite:
            log.warning("staff notice %s for %s not taken yet (%s); kept for the next start", kind, txn, exc.code)
            return False
        # a definite answer (a malformed notice): asking again gets the same one, so stop, and say so in the log
        log.error("staff notice %s for %s refused by the service: %s", kind, txn, exc.code)
        devices.journal.step(txn, SENT, refused=exc.code)
        return False
    except ServiceError as exc:
        log.warning("staff notice %s for %s not delivered yet (%s); kept for the next start", kind, txn, exc.detail)
        return False
    devices.journal.step(txn, SENT)
    return True
