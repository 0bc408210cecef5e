"""PIN commands whose outcome a kiosk could not see: the power went between sending the card its CHANGE,
RELOAD or UNBLOCK PIN and reading the card's answer, so only the card knows whether its PIN changed.

The service marks the card ("PIN outcome unknown": shown with the card's record, so a status query and staff
see it), keeps a card event and raises a staff event, all in one transaction. The mark is cleared when the
card's later use settles it: any PIN set that the service hears of ("changed", "reloaded", "unblocked"), or
a kiosk's "outcome_settled" (the holder's next visit showed the command had not taken, or that the holder's
PIN works, which is all that matters then). The service's record of the card never changes on a guess.
"""
from __future__ import annotations

from kiosk.backend.rules import Refusal
from kiosk.backend.store import Store

EVENTS = ("outcome_unknown", "outcome_settled")
SETTLING = ("changed", "reloaded", "unblocked")     # a PIN set the service hears of overtakes any unknown one


def shown(store: Store, card_number: str) -> dict | None:
    """What the card's record says about an unsettled PIN command: which command, since when."""
    mark = store.pin_outcome_unknown(card_number)
    return {"operation": mark["operation"], "since": mark["since"]} if mark else None


def record(store: Store, card: dict, event: str, operation: str | None, applied: bool | None, txn: str | None,
           kiosk_id: str) -> dict:
    """Handle "outcome_unknown" / "outcome_settled" for ``card``, whatever its state: staff must see it."""
    card_number = card["card_number"]
    with store.transaction() as db:
        if event == "outcome_unknown":
            if operation is None:
                raise Refusal(422, "operation_missing", "请求格式错误", "outcome_unknown needs the operation")
            store.mark_pin_outcome_unknown(db, card_number, operation, kiosk_id, txn)
            store.add_event(db, card_number, "pin_outcome_unknown", kiosk_id, {"operation": operation, "txn": txn})
            store.add_staff_event(db, kiosk_id, "pin_outcome_unknown", card_number, txn, operation)
        else:
            settle(store, db, card_number, kiosk_id, "not_applied" if applied is False else "pin_verified")
    return {"card_number": card_number, "state": card["state"], "recorded": event,
            "pin_outcome_unknown": shown(store, card_number)}


def settle(store: Store, db, card_number: str, kiosk_id: str, how: str) -> None:
    """Clear the card's mark, if any, recording how it was settled."""
    mark = store.clear_pin_outcome_unknown(db, card_number)
    if mark is not None:
        store.add_event(db, card_number, "pin_outcome_settled", kiosk_id,
                        {"operation": mark["operation"], "by": how, "txn": mark["txn"]})
