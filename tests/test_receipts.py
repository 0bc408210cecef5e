"""Every receipt form: kiosk id, transaction number, time, a QR of the transaction, masked data, no PIN."""
import datetime as dt

import pytest

from kiosk import receipts
from kiosk.hw.printer import builder
from kiosk.hw.printer.escpos_decode import decode
from tests.receipt_tools import qr_texts

WHEN = dt.datetime(2026, 11, 22, 10, 30, 5)
TXN = "XA-0001-20261122103005-ABC123"
ID_NUMBER = "610113195603080016"
FORMS = {
    "status": lambda: receipts.status_receipt(kiosk_id="XA-0001", txn=TXN, when=WHEN, name="王小明",
                                              id_number=ID_NUMBER, card_number="A00000001",
                                              state_label="正常", advice="您的社保卡状态正常。"),
    "change_pin": lambda: receipts.change_pin_receipt(kiosk_id="XA-0001", txn=TXN, when=WHEN, name="王小明",
                                                      id_number=ID_NUMBER, card_number="A00000001",
                                                      activated=True),
    "test": lambda: receipts.test_receipt(kiosk_id="XA-0001", txn=TXN, when=WHEN),
    "replacement": lambda: receipts.replacement_receipt(kiosk_id="XA-0001", txn=TXN, when=WHEN, name="王小明",
                                                        id_number=ID_NUMBER, reason_label="卡片损坏",
                                                        old_card_number="A00000001", old_card_taken=True,
                                                        card_number="A00000013", fee_fen=2000, order_id=7,
                                                        initial_pin_hint=True),
}


@pytest.mark.parametrize("form", FORMS)
def test_every_form_carries_kiosk_transaction_time_and_qr(form):
    decoded = decode(builder.build(FORMS[form]()))
    text = decoded.text()
    assert "终端编号：XA-0001" in text and f"业务流水：{TXN}" in text and "2026-11-22 10:30:05" in text
    assert qr_texts(decoded) == [TXN]
    assert ("cut",) in decoded.items and not decoded.unknown


@pytest.mark.parametrize("form", ["status", "change_pin", "replacement"])
def test_personal_data_is_masked(form):
    text = decode(builder.build(FORMS[form]())).text()
    assert "王*明" in text and "6101**********0016" in text and "A0****001" in text
    assert "王小明" not in text and ID_NUMBER not in text and "A00000001" not in text


def test_issuance_receipt_masks_and_never_shows_a_pin():
    text = decode(builder.build(receipts.issuance_receipt(kiosk_id="XA-0001", txn=TXN, when=WHEN, name="王小明",
                                                          id_number=ID_NUMBER, card_number="A00000001",
                                                          initial_pin_hint=True))).text()
    assert "王*明" in text and "A0****001" in text and "666666" not in text and ID_NUMBER not in text


def test_the_replacement_receipt_shows_the_fee_paid_and_both_cards_masked():
    text = decode(builder.build(FORMS["replacement"]())).text()
    assert "20.00 元（已支付，订单号 7）" in text and "补换原因：卡片损坏" in text   # ¥ prints as GB18030's ￥
    assert "新卡卡号：A0****013" in text and "A00000013" not in text and "已由本机回收" in text
    free = receipts.replacement_receipt(kiosk_id="XA-0001", txn=TXN, when=WHEN, name="王小明", id_number=ID_NUMBER,
                                        reason_label="二代卡换三代卡", old_card_number="A00000001",
                                        old_card_taken=False, card_number="A00000013", fee_fen=0, order_id=None,
                                        initial_pin_hint=False)
    text = decode(builder.build(free)).text()
    assert "缴费金额：免费" in text and "原卡已挂失" in text and "已支付" not in text


def test_the_replacement_receipt_promises_no_account_carried_over():
    """seeds/001 Q5/Q6: funds are never lost, but the bank account may be kept, or its money moved or taken
    out, by the bank's rules: the receipt must not say the account "continues with the new card"."""
    text = decode(builder.build(FORMS["replacement"]())).text()
    assert "延续" not in text                                     # was: 原卡账户资金不受影响，已随新卡延续。
    assert "不会因换卡造成损失" in text and "银行" in text and "规定" in text
