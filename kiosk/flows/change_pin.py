"""Change PIN (社保卡密码修改), which on a sealed card is also activation (domain.md §2-3).

Insert card → read EF05/EF06 → the service's record must allow it → old PIN (VERIFY; 63Cx shows tries
left, 6983 says blocked) → new PIN twice, checked against the rules → confirmed on a screen naming the card
(masked; not confirmed, nothing is written) → CHANGE PIN, journalled before it is sent → the service is
told (idempotently; retried at next start if it was down) → receipt.
PIN digits live only in PinBuffers owned by the screen and are cleared by it; nothing here keeps them.
"""
from __future__ import annotations

import logging
import threading

from kiosk import masking, receipts
from kiosk.backend.client import ServiceError, ServiceRefused
from kiosk.errors import Refusal
from kiosk.flows.base import Devices, now
from kiosk.flows.holder_card import CANCELLED, LOST, sealed_texts
from kiosk.flows import pin_recovery, pin_rules, pin_settlement, pin_steps
from kiosk.flows.pin_rules import PinRuleBroken, rule_error  # noqa: F401  (re-exported)
from kiosk.flows.steps import DONE, EnterDigits, InsertCard, Message, Work, finish
from kiosk.hw.base import DeviceError
from kiosk.hw.cardreader.apdu import PinBlocked, PinWrong
from kiosk.hw.cardreader.ssse import CardInfo, SocialSecurityCard
from kiosk.i18n import _, join, of_error
from kiosk.journal import Journal, new_txn_id
from kiosk.pin import PinBuffer

log = logging.getLogger(__name__)
NEEDS = ("cardreader", "service")
KIND = "change_pin"
STEPS = pin_recovery.Steps("card_change_sent", "card_changed", "service_told")


class CardNotUsable(Refusal):
    pass


REFUSED_STATES = {"temp_lost": LOST, "lost": LOST, "cancelled": CANCELLED}
# "pin_locked" is not refused here: the card is the authority on its own try counter (a PIN unlocked at a
# counter may not have reached the service yet), so VERIFY decides and a blocked card answers 6983.


def _activation_unsettled(record: dict) -> bool:
    """An activation cut off mid-command left the card's outcome unknown (pin_settlement): the holder who
    knows their new PIN settles it here with a VERIFY — the card is then activated already."""
    mark = pin_settlement.unknown(record)
    return bool(mark) and mark.get("operation") == "changed"


class ChangePinFlow:
    def __init__(self, devices: Devices):
        self.devices = devices
        self.card: SocialSecurityCard | None = None
        self.info: CardInfo | None = None
        self.record: dict | None = None        # the service's record of the card
        self.activating = False
        self.txn = new_txn_id(devices.kiosk_id)
        self.done = False

    def check_devices(self) -> None:
        self.devices.require(*NEEDS)

    def wait_for_card(self, timeout: float, cancelled: threading.Event) -> CardInfo | None:
        connection = self.devices.cardreader.wait_for_card(timeout, cancelled)
        if connection is None:
            return None
        self.card = SocialSecurityCard(connection, self.devices.security)
        info = self.card.read_info()
        record = self.devices.service.card(info.card_number)
        if record["state"] in REFUSED_STATES:
            said = REFUSED_STATES[record["state"]]
            raise CardNotUsable(f"card state {record['state']}", zh=said.zh, en=said.en, offer=said.offer)
        if record["state"] == "sealed" and not _activation_unsettled(record):
            self._refuse_sealed()
        self.info, self.record = info, record
        return info

    def _refuse_sealed(self) -> None:
        """A sealed card is activated with the ID card too (seeds/002 "持本人社会保障卡、有效身份证件…修改社保账户
        初始密码"; 003 "须持本人社会保障卡和身份证等有效身份证件…办理"): the initial PIN is published, so
        knowing it proves nothing. Not here, where only the card is asked for."""
        said = sealed_texts(self.devices.policy.initial_pin)
        raise CardNotUsable("sealed card: activation needs the ID card", zh=said.zh, en=said.en, offer=said.offer)

    def _tell_service(self, event: str, tries_left: int | None = None) -> None:
        """Best effort for failures: the card itself is the authority on its try counter."""
        try:
            self.devices.service.pin_event(self.info.card_number, event, tries_left)
        except (ServiceRefused, ServiceError) as exc:
            log.warning("could not report %s to the service: %s", event, exc.detail)

    def verify_old(self, old: PinBuffer) -> None:
        if not old.complete:
            raise rule_error("incomplete")
        try:
            self.card.verify_pin(old)
        except PinWrong as exc:
            self._tell_service("wrong_pin", exc.tries_left)
            raise
        except PinBlocked:
            self._tell_service("blocked")
            raise
        # the card took the PIN: that settles a PIN command whose outcome the service does not know
        initial = self.devices.policy.initial_pin
        settled = pin_settlement.after_verify(self.devices, self.record, self.txn,
                                              typed_initial=bool(initial) and old.equals_text(initial))
        if settled == "changed":
            self.activating = False          # activated by the earlier, interrupted visit
        elif self.record["state"] == "sealed" and not self.activating:
            # the interrupted activation had not taken (the initial PIN still works): activating it now
            # would be activation without the ID card
            self._refuse_sealed()

    def check_new(self, old: PinBuffer, new: PinBuffer) -> None:
        pin_rules.check_new(self.devices.policy, new, old)

    def change(self, old: PinBuffer, new: PinBuffer, again: PinBuffer) -> None:
        pin_rules.check_twice(self.devices.policy, new, again, old)
        journal: Journal = self.devices.journal
        journal.begin(self.txn, KIND, card_number=self.info.card_number, activating=self.activating)
        journal.step(self.txn, STEPS.sent)
        try:
            self.card.change_pin(old, new)
        except DeviceError as exc:
            journal.step(self.txn, "card_refused", reason=exc.vendor_code or type(exc).__name__)
            journal.finish(self.txn, "failed")
            raise
        journal.step(self.txn, STEPS.done)
        self.done = True
        try:
            self.devices.service.pin_event(self.info.card_number, "changed", idempotency_key=self.txn)
        except (ServiceRefused, ServiceError) as exc:
            # The card has the new PIN; the service learns it at the next start (recover(), which closes a
            # definite refusal with a staff notice).
            log.warning("PIN changed on card; service not told yet (%s); left for recovery", exc.detail)
            return
        journal.step(self.txn, STEPS.told)
        journal.finish(self.txn, "done")

    def confirmation(self) -> Message:
        """The last screen before the card is written: which card (masked) and what changing it means."""
        return Message(_("确认修改密码"),
                       _("将修改社保卡（卡号 {number}）的密码。\n修改后原密码不能再使用，请牢记新密码。",
                         number=masking.card_number(self.info.card_number)),
                       tone="warn", primary=(pin_steps.CONFIRM, _("确认修改")), secondary=(DONE, _("取消")))

    def receipt(self):
        return receipts.change_pin_receipt(kiosk_id=self.devices.kiosk_id, txn=self.txn, when=now(),
                                           name=self.info.name, id_number=self.info.ssn,
                                           card_number=self.info.card_number, activated=self.activating)


    def wipe(self) -> None:
        if self.info:
            self.info.wipe()
        if self.card:
            self.card.connection.disconnect()
        self.card = self.info = self.record = None


def recover(devices: Devices) -> list[tuple[str, str]]:
    """Reconcile PIN changes a crash or power cut interrupted (kiosk/flows/pin_recovery.py). Returns (txn,
    outcome) pairs."""
    return pin_recovery.recover(devices, KIND, STEPS, lambda _context: "changed")


def journey(devices: Devices, acting=None):
    """The citizen's journey: the card → its PIN (asked again when wrong; a blocked card is sent to unlock)
    → a new PIN twice → changed on the card, the service told → a receipt if asked. Only the holder, who
    knows the PIN, does this (kiosk/flows/registry.py)."""
    flow = ChangePinFlow(devices)
    old, new, again = PinBuffer(), PinBuffer(), PinBuffer()
    try:
        yield Work(_("正在检查设备"), flow.check_devices)
        if (yield InsertCard(_("请插入社保卡"), _("芯片朝上，插入下方社保卡插口"), flow.wait_for_card)) is None:
            return
        hint = _("请输入社保卡当前的6位密码，注意遮挡")
        error = ""
        while True:
            old.clear()
            yield EnterDigits("pin_old", _("请输入原密码"), hint, old, error)
            try:
                yield Work(_("正在验证密码"), lambda: flow.verify_old(old))
                break
            except PinWrong as exc:          # tries left, in words; the holder tries again
                error = of_error(exc)
            except PinBlocked:        # the card's own words name the remedy too: said once, by the tile's name
                yield Message(_("密码已锁定"), _("社保卡密码已锁定。请持本人身份证和社保卡，在本机选择“密码解锁”设置新密码。"),
                              tone="bad")
                return
        confirm = pin_steps.Confirmation(lambda: pin_rules.check_twice(devices.policy, new, again, old),
                                         flow.confirmation())
        if (yield from pin_steps.new_pin_twice(new, again, lambda: flow.check_new(old, new),
                                               lambda: flow.change(old, new, again), confirm)) is pin_steps.DECLINED:
            pin_steps.clear(old, new, again)
            yield Message(_("密码未修改"), _("您没有确认，社保卡密码没有改变，原密码仍然有效。请取走社保卡。"))
            return
        pin_steps.clear(old, new, again)
        yield from finish(devices, _("密码修改成功"), _("请牢记新密码，并取走社保卡。"), receipt=flow.receipt,
                          take=_("凭条和社保卡"))
    finally:
        pin_steps.clear(old, new, again)
        flow.wipe()
