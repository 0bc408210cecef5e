"""Receipt forms: a layout (the form) filled with masked fields. Never a PIN; always the kiosk id, the
transaction number (also as a QR code) and the time."""
from __future__ import annotations

import datetime as dt

from kiosk import masking
from kiosk.hw.printer.receipt import Receipt

TITLE = "社会保障卡自助服务凭条"


def _frame(service: str, kiosk_id: str, txn: str, when: dt.datetime) -> Receipt:
    r = Receipt(qr=txn)
    r.add(TITLE, align="center", bold=True)
    r.add(service, align="center", large=True)
    r.add("-" * 48)
    r.add(f"终端编号：{kiosk_id}")
    r.add(f"业务流水：{txn}")
    r.add(f"办理时间：{when:%Y-%m-%d %H:%M:%S}")
    return r


def _footer(r: Receipt) -> Receipt:
    r.add("-" * 48)
    r.add("请妥善保管本凭条。咨询电话 12333", align="center")
    return r


def status_receipt(*, kiosk_id: str, txn: str, when: dt.datetime, name: str, id_number: str,
                   card_number: str | None, state_label: str, advice: str) -> Receipt:
    r = _frame("社保卡状态查询", kiosk_id, txn, when)
    r.add(f"姓    名：{masking.name(name)}")
    r.add(f"证件号码：{masking.id_number(id_number)}")
    if card_number:
        r.add(f"社保卡号：{masking.card_number(card_number)}")
    r.add(f"卡片状态：{state_label}", bold=True)
    r.add(advice)
    return _footer(r)


def change_pin_receipt(*, kiosk_id: str, txn: str, when: dt.datetime, name: str, id_number: str,
                       card_number: str, activated: bool) -> Receipt:
    r = _frame("社保卡密码修改", kiosk_id, txn, when)
    r.add(f"姓    名：{masking.name(name)}")
    r.add(f"证件号码：{masking.id_number(id_number)}")
    r.add(f"社保卡号：{masking.card_number(card_number)}")
    r.add("办理结果：密码修改成功" + ("，社保功能已启用" if activated else ""), bold=True)
    r.add("新密码仅您本人知晓，请勿告知他人。")
    return _footer(r)


def test_receipt(*, kiosk_id: str, txn: str, when: dt.datetime) -> Receipt:
    """What a technician prints to check a printer: Chinese, punctuation, the yuan sign, a rare character
    (printed as an image), large type, and the QR code."""
    r = _frame("打印机测试", kiosk_id, txn, when)
    r.add("中文：社会保障卡自助服务终端")
    r.add("标点：，。；：“”（）《》、！？")
    r.add("金额：¥20.00 元")
    r.add("生僻字：䶮 𠮷", bold=True)
    r.add("ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789")
    r.add("大字", large=True)
    return _footer(r)


def issuance_receipt(*, kiosk_id: str, txn: str, when: dt.datetime, name: str, id_number: str,
                     card_number: str, initial_pin_hint: bool) -> Receipt:
    r = _frame("社保卡即时制卡", kiosk_id, txn, when)
    r.add(f"姓    名：{masking.name(name)}")
    r.add(f"证件号码：{masking.id_number(id_number)}")
    r.add(f"社保卡号：{masking.card_number(card_number)}")
    r.add("办理结果：制卡完成，已领取", bold=True)
    if initial_pin_hint:
        r.add("新卡尚未启用：请持身份证和社保卡在自助机选择“启用社保卡”设置密码。")
    r.add("金融功能请到合作银行网点激活。")
    return _footer(r)


def replacement_receipt(*, kiosk_id: str, txn: str, when: dt.datetime, name: str, id_number: str,
                        reason_label: str, old_card_number: str, old_card_taken: bool, card_number: str,
                        fee_fen: int, order_id: int | None, initial_pin_hint: bool) -> Receipt:
    """补换卡: the reason, the old card (taken back, or reported lost) and the new card, and the fee paid."""
    r = _frame("社保卡补换卡", kiosk_id, txn, when)
    r.add(f"姓    名：{masking.name(name)}")
    r.add(f"证件号码：{masking.id_number(id_number)}")
    r.add(f"补换原因：{reason_label}")
    r.add(f"原卡卡号：{masking.card_number(old_card_number)}")
    r.add("原卡处理：" + ("已由本机回收，将统一销毁" if old_card_taken else "原卡已挂失"))
    r.add(f"新卡卡号：{masking.card_number(card_number)}")
    if fee_fen:
        r.add(f"缴费金额：¥{fee_fen // 100}.{fee_fen % 100:02d} 元（已支付" + (f"，订单号 {order_id}" if order_id else "")
              + "）")
    else:
        r.add("缴费金额：免费")
    r.add("办理结果：新卡已领取，原卡已注销", bold=True)
    # seeds/001 Q5 "社保待遇…不会因换卡造成损失；社保卡银行账户资金可按照个人意愿取出或者由银行进行新老账户的资金转移
    # 操作", Q6: whether the account number is kept is the bank's rule — so no promise of "the same account"
    r.add("社保待遇不会因换卡造成损失。原卡银行账户的资金可按本人意愿取出，或由银行办理新老账户资金转移；"
          "能否保留原银行账号按合作银行规定，请咨询发卡银行。")
    if initial_pin_hint:
        r.add("新卡尚未启用：请持身份证和社保卡在自助机选择“启用社保卡”设置密码。")
    r.add("金融功能请到合作银行网点激活。")
    return _footer(r)


def counter_payment_slip(*, kiosk_id: str, txn: str, when: dt.datetime, name: str, id_number: str,
                         card_number: str, reason_label: str, amount_fen: int, order_code: str, pay_qr: str,
                         pay_by: dt.datetime, old_card_lost: bool) -> Receipt:
    """补换卡缴费单: the fee order the kiosk's QR showed, to pay at a counter. Its QR is the ORDER (the same
    payload as on screen), not the transaction: the counter scans it to collect this very order, so nothing is
    paid twice; the transaction number is printed as text."""
    r = Receipt(qr=pay_qr)
    r.add(TITLE, align="center", bold=True)
    r.add("社保卡补换卡缴费单", align="center", large=True)
    r.add("-" * 48)
    r.add(f"终端编号：{kiosk_id}")
    r.add(f"业务流水：{txn}")
    r.add(f"办理时间：{when:%Y-%m-%d %H:%M:%S}")
    r.add(f"姓    名：{masking.name(name)}")
    r.add(f"证件号码：{masking.id_number(id_number)}")
    r.add(f"原卡卡号：{masking.card_number(card_number)}")
    r.add(f"补换原因：{reason_label}")
    r.add(f"应缴金额：¥{amount_fen // 100}.{amount_fen % 100:02d} 元", bold=True)
    r.add("缴费单号：", bold=True)
    r.add(order_code, align="center", large=True)       # what the counter types when it cannot scan
    r.add(f"缴费截止：{pay_by:%Y-%m-%d %H:%M}", bold=True)
    r.add("-" * 48)
    r.add("窗口办理：请在截止时间前，持本缴费单和身份证到社保卡服务窗口。工作人员扫描下方二维码或输入缴费单号，"
          "收取补换卡费（由合作银行代收）。")
    r.add("缴费以后：" + ("带上身份证" if old_card_lost else "带上身份证和原社保卡")
          + "回到任一台社保卡自助机，选择“补卡换卡”即可制卡，无需再次缴费；也可请窗口工作人员为您制卡。")
    if not old_card_lost:
        r.add("原社保卡已退还本人，在新卡制成前仍可正常使用。")
    r.add("逾期未缴费：本次申请自动作废，不收取任何费用。")
    r.add("如已用手机缴费成功，请勿重复缴费。")
    r.add("下方二维码即本缴费单，请勿折叠涂改。", align="center")
    return _footer(r)


def _holder(r: Receipt, name: str, id_number: str, card_number: str | None = None) -> None:
    r.add(f"姓    名：{masking.name(name)}")
    r.add(f"证件号码：{masking.id_number(id_number)}")
    if card_number:
        r.add(f"社保卡号：{masking.card_number(card_number)}")


def pin_service_receipt(*, kiosk_id: str, txn: str, when: dt.datetime, service: str, result: str, name: str,
                        id_number: str, card_number: str) -> Receipt:
    """密码重置 / 密码解锁 / 社保功能启用: which service, its result; never the PIN."""
    r = _frame(service, kiosk_id, txn, when)
    _holder(r, name, id_number, card_number)
    r.add(f"办理结果：{result}", bold=True)
    r.add("新密码仅您本人知晓，请勿告知他人。金融账户密码请到合作银行办理。")
    return _footer(r)


def contact_receipt(*, kiosk_id: str, txn: str, when: dt.datetime, name: str, id_number: str,
                    phone: str | None, address_changed: bool) -> Receipt:
    """非关键信息变更: the new phone masked; the address only said to be changed (it is personal data)."""
    r = _frame("非关键信息变更", kiosk_id, txn, when)
    _holder(r, name, id_number)
    if phone:
        r.add(f"联系电话：{masking.phone(phone)}（已变更）")
    if address_changed:
        r.add("通讯地址：已变更")
    r.add("办理结果：信息变更成功，无需换卡", bold=True)
    return _footer(r)


def ecard_receipt(*, kiosk_id: str, txn: str, when: dt.datetime, name: str, id_number: str) -> Receipt:
    """电子社保卡申领指引: where to sign up (seeds/001); the sign-up QR code is on the screen, not on paper."""
    r = _frame("电子社保卡申领指引", kiosk_id, txn, when)
    _holder(r, name, id_number)
    r.add("可通过电子社保卡APP、国家政务服务平台、掌上12333、合作银行APP等渠道，经本人实名认证后申领。")
    r.add("实体卡挂失期间，电子社保卡须经本人授权后使用；实体卡注销后不可用。")
    return _footer(r)


def cancellation_receipt(*, kiosk_id: str, txn: str, when: dt.datetime, steps: list[str],
                         reasons: list[str] = (), transfer: str = "") -> Receipt:
    """社保卡注销办理指引: why a card is cancelled, the steps in the region's order and what to bring, and
    moving explained; nothing personal (the kiosk performs nothing)."""
    r = _frame("社保卡注销办理指引", kiosk_id, txn, when)
    if reasons:
        r.add("注销情形：" + "；".join(reasons) + "。")
    for number, step in enumerate(steps, 1):
        r.add(f"第{number}步：{step}")
    r.add("本机不能办理注销，请按以上顺序到窗口和银行办理。", bold=True)
    if transfer:
        r.add(transfer)
    return _footer(r)
