"""Unlock the PIN (密码解锁) after 6 consecutive wrong entries (domain.md §5, seeds/002): the holder's ID card
and card → the card must really be locked → a new PIN twice → UNBLOCK PIN (its encrypted PIN block and MAC
from the security module), journalled before it is sent → the service is told "unblocked" → receipt.

The card's own try counter is the authority: a PIN unlocked at a counter may not have reached the service
yet, and a PIN locked at a hospital's terminal may not have been reported. Only where the card will not say
(no 63Cx answer) does the service's record ("pin_locked") decide.
"""
from __future__ import annotations

from kiosk import receipts
from kiosk.errors import Refusal
from kiosk.flows import pin_rules, pin_settlement, pin_writes
from kiosk.flows.base import now
from kiosk.flows.holder_card import CANCELLED, LOST, HolderCardFlow, pin_journey, refuse_state
from kiosk.flows.representation import HOLDER
from kiosk.i18n import _
from kiosk.pin import PinBuffer

KIND = "unlock"
EVENT = "unblocked"


class NotBlocked(Refusal):
    """The card's PIN is not locked: nothing to unlock (a forgotten PIN is a reset)."""


REFUSED_STATES = {
    "temp_lost": LOST, "lost": LOST, "cancelled": CANCELLED,
    # the service would keep a sealed card sealed after an UNBLOCK, so its initial PIN would be gone while the
    # card still waits for activation: a counter sorts out both at once
    "sealed": ("此卡尚未启用，不能在本机解锁。请携带身份证和社保卡到社会保障卡服务窗口办理",
               "This card is not activated yet and cannot be unlocked here. Go to a social security card counter "
               "with your ID card and the card"),
}


def is_blocked(tries_left: int | None, service_state: str) -> bool:
    if tries_left is None:
        return service_state == "pin_locked"
    return tries_left == 0


class UnlockFlow(HolderCardFlow):
    SERVICE = "unlock"

    def check_card(self) -> None:
        refuse_state(self.record["state"], REFUSED_STATES)
        tries = self.card.pin_tries_left()
        if pin_settlement.after_tries_read(self.devices, self.record, self.txn, tries) == "unblocked":
            raise NotBlocked("an unlock cut off earlier had taken effect",
                             zh="您上次办理的密码解锁已成功，密码已解锁，请使用上次设置的新密码",
                             en="Your earlier unlock did take effect: the PIN is unlocked; use the new PIN you "
                                "set then")
        if not is_blocked(tries, self.record["state"]):
            raise NotBlocked("PIN not blocked", zh="您的社保卡密码未锁定，无需解锁。如忘记密码，请选择“忘记密码”",
                             en="Your PIN is not locked, so there is nothing to unlock. If you have forgotten it, "
                                "choose 'Forgotten PIN'", offer="reset_pin")

    def unlock(self, new: PinBuffer, again: PinBuffer) -> bool:
        """Set ``new`` and clear the lock. True when the service was told now; False when it is left for
        recover() (the card is unlocked either way). Raises PinRuleBroken or the card's error."""
        pin_rules.check_twice(self.devices.policy, new, again)
        told = pin_writes.write(self.devices, self.txn, KIND, self.info.card_number, EVENT,
                                lambda: self.card.unblock_pin(new))
        self.done = True
        return told

    def receipt(self):
        return receipts.pin_service_receipt(kiosk_id=self.devices.kiosk_id, txn=self.txn, when=now(),
                                            service="社保卡密码解锁", result="密码已解锁并设置新密码",
                                            name=self.info.name, id_number=self.info.ssn,
                                            card_number=self.info.card_number)


def recover(devices) -> list[tuple[str, str]]:
    return pin_writes.recover(devices, KIND)


def journey(devices, acting=None):
    """密码解锁: the holder's ID card and the blocked card → a new PIN twice → unblocked with it (pin_journey)."""
    flow = UnlockFlow(devices, acting or HOLDER)
    yield from pin_journey(flow, flow.unlock, _("密码已解锁"), _("密码锁定已解除，新密码已生效。"))
