"""Reset a forgotten PIN (密码重置, domain.md §4, seeds/002, 003): the holder's ID card and card → a new PIN
twice, under the same rules as a change (kiosk.flows.pin_rules) → RELOAD PIN (its MAC from the security
module), journalled before it is sent → the service is told "reloaded" → receipt.

A card whose PIN is locked: Sichuan's one procedure covers "a forgotten PIN or a locked card" (seeds/003), so
where the profile says reset_clears_pin_lock the reset sends UNBLOCK PIN — the command made for a locked
PIN — and tells the service "unblocked". Elsewhere (Henan: two procedures, seeds/002) the holder is sent to
the unlock service: RELOAD on a locked PIN is not confirmed to clear the lock on every card.
"""
from __future__ import annotations

from kiosk import receipts
from kiosk.errors import Refusal
from kiosk.flows import pin_rules, pin_writes
from kiosk.flows.base import Devices, now
from kiosk.flows.holder_card import CANCELLED, LOST, HolderCardFlow, pin_journey, refuse_state, sealed_texts
from kiosk.flows.representation import HOLDER, Acting
from kiosk.flows.unlock import is_blocked
from kiosk.i18n import _
from kiosk.pin import PinBuffer

KIND = "reset_pin"


class UseUnlockInstead(Refusal):
    """The card's PIN is locked and this region clears a lock with the unlock service."""
    offer = "unlock"


class ResetPinFlow(HolderCardFlow):
    SERVICE = "reset_pin"

    def __init__(self, devices: Devices, acting: Acting = HOLDER):
        super().__init__(devices, acting)
        self.unlocking = False        # the card is locked and this region's reset clears it (UNBLOCK)

    def check_card(self) -> None:
        # a sealed card is activated first: a reset would leave the service waiting for the initial PIN
        refuse_state(self.record["state"], {"temp_lost": LOST, "lost": LOST, "cancelled": CANCELLED,
                                            "sealed": sealed_texts(self.devices.policy.initial_pin)})
        self.unlocking = is_blocked(self.card.pin_tries_left(), self.record["state"])
        if self.unlocking and not self.devices.policy.reset_clears_pin_lock:
            raise UseUnlockInstead("PIN blocked; region resets only unblocked PINs",
                                   zh="您的社保卡密码已锁定，请选择“密码解锁”办理",
                                   en="Your PIN is locked; please choose 'Unlock PIN'", offer="unlock")

    def reset(self, new: PinBuffer, again: PinBuffer) -> bool:
        """Set ``new``. True when the service was told now; False when it is left for recover() (the card
        has the new PIN either way). Raises PinRuleBroken or the card's error."""
        pin_rules.check_twice(self.devices.policy, new, again)
        if self.unlocking:
            event, command = "unblocked", (lambda: self.card.unblock_pin(new))
        else:
            event, command = "reloaded", (lambda: self.card.reload_pin(new))
        told = pin_writes.write(self.devices, self.txn, KIND, self.info.card_number, event, command)
        self.done = True
        return told

    def receipt(self):
        result = "密码已重置并解除锁定" if self.unlocking else "密码已重置"
        return receipts.pin_service_receipt(kiosk_id=self.devices.kiosk_id, txn=self.txn, when=now(),
                                            service="社保卡密码重置", result=result, name=self.info.name,
                                            id_number=self.info.ssn, card_number=self.info.card_number)


def recover(devices) -> list[tuple[str, str]]:
    return pin_writes.recover(devices, KIND)


def journey(devices: Devices, acting: Acting = HOLDER):
    """忘记密码: the holder's ID card and the card → a new PIN twice → reset on the card (pin_journey)."""
    flow = ResetPinFlow(devices, acting)
    yield from pin_journey(flow, flow.reset, _("密码已重置"), _("新密码已生效。"))
