"""Sign up for the electronic social security card (电子社保卡): ID card → the service's word on the e-card
(card-status "ecard", from the physical card's state: seeds/001, 004) → a QR code to scan with a phone, or a
refusal in words:
- usable (card normal) → the sign-up QR code;
- holder_authorisation_required (card reported lost; sealed or PIN-locked, the project's decision in
  kiosk/backend/card_states.py ECARD) → the e-card works only with the holder's own authorisation, given in
  the e-card channels — the kiosk says how, and what puts the physical card right (a release, the
  activation, an unlock);
- unavailable (no physical card, or cancelled) → an e-card needs a physical card that is not cancelled.

The QR payload (a project decision; the national platform's own format is not in the seeds) is
``sbkecard://signup?v=1&region=<6-digit code>&kiosk=<kiosk id>&txn=<transaction>``. It carries no personal
data on purpose: a QR code on a screen can be photographed by anyone behind the holder, and the e-card app
identifies the holder itself (real-name check, face). ``txn`` lets the province count sign-ups per kiosk.
A province replaces it by passing its own ``payload`` function (region, kiosk, txn → text).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlencode

from kiosk import receipts
from kiosk.errors import Refusal, Said
from kiosk.flows import representation
from kiosk.flows.base import Devices, now
from kiosk.flows.representation import HOLDER, Acting
from kiosk.flows.steps import RECEIPT, PlaceIdCard, ShowQr, Work, print_receipt
from kiosk.hw.idreader.idcard import IdCard
from kiosk.i18n import _
from kiosk.journal import new_txn_id

NEEDS = ("idreader", "service")
SIGNUP_BASE = "sbkecard://signup"


def signup_payload(region_code: str, kiosk_id: str, txn: str) -> str:
    return f"{SIGNUP_BASE}?{urlencode({'v': 1, 'region': region_code, 'kiosk': kiosk_id, 'txn': txn})}"


class EcardRefused(Refusal):
    """The e-card cannot be signed up for here; the texts say why and what the holder can do."""


class EcardNeedsAuthorisation(EcardRefused):
    pass


class EcardUnavailable(EcardRefused):
    pass


@dataclass(frozen=True)
class EcardOffer:
    payload: str            # what the screen shows as a QR code
    card_state: str


class EcardFlow:
    SERVICE = "ecard"

    def __init__(self, devices: Devices, acting: Acting = HOLDER,
                 payload: Callable[[str, str, str], str] = signup_payload):
        self.devices = devices
        self.acting = acting
        self.payload = payload
        self.id_card: IdCard | None = None
        self.offer: EcardOffer | None = None
        self.txn = new_txn_id(devices.kiosk_id)

    def check_devices(self) -> None:
        self.devices.require(*NEEDS)

    def wait_for_id_card(self, timeout: float, cancelled: threading.Event) -> IdCard | None:
        self.id_card = representation.read_holder_id_card(self.devices, self.acting, self.SERVICE, timeout, cancelled)
        return self.id_card

    def sign_up(self) -> EcardOffer:
        """The QR payload, or EcardNeedsAuthorisation / EcardUnavailable."""
        status = self.devices.service.card_status(self.id_card.id_number)
        use, card = status.get("ecard"), status["card"]
        if use == "holder_authorisation_required":
            said = self._authorisation_words(card["state"] if card else None)
            raise EcardNeedsAuthorisation("e-card needs the holder's authorisation", zh=said.zh, en=said.en,
                                          offer=said.offer)
        if use != "usable":
            if card is not None and card["state"] == "cancelled":
                raise EcardUnavailable("card cancelled", zh="您的社保卡已注销，电子社保卡不能使用。如需用卡，请持身份证到社保服务窗口咨询",
                                       en="Your card is cancelled, so the e-card cannot be used. To get a card "
                                          "again, ask at a social security counter with your ID card")
            raise EcardUnavailable("no physical card", zh="电子社保卡须在领取实体社保卡后申领，您尚未领取本省社保卡。请先在本机选择“申领社保卡”",
                                   en="An e-card needs a physical card first, and you have no card from this "
                                      "province yet. First choose 'Apply for a card' on this kiosk", offer="issue")
        self.offer = EcardOffer(self.payload(self.devices.policy.region_code, self.devices.kiosk_id, self.txn),
                                card["state"])
        return self.offer

    def _authorisation_words(self, card_state: str | None) -> Said:
        """Why the e-card needs the holder's authorisation, and what puts the physical card right."""
        how_zh = "电子社保卡须经本人授权后方可使用：请在电子社保卡渠道（如国家政务服务平台、掌上12333）按提示授权。"
        how_en = ("the e-card works only with your own authorisation, given in the e-card app (e.g. the national "
                  "government service platform or 12333).")
        if card_state == "sealed":
            here = self.devices.policy.initial_pin is not None      # activation is offered at this kiosk
            if here:
                return Said(f"您的社保卡尚未启用，{how_zh}启用实体卡须持本人身份证和社保卡（本机“启用社保卡”或社会保障卡服务窗口）",
                            f"Your card is not activated yet, so {how_en} To activate the card, bring your ID card "
                            "and the card (here: 'Activate your card', or at a counter)", "activate")
            return Said(f"您的社保卡尚未启用，{how_zh}启用实体卡须携带本人身份证和社保卡到社会保障卡服务窗口办理",
                        f"Your card is not activated yet, so {how_en} To activate the card, take your ID card and "
                        "the card to a social security card counter")
        if card_state == "pin_locked":
            return Said(f"您的社保卡密码已锁定，{how_zh}解除锁定须持本人身份证和社保卡（本机“密码解锁”或社会保障卡服务窗口）",
                        f"Your card's PIN is locked, so {how_en} To unlock it, bring your ID card and the card "
                        "(here: 'Unlock PIN', or at a counter)", "unlock")
        return Said(f"您的实体社保卡已挂失，{how_zh}卡片已找回的，请先在本机“解除挂失”",
                    f"Your card is reported lost, so {how_en} If you have found the card, first choose 'Cancel a "
                    "loss report' here", "release")

    def receipt(self):
        return receipts.ecard_receipt(kiosk_id=self.devices.kiosk_id, txn=self.txn, when=now(),
                                      name=self.id_card.name, id_number=self.id_card.id_number)

    def wipe(self) -> None:
        if self.id_card:
            self.id_card.wipe()
        self.id_card = self.offer = None
        self.acting = HOLDER


def journey(devices: Devices, acting: Acting = HOLDER):
    """电子社保卡: the holder's ID card → whether the e-card may be signed up for → the sign-up QR code."""
    flow = EcardFlow(devices, acting)
    try:
        yield Work(_("正在检查设备"), flow.check_devices)
        if (yield PlaceIdCard(_("请将身份证放在读卡区"), _("申领电子社保卡须核验本人身份证"), flow.wait_for_id_card)) is None:
            return
        offer = yield Work(_("正在查询"), flow.sign_up)
        if (yield ShowQr(_("扫码申领电子社保卡"), _("请用手机微信、支付宝或掌上12333扫描右侧二维码，按提示完成实名认证。"),
                         _("电子社保卡与实体社保卡同等有效，可用于就医购药、查询社保。"), offer.payload,
                         extra=(RECEIPT, _("打印凭条")))) == RECEIPT:
            yield from print_receipt(devices, flow.receipt, _("凭条和身份证"))
    finally:
        flow.wipe()
