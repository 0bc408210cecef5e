"""Paying without a smartphone and proving a new phone number, by touch under Xvfb (issue 14, items 4, 7, 8):
the fee confirmed naming the card; "不能扫码？" → a counter slip (printed, decoded: the same order as the QR on
screen, and again the same when reprinted), the old card handed back first, what happens next in words; or
staff called; the mobile number refused and kept, read back large, the texted code typed (a wrong one
first). Screenshots under tests/artifacts/screens/<service>/, the slip as paper under replace_counter/."""
from __future__ import annotations

import json
import os
import pathlib

import pytest

from kiosk import demo
from kiosk.hw.printer.escpos_decode import render_png
from tests.ui_app import kiosk_app
from tests.receipt_tools import qr_texts
from tests.ui_steps import approve_card_photo, take_cards
from tests.ui_touches import record_touches

ARTIFACTS = pathlib.Path(__file__).parent / "artifacts" / "screens"
pytestmark = pytest.mark.timeout(300)


def message(d, app, title: str):
    return d.until(f"message {title!r}", lambda: app.sm.current == "message" and d.current().title == title,
                   timeout=30)


def to_the_fee(d, app, hands, key: str):
    """Start, tile, the ID card, the old card into the gate, a reason, the fee confirmed."""
    yield from d.open("replace")
    yield d.screen("place_id")
    hands.place_id_card(key)
    yield d.until("gate open for the old card", lambda: app.sm.current == "insert_card"
                  and hands.insert_old_card(key), timeout=15)
    yield d.screen("choice", timeout=30)
    d.tap_id("choice_damaged")
    yield from approve_card_photo(d)
    yield message(d, app, "请确认补换卡")


def script(d):
    app = d.app
    hands = app.kiosk.hands
    yield d.screen("attract")

    # -- the fee confirmed, then "不能扫码？" → a counter slip of the same order ----------------------------
    d.service("replace_counter")
    yield from to_the_fee(d, app, hands, "normal")
    d.shot("confirm_fee")
    d.tap_id("primary")                                   # 确认缴费办理
    yield d.screen("qr")
    assert d.current().extra_text == "不能扫码？"
    d.shot("pay")
    d.on_screen = d.current().payload
    d.tap_id("extra")                                     # 不能扫码？
    yield d.until("the choice", lambda: app.sm.current == "choice" and d.current().title == "不能用手机扫码？")
    d.shot("cannot_scan")
    jobs = len(hands.printer_sim.jobs)
    d.tap_id("choice_counter")
    yield d.until("old card handed back", lambda: hands.issuer_sim.position == "gate", timeout=20)
    d.shot("old_card_returning")
    hands.issuer_sim.take_card()
    yield message(d, app, "请到窗口缴费")
    d.shot("pay_at_counter")
    d.tap_id("secondary")                                 # 再打印一张缴费单
    yield d.until("two slips", lambda: len(hands.printer_sim.jobs) == jobs + 2 and app.sm.current == "message"
                  and d.current().title == "请到窗口缴费", timeout=20)
    d.slips = hands.printer_sim.jobs[jobs:jobs + 2]
    yield from take_cards(d)

    # -- or staff are called, and the citizen goes back to the QR (here: then gives up) --------------------
    d.service("replace_staff")
    yield from to_the_fee(d, app, hands, "gen2")
    d.tap_id("primary")
    yield d.screen("qr")
    d.tap_id("extra")
    yield d.until("the choice", lambda: app.sm.current == "choice")
    d.tap_id("choice_staff")
    yield message(d, app, "已呼叫工作人员")
    d.shot("staff_called")
    d.tap_id("primary")                                   # 返回扫码缴费
    yield d.screen("qr")
    d.tap_id("cancel")                                    # 不缴费，退出: the old card back
    yield d.until("old card handed back", lambda: hands.issuer_sim.position == "gate", timeout=20)
    hands.issuer_sim.take_card()
    yield d.screen("take_cards", timeout=20)                  # the ID card asked back, then home
    hands.remove_id_card()
    yield d.screen("attract", timeout=20)

    # -- the mobile number: refused and kept, read back, a wrong code, then the texted one ----------------
    d.service("contact_code")
    yield from d.open("contact")
    yield d.screen("place_id")
    hands.place_id_card("normal")
    yield d.screen("choice")
    d.tap_id("choice_phone")
    yield d.screen("digits")
    for digit in "1201234567":
        d.tap(d.key(digit))
    d.shot("phone_typing")
    d.tap(d.key("8"))
    d.tap_id("confirm")
    yield d.until("number refused", lambda: app.sm.current == "digits" and d.current().error != "")
    assert d.current().dots == "120 1234 5678"
    d.shot("phone_refused_kept")
    d.tap(d.current().ids["key_clear"])
    for digit in "13912345678":
        d.tap(d.key(digit))
    d.tap_id("confirm")
    yield message(d, app, "请核对手机号码")
    d.shot("phone_read_back")
    d.tap_id("primary")                                   # 号码正确
    yield d.until("code asked", lambda: app.sm.current == "digits" and d.current().prompt == "请输入短信验证码")
    yield d.until("the text on the panel", lambda: "验证码" in app.root.ids.simpanel.sms_text)
    app.root.ids.simpanel.scroll_y = 0                    # the panel's phone: the text message, as received
    yield d.until("panel scrolled", lambda: True)
    d.shot("code_sent")
    app.root.ids.simpanel.scroll_y = 1
    right = hands.texted_code("13912345678")
    for digit in f"{(int(right) + 1) % 1000000:06d}":
        d.tap(d.key(digit))
    d.tap_id("confirm")
    yield d.until("wrong code", lambda: app.sm.current == "digits" and "不正确" in d.current().error)
    d.shot("code_wrong")
    d.tap(d.current().ids["key_clear"])
    for digit in right:
        d.tap(d.key(digit))
    d.shot("code_typed")
    d.tap_id("confirm")
    yield message(d, app, "联系方式已修改")
    d.shot("done")
    yield from take_cards(d)


def test_paying_at_a_counter_and_proving_a_new_phone_by_touch(tmp_path, display):
    with kiosk_app(tmp_path, script, voice=True) as run:
        service = run.kiosk.service
        orders = [dict(r) for r in service.store.query("SELECT * FROM fee_orders ORDER BY id")]
        phone = service.store.person(demo.by_key("normal").id_number)["phone"]
        in_bin = list(run.kiosk.hands.station.in_bin)
        calls = [dict(r) for r in service.store.query("SELECT * FROM staff_calls")]
    driver = run.driver

    # the slip: the same order as the QR on screen, printed twice with the same code; no second order
    first, second = driver.slips
    assert qr_texts(first.decoded) == qr_texts(second.decoded) == [driver.on_screen]
    code_line = [line for line in first.decoded.text().splitlines() if line.startswith("BK")]
    assert code_line and code_line == [line for line in second.decoded.text().splitlines() if line.startswith("BK")]
    # one order per application (normal's, awaiting the counter; gen2's, given up), none paid twice
    assert [o["state"] for o in orders] == ["unpaid", "unpaid"]
    assert f"sbkpay://order/{orders[0]['id']}" == driver.on_screen
    assert not in_bin                                     # both old cards went back to their holders
    assert any(c["screen"] == "pay" and c["service"] == "replace" for c in calls)
    slip_png = ARTIFACTS / "replace_counter" / "slip.png"
    render_png(first.decoded, str(slip_png))
    assert phone == "13912345678"                         # changed only with the texted code
    record_touches(driver.touches)
    print("touches per service:", json.dumps(driver.touches, ensure_ascii=False))
    print("screenshots:", *[os.path.relpath(s, ARTIFACTS) for s in driver.shots], str(slip_png), sep="\n  ")
