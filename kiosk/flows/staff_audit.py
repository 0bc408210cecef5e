"""Every staff action at the kiosk, journalled and sent to the service as an audit event
(kiosk/backend/staff.py): who (the staff session their sign-in opened), what, when, and a count where there is
one (cards loaded). Journalled first, as its own closed transaction with a DUE step, then sent; what the
service could not take now is sent at the next start (kiosk.startup), so an outage loses no audit event.
No PIN, ID number or citizen data is in one: the staff number, an action name, plain words, a number.
"""
from __future__ import annotations

import datetime as dt
import logging

from kiosk.flows.base import Devices
from kiosk.flows.staff_notices import deliver_once
from kiosk.journal import new_txn_id, request_key

log = logging.getLogger(__name__)
DUE, SENT = "staff_audit_due", "staff_audit_sent"
KIND = "staff_action"


def record(devices: Devices, session: dict, action: str, detail: str | None = None,
           count: int | None = None) -> str:
    """Journal ``action`` by the signed-in staff member and send it; returns the journal transaction."""
    txn = devices.journal.begin(new_txn_id(devices.kiosk_id), KIND, action=action, staff_no=session["staff_no"])
    at = dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")
    devices.journal.step(txn, DUE, session=session["session"], action=action, at=at, detail=detail, count=count)
    devices.journal.finish(txn, action)
    log.info("staff %s: %s%s", session["staff_no"], action, f" ({count})" if count is not None else "")
    _send(devices, txn, session["session"], action, at, detail, count)
    return txn


def deliver(devices: Devices) -> list[str]:
    """Send the audit events still owed (at start); returns the transactions that went."""
    return [txn for txn, d in devices.journal.due(DUE, SENT)
            if _send(devices, txn, d["session"], d["action"], d["at"], d.get("detail"), d.get("count"))]


def _send(devices: Devices, txn: str, session: str, action: str, at: str, detail: str | None,
          count: int | None) -> bool:
    return deliver_once(devices, txn, SENT, f"staff audit {action}", lambda: devices.service.staff_audit(
        session, at, action, detail, count, idempotency_key=request_key(txn, action)))
