"""Activate the social-security function (社保功能启用/激活, domain.md §2): replace the region's initial PIN
on a sealed card. Financial activation is the bank's, never this kiosk's (seeds/000, 004).

ID card + card → the card must be sealed at the service → the kiosk itself verifies the region's initial
PIN (the profile knows it, so the holder types only the new PIN, twice) → CHANGE PIN through ChangePinFlow's
machinery: the same rules (never the initial PIN: seeds/004), the same journal kind with activating=True,
the service told "changed" (sealed → normal) and change_pin.recover() after a crash.

Why the ID card, which a PIN change does not need: the initial PIN is published (seeds/000, 002, 004), so
knowing it proves nothing about who holds the card — whoever found a sealed card could otherwise set its
PIN. Henan and Sichuan ask for the card and the holder's ID for this (seeds/002, 003).

The kiosk's own VERIFY is sent once, and only when the card says it has at least SAFE_TRIES tries left,
so an automatic attempt is never the one that locks the holder's card. A card that will not tell its
counter (no 63Cx to an empty VERIFY) is tried once all the same: a sealed card has normally never seen a
PIN, and refusing would make activation impossible on such cards. Where the profile has no initial PIN
(Sichuan: not stated in the seeds) the kiosk does not offer activation and says so.
"""
from __future__ import annotations

from kiosk import receipts
from kiosk.errors import Refusal, Said
from kiosk.flows.base import Devices, now
from kiosk.flows.change_pin import ChangePinFlow
from kiosk.flows.holder_card import CANCELLED, LOST, HolderCardFlow, pin_journey, refuse_state
from kiosk.flows.representation import HOLDER, Acting, require_may_act
from kiosk.hw.cardreader.apdu import PinWrong
from kiosk.hw.idreader.idcard import IdCard
from kiosk.i18n import _
from kiosk.pin import PinBuffer
from kiosk.policy import PolicyProfile

SAFE_TRIES = 2


class ActivationNotOffered(Refusal):
    """This region's initial PIN is not configured, so the kiosk cannot verify it: activation is at a counter."""
    counter = True


class InitialPinNotAccepted(Refusal):
    """The card does not take the region's initial PIN (changed already, or tries nearly used up)."""


NOT_SEALED = {
    "normal": Said("此卡已启用，无需再次启用。如需修改密码，请选择“修改社保卡密码”",
                   "This card is already activated. To change its PIN, choose 'Change PIN'", "change_pin"),
    "pin_locked": Said("此卡密码已锁定，请选择“密码解锁”", "This card's PIN is locked; choose 'Unlock PIN'",
                       "unlock"),
    "temp_lost": LOST, "lost": LOST, "cancelled": CANCELLED,
}
OTHER_STATE = Said("此卡当前状态不能启用。请携带身份证和社保卡到社会保障卡服务窗口办理",
                   "This card cannot be activated as it stands. Go to a social security card counter with your "
                   "ID card and the card")


class ActivateFlow(HolderCardFlow):
    SERVICE = "activate"

    def __init__(self, devices: Devices, acting: Acting = HOLDER):
        super().__init__(devices, acting)
        self._changer: ChangePinFlow | None = None

    @staticmethod
    def offered(policy: PolicyProfile) -> bool:
        """Whether a screen should show the service at all in this region."""
        return bool(policy.initial_pin)

    def check_devices(self) -> None:
        if not self.offered(self.devices.policy):
            raise ActivationNotOffered(f"no initial PIN in profile {self.devices.policy.key}",
                                       zh="本机暂不能办理社保功能启用，请持身份证和社保卡到窗口办理",
                                       en="Activation is not available at this kiosk; please go to a counter "
                                          "with your ID card and the card")
        super().check_devices()

    def _initial(self) -> PinBuffer:
        return PinBuffer.typed(self.devices.policy.initial_pin)

    def check_card(self) -> None:
        state = self.record["state"]
        if state != "sealed":
            refuse_state(state, {state: NOT_SEALED.get(state, OTHER_STATE)})
        tries = self.card.pin_tries_left()
        if tries is not None and tries < SAFE_TRIES:
            raise InitialPinNotAccepted(f"{tries} tries left: not risking the lock",
                                        zh="此卡密码剩余尝试次数不足，为免锁定，请携带身份证和社保卡到社会保障卡服务窗口办理启用",
                                        en="Too few PIN tries are left on this card to risk one; please activate it "
                                           "at a counter")
        changer = ChangePinFlow(self.devices)
        changer.card, changer.info, changer.activating, changer.txn = self.card, self.info, True, self.txn
        changer.record = self.record          # an unknown earlier activation is settled by the VERIFY below
        initial = self._initial()
        try:
            changer.verify_old(initial)       # tells the service of a wrong PIN, as a holder's own try would
        except PinWrong as exc:
            raise InitialPinNotAccepted(f"card refused the initial PIN ({exc.vendor_code})",
                                        zh="此卡密码已不是初始密码。记得密码，请选择“修改社保卡密码”；"
                                           "忘记密码，请携带身份证和社保卡到社会保障卡服务窗口办理",
                                        en="This card's PIN is no longer the initial one. If you know it, choose "
                                           "'Change PIN'; if not, go to a social security card counter with your "
                                           "ID card and the card", offer="change_pin") from None
        finally:
            initial.clear()
        self._changer = changer

    def activate(self, new: PinBuffer, again: PinBuffer) -> bool:
        """Replace the initial PIN by ``new``. True when the service was told now; False when recovery will
        tell it (the card is activated either way). Raises PinRuleBroken or the card's error."""
        initial = self._initial()
        try:
            self._changer.change(initial, new, again)
        finally:
            initial.clear()
        self.done = True
        return "service_told" in self.devices.journal.steps(self.txn)

    def receipt(self):
        return receipts.pin_service_receipt(kiosk_id=self.devices.kiosk_id, txn=self.txn, when=now(),
                                            service="社保卡社保功能启用", result="社保功能已启用，新密码设置成功",
                                            name=self.info.name, id_number=self.info.ssn,
                                            card_number=self.info.card_number)

    def wipe(self) -> None:
        self._changer = None         # it shares this flow's card and info, which super() wipes
        super().wipe()


def journey(devices: Devices, acting: Acting = HOLDER, id_card: IdCard | None = None):
    """启用: the holder's ID card and the sealed card → a new PIN twice → the kiosk types the region's
    initial PIN itself and sets the new one (kiosk/flows/holder_card.py: pin_journey). ``id_card``: read
    already (立即启用 right after an issuance, kiosk/flows/new_card.py), so not asked for again."""
    flow = ActivateFlow(devices, acting)
    # the bank side is the bank's: until it is activated there, contributions and benefits through the card do
    # not work (seeds/002 "只有在办理金融账户激活手续后…"; 004: agents may do all "except bank account activation")
    yield from pin_journey(flow, flow.activate, _("社保功能已启用"),
                           _("社保功能已可以使用。银行账户（金融功能）须持身份证到合作银行网点激活后，方可用于缴费和领取待遇。"),
                           id_card=id_card)


def may_continue_to(devices: Devices, acting: Acting, id_card: IdCard) -> bool:
    """Whether a journey that just read ``id_card`` may offer 立即启用: the region's initial PIN is known and
    whoever acts may activate this holder's card."""
    if not ActivateFlow.offered(devices.policy):
        return False
    try:
        require_may_act(devices.policy, acting, ActivateFlow.SERVICE, id_card)
    except Refusal:
        return False
    return True
