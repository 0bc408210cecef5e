"""The citizen's time and cards, by touch under Xvfb through the real drivers (issue 14): a wait counted down
that runs out, says what did not happen and is tried again; the full-screen "还需要更多时间吗？" and
"继续办理" bringing the screen back as it was; the session timing out with a card in; the done screen that
ends by itself once the cards are out; "完成" pressed with the cards in (beep, words, staff called); and the
new card at the gate with an arrow and the time left. Screenshots under tests/artifacts/screens/<service>/."""
from __future__ import annotations

import json
import os
import pathlib

import pytest

from tests.ui_app import kiosk_app
from tests.ui_steps import present_cards, take_cards
from tests.ui_touches import record_touches

ARTIFACTS = pathlib.Path(__file__).parent / "artifacts" / "screens"
pytestmark = pytest.mark.timeout(300)


def script(d):
    app = d.app
    hands = app.kiosk.hands
    yield d.screen("attract")

    # -- a wait counted down each second that runs out: said in words, and tried again ----------------------
    d.service("wait_ran_out")
    app.step_time_scale = 0.1                       # the ID card wait: 6 s instead of 60
    yield from d.open("status")
    yield d.screen("place_id")
    first = d.current().countdown
    yield d.until("counted down", lambda: d.current().countdown != first and "秒内完成" in d.current().countdown)
    d.shot("counting_down")
    yield d.until("ran out, said", lambda: app.sm.current == "message" and d.current().title == "没有检测到身份证",
                  timeout=15)
    assert d.current().primary_text == "重试" and d.current().secondary_text == "返回首页"
    d.shot("ran_out_retry")
    app.step_time_scale = 1
    d.tap_id("primary")
    yield d.screen("place_id")
    d.shot("place_id_again")
    hands.place_id_card("temp_lost")
    yield d.screen("status_result")
    d.shot("status_result")

    # -- 20 s before the wipe: the full-screen question; "继续办理" gives the screen back as it was ------------
    d.service("more_time")
    shown = d.current().label
    app.session_timeout_s = 22
    view = app.more_time_view
    yield d.until("asked: more time?", lambda: view.parent is not None and view.remaining <= 20, timeout=10)
    assert view.title == "还需要更多时间吗？" and view.remaining >= 19
    d.shot("warning")
    d.tap(view.ids.go_on)
    yield d.until("the screen underneath again", lambda: view.parent is None)
    assert app.sm.current == "status_result" and d.current().label == shown and app.session.extensions == 1
    d.shot("continued")

    # -- the session times out with the ID card still on the reader: asked for it, then home -----------------
    d.service("timeout_card_in")
    app.session_timeout_s = 3
    yield d.until("take your ID card", lambda: app.sm.current == "take_cards"
                  and d.current().title == "请取走您的身份证", timeout=15)
    app.session_timeout_s = 60
    d.shot("take_id_card")
    hands.remove_id_card()
    yield d.screen("attract", timeout=10)

    # -- the done screen ends by itself once the cards are out: no "完成" -------------------------------------
    d.service("done_on_removal")
    yield from present_cards(d, "release", "temp_lost", "temp_lost")
    yield d.until("released", lambda: app.sm.current == "message" and d.current().title == "已解除挂失", timeout=20)
    yield d.until("the cards seen: it ends by itself", lambda: app.journey.cards_seen, timeout=5)
    assert "取走卡后，本次办理自动结束。" in d.current().body
    d.shot("done_waiting_for_cards")
    hands.remove_id_card()
    hands.remove_card()
    yield d.screen("attract", timeout=10)

    # -- "完成" with the cards in: a beep and the words until they are out, staff called when they stay -----
    d.service("cards_left")
    app.staff_after_s = 3
    yield from present_cards(d, "change_pin", card_key="normal")
    yield d.screen("pin_old")
    d.type_pin("135790")
    yield d.screen("pin_new")
    d.type_pin("802468")
    yield d.screen("pin_again")
    d.type_pin("802468")
    yield d.until("asked to confirm", lambda: app.sm.current == "message" and d.current().title == "确认修改密码")
    d.tap_id("primary")                                                          # 确认修改
    yield d.until("PIN changed", lambda: app.sm.current == "message" and d.current().title == "密码修改成功")
    d.tap_id("primary")
    yield d.until("take your card", lambda: app.sm.current == "take_cards"
                  and d.current().title == "请取走您的社保卡", timeout=10)
    d.shot("take_card")
    yield d.until("staff called", lambda: d.current().note == "已呼叫工作人员，请稍候", timeout=10)
    d.shot("staff_called")
    hands.remove_card()
    yield d.screen("attract", timeout=10)
    app.staff_after_s = 60

    # -- the question in English and elderly mode; "返回首页" on it leaves (the ID card asked back first) ------
    d.service("more_time_leave")
    app.set_elderly(True)
    d.tap(app.root.ids.language)
    yield d.until("English", lambda: app.lang == "en")
    yield from d.open("status")
    yield d.screen("place_id")
    hands.place_id_card("normal")
    yield d.screen("status_result")
    app.session_timeout_s = 11                      # elderly mode doubles it: 22 s, the question at once
    yield d.until("asked: more time?", lambda: view.parent is not None and view.remaining <= 20, timeout=10)
    d.shot("warning_elderly_en")
    d.tap(view.ids.home)
    yield d.until("left: the ID card asked back", lambda: app.sm.current == "take_cards", timeout=10)
    app.session_timeout_s = 60
    d.shot("take_id_card_elderly_en")
    hands.remove_id_card()
    yield d.screen("attract", timeout=10)
    assert app.lang == "zh" and not app.elderly                   # reset for the next person

    # -- the new card at the gate: its own screen, an arrow to the gate, the time left, a beep ---------------
    d.service("take_new_card")
    yield from present_cards(d, "issue", id_key="no_card")
    yield d.until("eligibility confirmed", lambda: app.sm.current == "message" and d.current().title == "确认申领社保卡")
    d.tap_id("primary")
    yield d.screen("photo")
    d.tap_id("primary")                                                          # 确认使用此照片
    yield d.until("the new card at the gate", lambda: app.sm.current == "take_new_card", timeout=60)
    first = d.current().countdown
    assert "秒内取走新卡" in first and d.current().title == "请取走新卡" and d.current().slot == "出卡口"
    yield d.until("counted down", lambda: d.current().countdown != first, timeout=5)
    d.shot("take_new_card")
    hands.issuer_sim.take_card()
    yield d.until("card issued", lambda: app.sm.current == "choice" and d.current().title == "制卡完成", timeout=30)
    yield from take_cards(d)


def test_time_limits_and_cards_left_in_the_machine_by_touch(tmp_path, display, vpcd_reader):
    with kiosk_app(tmp_path, script, vpcd=True, voice=True) as run:
        calls = run.kiosk.service.store.query("SELECT screen, service FROM staff_calls")
        voice = run.kiosk.voice
    spoken, driver = list(run.spoken), run.driver
    assert [tuple(c) for c in calls] == [("take_cards", "change_pin")]          # the card left: staff called
    assert voice.beep_path in spoken                                             # a beep with the words
    assert voice.cache.path_for("还需要更多时间吗？请点击“继续办理”") in spoken     # the question, spoken
    assert voice.cache.path_for("请取走新卡") in spoken
    record_touches(driver.touches)
    print("touches per service:", json.dumps(driver.touches, ensure_ascii=False))
    print("screenshots:", *[os.path.relpath(s, ARTIFACTS) for s in driver.shots], sep="\n  ")
