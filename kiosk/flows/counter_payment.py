"""The fee of a replacement, confirmed and paid (item 4 and 7 of issue 14): the confirmation before anything is
applied for, the QR on screen, and — for someone who cannot scan — a counter slip or a call to staff.

Money, decided here:
- Nothing is applied for (so nothing can be owed) until the citizen confirms the fee, naming the card.
- The counter slip carries the SAME fee order as the QR (its QR payload and its order code): no second order is
  made, an order paid on the phone cannot be paid again at the counter (the service refuses it), and a slip
  printed twice carries the same code.
- Before the slip is printed the kiosk asks the service once more: a phone payment that landed meanwhile
  makes the card now instead.
- Going to the counter, the application waits unpaid at the service for the region's
  ``unpaid_application_hours`` (the slip and the screen say until when); after that it is void and nothing is
  owed. The old card goes back to the citizen first: it is still their valid card until the new one is made.
- After paying at the counter the citizen comes back to any kiosk with the ID card and the old card: the
  replacement journey takes up a paid application (RESUMABLE) and makes the card without a second payment; the
  counter may also make it (domain.md §8: the counter does every replacement). The slip says both.
"""
from __future__ import annotations

import datetime as dt

from kiosk import masking
from kiosk.flows.steps import CANNOT_SCAN, DONE, Choose, CitizenLeft, Message, Option, Pay, Work
from kiosk.i18n import _, both, join

CONFIRM_FEE, CANCEL = "confirm_fee", "cancel"
COUNTER, STAFF, BACK, REPRINT = "counter", "staff", "back_to_qr", "reprint"
AT_COUNTER = "at_counter"        # what pay() answers when the citizen goes to the counter with the slip


def local_time(iso: str) -> dt.datetime:
    """The service's time (UTC) as the kiosk's clock shows it."""
    return dt.datetime.fromisoformat(iso).astimezone()


def shown_time(iso: str):
    """12月2日13:43 (2 December, 13:43): the deadline as a citizen reads it."""
    at = local_time(iso)
    return both(f"{at.month}月{at.day}日{at:%H:%M}", f"{at.day} {at:%B}, {at:%H:%M}")


def yuan(fen: int) -> str:
    return f"{fen // 100}" if fen % 100 == 0 else f"{fen / 100:.2f}"


def confirm_fee(flow, reason) -> Message:
    """Before anything is applied for: which card (masked), the amount, what happens to the old card."""
    card = masking.card_number(flow.card["card_number"])
    held = flow.old_card is not None and not flow.old_card.captured
    if flow.resumed and flow.application["state"] == "accepted" and flow.application["fee_fen"]:
        fee, confirm = _("费用：已缴纳，无需再缴。"), _("确认办理")
    elif reason.fee_yuan:
        fee = _("费用：{yuan}元，确认后扫码缴纳（也可到窗口缴纳）。", yuan=reason.fee_yuan)
        confirm = _("确认缴费办理")
    elif reason.fee_yuan == 0:
        fee, confirm = _("费用：免费。"), _("确认办理")
    else:
        fee, confirm = _("费用：以系统核定为准，确认后显示。"), _("确认缴费办理")
    if held:
        fate = _("缴费后，您插入的原卡将被本机回收并注销，不能再使用；新卡当场制作。选择“取消”不收取任何费用，原卡退还给您。")
    else:
        fate = _("新卡制成后，原卡注销，不能再使用。选择“取消”不收取任何费用。")
    body = join(_("社保卡：{card}\n补换原因：{reason}\n", card=card, reason=both(reason.zh, reason.en)), fee, "\n", fate)
    return Message(_("请确认补换卡"), body, tone="warn", primary=(CONFIRM_FEE, confirm),
                   secondary=(CANCEL, _("取消")))


def pay(flow, timeout_s: float):
    """The QR on screen, with "不能扫码？": True once paid, False when the time ran out, AT_COUNTER when the
    citizen took a counter slip. Giving up (CitizenLeft) goes on to the journey, which hands the old card back."""
    while True:
        try:
            return (yield Pay(_("请扫码缴纳补换卡费 {yuan} 元", yuan=f"{flow.fee_yuan:g}"),
                              _("请用手机扫描右侧二维码完成支付，支付成功后自动开始制卡。"),
                              lambda n: _("收费标准由省级价格主管部门核定，由合作银行代收。请在{n}秒内完成支付。", n=n),
                              flow.pay_qr, flow.wait_for_payment, timeout_s, other=_("不能扫码？")))
        except CitizenLeft as left:
            if left.reason != CANNOT_SCAN:
                raise
        choice = yield Choose(_("不能用手机扫码？"), _("您可以打印缴费单到窗口缴费，或请工作人员来帮您。"),
                              [Option(COUNTER, _("打印缴费单，到窗口缴费")), Option(STAFF, _("呼叫工作人员帮忙")),
                               Option(BACK, _("返回扫码缴费"))])
        if choice == COUNTER:
            if (yield Work(_("正在打印缴费单"), flow.print_counter_slip)):
                return True                       # the phone payment had landed meanwhile: the card is made now
            return AT_COUNTER
        if choice == STAFF:
            yield Work(_("正在呼叫工作人员"),
                       lambda: flow.devices.service.call_staff(screen="pay", service=flow.SERVICE))
            yield Message(_("已呼叫工作人员"), _("工作人员会尽快来帮您缴费，请在此稍候。"), tone="info",
                          primary=(BACK, _("返回扫码缴费")))


def leave_for_counter(flow):
    """The slip is printed: the old card back first, then what happens next, in words (and a second slip of
    the same order on request)."""
    if flow.old_card is not None and not flow.old_card.captured:
        yield Work(_("正在退回原卡，请在右侧出卡口取回"), flow.leave_unpaid)
        take = _("请取走缴费单、原社保卡和身份证。")
        come_back = _("带上身份证和原社保卡")
    else:
        yield Work(_("正在保存申请"), flow.leave_unpaid)
        take = _("请取走缴费单和身份证。")
        come_back = _("带上身份证")
    order = flow.fee_order
    body = join(take, "\n", _("一、请在{when}前，持缴费单到社保卡服务窗口缴纳补换卡费{yuan}元。\n"
                              "二、缴费后，{bring}回到任一台自助机选择“补卡换卡”，无需再次缴费即可制卡；"
                              "也可请窗口工作人员为您制卡。\n逾期未缴费，本次申请自动作废，不收取任何费用。",
                        when=shown_time(order["pay_by"]), yuan=yuan(order["amount_fen"]),
                        bring=come_back))
    while (yield Message(_("请到窗口缴费"), body, tone="info", primary=(DONE, _("完成")),
                         secondary=(REPRINT, _("再打印一张缴费单")))) == REPRINT:
        yield Work(_("正在打印缴费单"), flow.reprint_counter_slip)
