"""The holder's next visit settles a PIN command whose outcome was unknown (the service's record carries
"pin_outcome_unknown": kiosk/backend/pin_outcomes.py, kiosk/flows/pin_recovery.py). The card answers:

- a VERIFY it accepts: on a card the service still holds sealed, a PIN other than the region's initial one
  means the activation took ("changed": sealed → normal); the initial PIN means it had not (settled, not
  applied). After an unknown UNBLOCK, a card that accepts a PIN is not blocked ("unblocked"). After an
  unknown RELOAD the holder has shown a PIN that works, which is all that matters now (settled).
- the try counter, read without a PIN at an unlock: tries left means an unknown UNBLOCK took ("unblocked");
  none left means it had not (settled, not applied), and the unlock goes on.

Best effort: a service that cannot be reached now keeps its mark for a later visit.
"""
from __future__ import annotations

import logging

from kiosk.backend.client import ServiceError, ServiceRefused
from kiosk.flows.base import Devices

log = logging.getLogger(__name__)


def unknown(record: dict | None) -> dict | None:
    return (record or {}).get("pin_outcome_unknown")


def after_verify(devices: Devices, record: dict | None, txn: str, typed_initial: bool) -> str | None:
    """The card accepted a VERIFY. Returns what the service was told, if anything."""
    mark = unknown(record)
    if mark is None:
        return None
    if mark["operation"] == "changed" and record["state"] == "sealed":
        return _tell(devices, record, txn, "outcome_settled", applied=False) if typed_initial else \
            _tell(devices, record, txn, "changed")
    if mark["operation"] == "unblocked":
        return _tell(devices, record, txn, "unblocked")
    return _tell(devices, record, txn, "outcome_settled")


def after_tries_read(devices: Devices, record: dict | None, txn: str, tries_left: int | None) -> str | None:
    """An unlock read the card's try counter. Returns what the service was told, if anything."""
    mark = unknown(record)
    if mark is None or mark["operation"] != "unblocked" or tries_left is None:
        return None
    if tries_left > 0:
        return _tell(devices, record, txn, "unblocked")
    return _tell(devices, record, txn, "outcome_settled", applied=False)


def _tell(devices: Devices, record: dict, txn: str, event: str, applied: bool | None = None) -> str | None:
    try:
        answer = devices.service.pin_event(record["card_number"], event, applied=applied, txn=txn,
                                           idempotency_key=f"{txn}:settle")
    except (ServiceRefused, ServiceError) as exc:   # refused or unreachable alike: settled at a later visit
        log.warning("unknown PIN outcome of %s not settled now (%s); a later visit will", txn, exc.detail)
        return None
    record.update(state=answer.get("state", record["state"]), pin_outcome_unknown=None)
    return event
