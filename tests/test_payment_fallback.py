"""The replacement fee, confirmed first and payable without a smartphone (kiosk/flows/counter_payment.py):
not confirmed, nothing is applied for and the old card comes back; "不能扫码？" prints a counter slip carrying
the SAME fee order as the QR (decoded from the printed slip), the old card goes back first and the citizen is
told what happens next; paying both ways never charges twice; or staff are called."""
from __future__ import annotations

import time

import pytest

from kiosk import demo
from kiosk.backend.client import ServiceRefused
from kiosk.flows import photo_step
from kiosk.flows import steps as s
from tests.issuance_tools import citizen_takes_cards
from tests.journey_player import Player, leave_at, pay, place
from tests.receipt_tools import qr_texts

HOLDER = demo.by_key("normal")


def replacement(kiosk, does=(), key="normal") -> Player:
    return Player(kiosk, "replace", does=[place(kiosk, key), None, *does], wait_s=5,
                  on_progress={"insert": lambda: kiosk.hands.insert_old_card(key)})


def printed(kiosk, count: int):
    deadline = time.monotonic() + 3
    while len(kiosk.hands.printer_sim.jobs) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(kiosk.hands.printer_sim.jobs) == count
    return kiosk.hands.printer_sim.jobs[count - 1].decoded


def rows(kiosk, sql, *args):
    return kiosk.service.store.query(sql, *args)


def applications(kiosk):
    return rows(kiosk, "SELECT * FROM applications WHERE id_number = ?", HOLDER.id_number)


def at_the_fee(kiosk, does=()) -> Player:
    citizen_takes_cards(kiosk)
    p = replacement(kiosk, does=does)
    p.choose("damaged").press(photo_step.USE)      # the new card's photo, taken and approved first
    return p


# -- the fee confirmed before anything is applied for ------------------------------------------------------------
def test_the_confirmation_names_the_card_masked_the_amount_and_what_happens_to_the_old_card(kiosk):
    p = at_the_fee(kiosk)
    assert p.title == "请确认补换卡"
    assert "61****" not in p.body and HOLDER.card_number not in p.body
    assert f"{HOLDER.card_number[:2]}" in p.body and HOLDER.card_number[-3:] in p.body
    assert "20元" in p.body and "回收并注销" in p.body and "不收取任何费用" in p.body
    assert p.step.primary == ("confirm_fee", p.step.primary[1]) and p.zh(p.step.primary[1]) == "确认缴费办理"
    assert p.zh(p.step.secondary[1]) == "取消"
    assert not applications(kiosk)                          # nothing applied for while the citizen reads


def test_a_fee_not_confirmed_charges_nothing_and_hands_the_old_card_back(kiosk):
    p = at_the_fee(kiosk)
    p.press("cancel")
    assert p.ended == "done" and p.titles[-1] == "正在退回原卡，请在右侧出卡口取回"
    assert not applications(kiosk) and not rows(kiosk, "SELECT 1 FROM fee_orders")
    assert kiosk.hands.station.in_hand == [kiosk.hands.card_of("normal")] and not kiosk.hands.station.in_bin
    assert kiosk.devices.service.card(HOLDER.card_number)["state"] == "normal"


# -- "不能扫码？": the counter slip ---------------------------------------------------------------------------------
def to_counter(kiosk) -> tuple[Player, str]:
    p = at_the_fee(kiosk, does=[leave_at(s.CANNOT_SCAN)])
    p.press("confirm_fee")
    qr = next(step for step in p.shown if isinstance(step, s.Pay))
    assert p.zh(qr.other) == "不能扫码？"
    assert p.title == "不能用手机扫码？" and p.options == ["counter", "staff", "back_to_qr"]
    return p, qr.payload


def test_the_counter_slip_carries_the_same_order_as_the_qr_and_the_old_card_goes_back_first(kiosk):
    p, on_screen = to_counter(kiosk)
    before = len(kiosk.hands.printer_sim.jobs)
    p.choose("counter")
    slip = printed(kiosk, before + 1)
    [order] = rows(kiosk, "SELECT * FROM fee_orders")       # one order: the slip made no second one
    assert qr_texts(slip) == [on_screen] == [f"sbkpay://order/{order['id']}"]
    text = slip.text()
    code = kiosk.devices.service.application(applications(kiosk)[0]["id"])["fee_order"]["order_code"]
    assert f"缴费单号：\n{code}" in text and "20.00 元" in text and "王*明" in text
    assert HOLDER.name not in text and HOLDER.id_number not in text and HOLDER.card_number not in text
    assert "窗口" in text and "无需再次缴费" in text and "自动作废" in text
    # the old card handed back before the words, and the words say what happens next
    assert p.titles[-2:] == ["正在退回原卡，请在右侧出卡口取回", "请到窗口缴费"]
    assert kiosk.hands.station.in_hand == [kiosk.hands.card_of("normal")] and not kiosk.hands.station.in_bin
    assert "前，持缴费单到社保卡服务窗口缴纳补换卡费20元" in p.body and "原社保卡" in p.body
    # the application waits unpaid at the service
    [application] = applications(kiosk)
    assert application["state"] == "awaiting_payment" and order["state"] == "unpaid"
    p.press(s.DONE)
    assert p.ended == "done"


def test_a_slip_printed_again_carries_the_same_code(kiosk):
    p, on_screen = to_counter(kiosk)
    before = len(kiosk.hands.printer_sim.jobs)
    p.choose("counter")
    first = printed(kiosk, before + 1)
    p.press("reprint")
    assert p.title == "请到窗口缴费"
    second = printed(kiosk, before + 2)
    code = [line for line in first.text().splitlines() if line.startswith("BK")]
    assert len(code) == 1 and code == [line for line in second.text().splitlines() if line.startswith("BK")]
    assert qr_texts(first) == qr_texts(second) == [on_screen]
    assert len(rows(kiosk, "SELECT 1 FROM fee_orders")) == 1


def test_paying_on_the_phone_and_at_the_counter_charges_once(kiosk):
    p, on_screen = to_counter(kiosk)
    before = len(kiosk.hands.printer_sim.jobs)
    p.choose("counter")
    slip = printed(kiosk, before + 1)
    kiosk.hands.pay(on_screen)                       # the phone payment lands after all
    with pytest.raises(ServiceRefused) as refused:   # the counter scans the slip's QR: the same order
        kiosk.hands.pay(qr_texts(slip)[0])
    assert refused.value.code == "not_payable"
    assert [r["state"] for r in rows(kiosk, "SELECT state FROM fee_orders")] == ["paid"]


def test_a_phone_payment_that_landed_meanwhile_makes_the_card_instead_of_a_slip(kiosk):
    p, on_screen = to_counter(kiosk)
    before = len(kiosk.hands.printer_sim.jobs)
    kiosk.hands.pay(on_screen)
    p.choose("counter")
    assert p.title == "补换卡完成", p.body
    assert len(kiosk.hands.printer_sim.jobs) == before           # no slip for a paid order


def test_after_paying_at_the_counter_the_next_visit_makes_the_card_without_paying_again(kiosk):
    p, on_screen = to_counter(kiosk)
    p.choose("counter")
    p.press(s.DONE)
    order_id = int(on_screen.rsplit("/", 1)[1])
    kiosk.devices.service.pay(order_id)             # the counter collects this order
    kiosk.hands.remove_id_card()
    again = replacement(kiosk)
    assert again.options == ["damaged"]             # the paid application, taken up again
    again.choose("damaged").press(photo_step.USE)
    assert "已缴纳" in again.body
    again.press("confirm_fee")
    assert again.title == "补换卡完成", again.body
    assert not any(isinstance(step, s.Pay) for step in again.shown)
    assert len(rows(kiosk, "SELECT 1 FROM fee_orders")) == 1


def test_calling_staff_from_the_fee_is_recorded_and_leads_back_to_the_qr(kiosk):
    p, _payload = to_counter(kiosk)
    p.does.append(pay(kiosk))
    p.choose("staff")
    assert p.title == "已呼叫工作人员"
    assert rows(kiosk, "SELECT * FROM staff_calls WHERE screen = 'pay' AND service = 'replace'")
    p.press("back_to_qr")                            # staff help; the phone pays
    assert p.title == "补换卡完成", p.body
