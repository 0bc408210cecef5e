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
        r.add("新卡尚未启用：请用初始密码在自助机“修改社保卡密码”设置新密码后启用。")
    r.add("金融功能请到合作银行网点激活。")
    return _footer(r)
