"""Setting the card's PIN without the old one (RELOAD PIN for a reset, UNBLOCK PIN for an unlock), written
ahead like change_pin (DESIGN rule 5): journal → card command → tell the service (idempotently, keyed by
the transaction) → finish. recover() settles what a crash or power cut left between those steps.

The journal holds the transaction, the card number and the service event, never the PIN.
"""
from __future__ import annotations

import logging
from typing import Callable

from kiosk.backend.client import ServiceError, ServiceRefused
from kiosk.flows import pin_recovery
from kiosk.flows.base import Devices
from kiosk.hw.base import DeviceError

log = logging.getLogger(__name__)

SENT, DONE, TOLD = "card_command_sent", "card_pin_set", "service_told"
STEPS = pin_recovery.Steps(SENT, DONE, TOLD)


def write(devices: Devices, txn: str, kind: str, card_number: str, event: str, command: Callable[[], None]) -> bool:
    """Run the card ``command`` journalled; tell the service ``event``. True when the service was told, False
    when it could not be reached (the card has the new PIN; recover() tells it at the next start)."""
    journal = devices.journal
    journal.begin(txn, kind, card_number=card_number, event=event)
    journal.step(txn, SENT)
    try:
        command()
    except DeviceError as exc:
        journal.step(txn, "card_refused", reason=exc.vendor_code or type(exc).__name__)
        journal.finish(txn, "failed")
        raise
    journal.step(txn, DONE)
    return tell(devices, txn, card_number, event) == "told"


def tell(devices: Devices, txn: str, card_number: str, event: str) -> str:
    """Returns "told", "refused" (closed: asking again gets the same answer) or "unreachable" (left open)."""
    try:
        devices.service.pin_event(card_number, event, idempotency_key=txn)
    except ServiceRefused as exc:
        if not exc.definite:
            log.warning("service turned away %s for %s for now (%s); left for recovery", event, txn, exc.code)
            return "unreachable"
        # A definite answer (e.g. the card was cancelled meanwhile): retrying would get the same one.
        log.warning("service refused %s for %s: %s", event, txn, exc.code)
        devices.journal.step(txn, "service_refused", code=exc.code)
        devices.journal.finish(txn, "service_refused")
        return "refused"
    except ServiceError as exc:
        log.warning("PIN set on card; service not told %s yet (%s); left for recovery", event, exc.detail)
        return "unreachable"
    devices.journal.step(txn, TOLD)
    devices.journal.finish(txn, "done")
    return "told"


def recover(devices: Devices, kind: str) -> list[tuple[str, str]]:
    """Settle unfinished ``kind`` transactions (kiosk/flows/pin_recovery.py). Returns (txn, outcome) pairs; a
    service still unreachable leaves its transaction open for the next start, within a limit."""
    return pin_recovery.recover(devices, kind, STEPS, lambda context: context["event"])
