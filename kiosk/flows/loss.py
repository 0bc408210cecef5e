"""Report a loss (挂失) and release it (解挂): the rules are the service's (domain.md §6-7, by region),
the kiosk proves who is asking.

- A report needs the holder's ID card; a temporary report lapses by itself after the region's period
  (and is not offered where the region has none); a formal one leads to replacement.
- A release needs the ID card and the card itself, and the card must be the holder's own and their
  current one (kiosk.flows.identity).
"""
from __future__ import annotations

import threading

from kiosk import cardstates, masking, receipts
from kiosk.errors import Refusal
from kiosk.flows import face_check, identity, representation, service_writes
from kiosk.flows.base import Devices, now
from kiosk.flows.identity import NotCurrentCard, NotTheHolder  # noqa: F401  (re-exported for callers)
from kiosk.flows.representation import HOLDER, Acting
from kiosk.flows.steps import DONE, Choose, InsertCard, Message, Option, PlaceIdCard, Work, finish
from kiosk.hw.idreader.idcard import IdCard
from kiosk.i18n import _, both, join
from kiosk.journal import new_txn_id

REPORT_NEEDS = ("idreader", "service")
RELEASE_NEEDS = ("idreader", "cardreader", "service")


# What a loss report here does not do: the card is also a bank debit card with its own account, reported
# separately at the bank (seeds/001 "分别到社保卡服务机构和社保卡服务银行网点，办理社会保障应用和银行账户应用的
# 正式挂失"; in Xi'an the 书面挂失 is at the issuing bank, seeds/000), and a loss from not reporting in time is
# the holder's (000). Said on the screen and the receipt, never left for the citizen to guess.
BANK_NOT_STOPPED_ZH = "注意：本机只挂失社保功能，银行账户仍可使用。请立即拨打发卡银行客服电话或持身份证到银行网点挂失银行账户，以免资金损失。"
BANK_NOT_STOPPED = both(BANK_NOT_STOPPED_ZH,
                        "Note: this kiosk stops the social security function only; the bank account still works. "
                        "Report the card lost to the issuing bank at once, by its hotline or at a branch with your "
                        "ID card, so no money is lost.")


CONFIRM = "confirm"


class NothingToReport(Refusal):
    pass


class LossReportFlow:
    SERVICE = "loss"

    def __init__(self, devices: Devices, acting: Acting = HOLDER):
        self.devices = devices
        self.acting = acting          # a guardian or an agent may report for the holder (domain.md "Who may act")
        self.id_card: IdCard | None = None
        self.card: dict | None = None
        self.result: dict | None = None
        self.txn = new_txn_id(devices.kiosk_id)

    def check_devices(self) -> None:
        self.devices.require(*REPORT_NEEDS)

    def kinds(self) -> list[str]:
        """What the region offers: temporary only where a lapse period is set."""
        return (["temporary"] if self.devices.policy.temp_loss_lapse_days else []) + ["formal"]

    def wait_for_id_card(self, timeout: float, cancelled: threading.Event) -> IdCard | None:
        self.id_card = self.devices.idreader.wait_for_card(timeout, cancelled)
        if self.id_card is None:
            return None
        representation.require_may_act(self.devices.policy, self.acting, self.SERVICE, self.id_card)
        status = self.devices.service.card_status(self.id_card.id_number)
        if status["card"] is None or status["card"]["state"] in ("cancelled",):
            raise NothingToReport("no active card", zh="未查询到您名下可挂失的社保卡。如有疑问，请拨打12333，"
                                                       "或携带身份证到社会保障卡服务窗口咨询",
                                  en="You have no card that can be reported lost. If that seems wrong, call 12333 "
                                     "or ask at a social security card counter with your ID card")
        self.card = status["card"]
        return self.id_card

    def report(self, kind: str) -> dict:
        # journalled before it is sent, settled at the next start if its answer is lost (service_writes)
        self.result = service_writes.send(self.devices, f"{self.txn}-{kind}", "loss_report",
                                          card_number=self.card["card_number"], kind=kind, id_verified=True,
                                          **self.acting.apply_fields())
        return self.result

    def receipt(self):
        kind = "临时挂失" if self.result["state"] == "temp_lost" else "正式挂失"
        until = self.result.get("lapses_at")
        advice = (f"临时挂失将于{until[:10]}自动解除；如确已丢失，请办理正式挂失并补卡。" if until
                  else "原卡社保功能已停用，请尽快办理补卡。") + "\n" + BANK_NOT_STOPPED_ZH
        return receipts.status_receipt(kiosk_id=self.devices.kiosk_id, txn=self.txn, when=now(),
                                       name=self.id_card.name, id_number=self.id_card.id_number,
                                       card_number=self.card["card_number"], state_label=kind, advice=advice)

    def wipe(self) -> None:
        if self.id_card:
            self.id_card.wipe()
        self.id_card = self.card = self.result = None


class ReleaseFlow:
    SERVICE = "release"

    def __init__(self, devices: Devices, acting: Acting = HOLDER):
        self.devices = devices
        self.acting = acting          # an agent with both ID cards (seeds/002), or a minor's guardian
        self.id_card: IdCard | None = None
        self.card_number: str | None = None
        self.state: str | None = None          # the card's state after the release: the one before the report
        self.txn = new_txn_id(devices.kiosk_id)

    def check_devices(self) -> None:
        self.devices.require(*RELEASE_NEEDS)

    def wait_for_id_card(self, timeout: float, cancelled: threading.Event) -> IdCard | None:
        """The holder's ID card (after the actor's own, when someone acts for the holder)."""
        self.id_card = representation.read_holder_id_card(self.devices, self.acting, self.SERVICE, timeout,
                                                          cancelled)
        return self.id_card

    def wait_for_card(self, timeout: float, cancelled: threading.Event) -> str | None:
        """Read the found card and check it is this holder's current card."""
        found = identity.read_holders_card(self.devices, self.id_card, timeout, cancelled)
        if found is None:
            return None
        found.card.connection.disconnect()      # a release needs only the card number
        self.card_number = found.info.card_number
        found.info.wipe()
        return self.card_number

    def release(self) -> dict:
        answer = service_writes.send(self.devices, f"{self.txn}-release", "release", card_number=self.card_number,
                                     id_verified=True, **self.acting.apply_fields())
        self.state = answer["state"]
        return answer

    def receipt(self):
        # the service returns the card to its state before the report: a sealed card is still to be activated,
        # a locked one still to be unlocked (domain.md §6), and the receipt says so
        text = cardstates.describe(self.state, None)
        advice = "社保卡已恢复正常使用，请妥善保管。" if self.state == "normal" else text.advice_zh
        return receipts.status_receipt(kiosk_id=self.devices.kiosk_id, txn=self.txn, when=now(),
                                       name=self.id_card.name, id_number=self.id_card.id_number,
                                       card_number=self.card_number, state_label=f"已解除挂失（{text.label_zh}）",
                                       advice=advice)

    def wipe(self) -> None:
        if self.id_card:
            self.id_card.wipe()
        self.id_card = self.card_number = self.state = None
        self.acting = HOLDER


def report_journey(devices: Devices, acting: Acting = HOLDER):
    """挂失: the holder's ID card → temporary (where the region offers it) or formal → reported → receipt."""
    flow = LossReportFlow(devices, acting)
    try:
        yield Work(_("正在检查设备"), flow.check_devices)
        if (yield PlaceIdCard(representation.holder_id_title(acting),
                              _("挂失须核验本人身份证") if acting is HOLDER else _("代办挂失，须放置持卡人（被代办人）的身份证"),
                              flow.wait_for_id_card)) is None:
            return
        options = []
        if "temporary" in flow.kinds():
            options.append(Option("temporary", _("临时挂失（{days}天后自动解除）", days=devices.policy.temp_loss_lapse_days)))
        options.append(Option("formal", _("正式挂失（原卡停用，需补卡）")))
        body = _("暂时找不到卡片可选临时挂失；确已丢失请选正式挂失。") if len(options) > 1 else \
            _("正式挂失后原卡不能再使用，需办理补卡。")
        kind = yield Choose(_("请选择挂失方式"), body, options)
        if kind == "formal":   # it stops the card until a release or a replacement: said, with which card, first
            if (yield Message(_("确认正式挂失"),
                              _("将正式挂失卡号为 {number} 的社保卡。挂失后原卡社保功能停用，需办理补卡；补卡前找回原卡，"
                                "可持身份证和社保卡解除挂失。", number=masking.card_number(flow.card["card_number"])),
                              tone="warn", primary=(CONFIRM, _("确认挂失")),
                              secondary=(DONE, _("返回首页")))) != CONFIRM:
                return
            # a formal report stops the card for good: the person asking is checked first (a temporary one
            # is not: it must stay quick, and it can only protect the holder)
            yield from face_check.verify_holder(devices, acting, flow.id_card, "loss_formal")
        result = yield Work(_("正在办理挂失"), lambda: flow.report(kind))
        if result["state"] == "temp_lost":
            body = _("已临时挂失，将于{date}自动解除。找到卡片后可持身份证和社保卡解除挂失。", date=result["lapses_at"][:10])
        else:
            body = _("社保功能已正式挂失，原卡社保功能已停用，可选择“补卡换卡”补办新卡。")
        yield from finish(devices, _("挂失成功"), join(body, "\n", BANK_NOT_STOPPED), tone="warn",
                          receipt=flow.receipt)
    finally:
        flow.wipe()


def release_journey(devices: Devices, acting: Acting = HOLDER):
    """解除挂失: the holder's ID card → the found card (the holder's current one) → released → receipt."""
    flow = ReleaseFlow(devices, acting)
    try:
        yield Work(_("正在检查设备"), flow.check_devices)
        if (yield PlaceIdCard(representation.holder_id_title(acting),
                              _("解除挂失须本人身份证和社保卡") if acting is HOLDER else
                              _("代办解除挂失，须放置持卡人（被代办人）的身份证，再插入其社保卡"),
                              flow.wait_for_id_card)) is None:
            return
        yield from face_check.verify_holder(devices, acting, flow.id_card, "release")
        if (yield InsertCard(_("请插入找回的社保卡"), _("芯片朝上，插入下方社保卡插口"), flow.wait_for_card)) is None:
            return
        answer = yield Work(_("正在解除挂失"), flow.release)
        if answer["state"] == "sealed":
            body = _("挂失已解除，此卡仍未启用社保功能：请持身份证和社保卡办理启用。请取走社保卡和身份证。")
        elif answer["state"] == "pin_locked":
            body = _("挂失已解除，此卡密码仍处于锁定状态：请持身份证和社保卡办理密码解锁。请取走社保卡和身份证。")
        else:
            body = _("您的社保卡已恢复正常使用。请取走社保卡和身份证。")
        yield from finish(devices, _("已解除挂失"), body, receipt=flow.receipt, take=_("凭条、社保卡和身份证"))
    finally:
        flow.wipe()
