"""Apply for a new card and take it away (申领社保卡, 即时制卡): the applicant's ID card → eligibility at the
service (one card per province, insured, photo…: the service decides and refuses in words) → confirm →
the card made in the module with its steps on screen (kiosk/flows/issuance.py) → taken from the gate.
A guardian or an agent may apply for the holder (the service records who acted)."""
from __future__ import annotations

from kiosk import masking
from kiosk.errors import Refusal
from kiosk.flows import activate, face_check, issuance, representation
from kiosk.flows.base import Devices
from kiosk.flows.photo_step import approve_photo, photo_needed
from kiosk.flows.representation import HOLDER, Acting
from kiosk.flows.steps import DONE, RECEIPT, Choose, Heading, Message, Option, PlaceIdCard, Work, finish
from kiosk.hw.idreader.idcard import IdCard
from kiosk.i18n import _

SERVICE = "issue"


class NewCardFeeAtCounter(Refusal):
    """The service set a fee on a new card: this journey has no payment step, so the counter takes it."""
    counter = True
NEEDS = ("idreader", *issuance.NEEDS)      # the applicant's ID card, then the issuance itself
START = "start"
ACTIVATE_NOW = "activate_now"


def activation_title():
    """The activation tile's name, for the title bar once 立即启用 goes on (registry imports this module)."""
    from kiosk.flows import registry
    return registry.service("activate").title


def done_offering_activation(devices: Devices, card_number: str, receipt):
    """The new card is in the citizen's hand and still sealed: 立即启用 goes on to set its PIN with the ID card
    already read (no second placing), beside 打印凭条 and 完成. Answers the last button pressed."""
    answer = yield Choose(_("制卡完成"),
                          _("请妥善保管您的社保卡（卡号 {number}）。\n新卡须设置密码后才能使用：点击“立即启用”，"
                            "把新卡插入社保卡插口，设置6位密码。", number=card_number),
                          [Option(ACTIVATE_NOW, _("立即启用")), Option(RECEIPT, _("打印凭条")),
                           Option(DONE, _("完成，以后再启用"))])
    if answer == RECEIPT:
        def work():
            devices.require("printer")
            devices.printer.print_receipt(receipt())
        yield Work(_("正在打印凭条"), work)
        answer = yield Message(_("凭条已打印"), _("请取走{what}，谢谢。", what=_("凭条和身份证")), tone="good",
                               primary=(DONE, _("完成")), secondary=(ACTIVATE_NOW, _("立即启用")))
    return answer


def apply(devices: Devices, acting: Acting, id_card: IdCard) -> dict:
    """The application this card will be made on: one already accepted (paid, or a voided card retried) is
    used again; otherwise a new one, which the service refuses in words when a rule says no."""
    representation.require_may_act(devices.policy, acting, SERVICE, id_card)
    pending = devices.service.card_status(id_card.id_number)["application"]
    if pending and pending["kind"] == "new" and pending["state"] == "accepted":
        return devices.service.application(pending["id"])
    return devices.service.apply(id_card.id_number, "new", photo=photo_needed(devices, id_card),
                                 name_on_id=id_card.name, **acting.apply_fields())


def journey(devices: Devices, acting: Acting = HOLDER):
    id_card = None
    try:
        yield Work(_("正在检查设备"), lambda: devices.require(*NEEDS))
        # who may apply (a minor needs a guardian…) is said as the card is read, before the face check
        id_card = yield PlaceIdCard(
            representation.holder_id_title(acting),
            _("申领新卡需核验本人身份证") if acting is HOLDER else _("为他人申领，须放置持卡人（被代办人）的身份证"),
            lambda timeout, cancelled: representation.read_holder_id_card(devices, acting, SERVICE, timeout,
                                                                          cancelled))
        if id_card is None:
            return
        yield from face_check.verify_holder(devices, acting, id_card, SERVICE)
        application = yield Work(_("正在核验申领条件"), lambda: apply(devices, acting, id_card))
        # no seed states a first card's fee (seeds/000's 20 yuan is for 补换卡): the words repeat the fee the
        # service set on this application (policy.NEW_CARD_FEE_DECISION) instead of claiming "free"
        if application["fee_fen"]:
            raise NewCardFeeAtCounter(f"new-card fee {application['fee_fen']} fen set by the service",
                                      zh="本地区申领新卡须缴纳工本费，本机暂不能收取，请携带身份证到社保卡服务窗口办理",
                                      en="A new card costs a fee in this region, which this kiosk cannot take yet; "
                                         "please go to a social security card counter with your ID card")
        answer = yield Message(_("确认申领社保卡"), _("{name}，您符合申领条件，本次申领无需缴费。\n点击“开始制卡”，约一分钟后在右侧出卡口取卡。",
                                                  name=masking.name(id_card.name)), tone="info",
                               primary=(START, _("开始制卡")), secondary=(DONE, _("返回首页")))
        if answer != START:
            return
        # the citizen sees the photo the card will carry, and may have it taken again, before anything is made
        photo = None
        if photo_needed(devices, id_card):        # not for a child under 7 (seeds/003), nor without a camera
            photo = yield from approve_photo(devices, id_card.name, id_card.id_number)
        flow = issuance.IssuanceFlow(devices, application["id"], id_card.name, id_card.id_number, photo=photo)
        outcome = yield issuance.make_card(flow)
        if not outcome.taken:
            yield issuance.not_taken()
            return
        receipt = lambda: flow.receipt(outcome.card_number)     # noqa: E731
        shown = masking.card_number(outcome.card_number)     # masked on screen like every number (DESIGN 6)
        if not activate.may_continue_to(devices, acting, id_card):
            body = (_("请妥善保管您的社保卡（卡号 {number}）。\n新卡尚未启用，请选择“启用社保卡”设置您的密码。",
                      number=shown) if devices.policy.initial_pin else
                    _("请妥善保管您的社保卡（卡号 {number}）。", number=shown))
            yield from finish(devices, _("制卡完成"), body, receipt=receipt, take=_("凭条和身份证"))
            return
        if (yield from done_offering_activation(devices, shown, receipt)) == ACTIVATE_NOW:
            yield Heading(activation_title())
            yield from activate.journey(devices, acting, id_card=id_card)
    finally:
        if id_card:
            id_card.wipe()
