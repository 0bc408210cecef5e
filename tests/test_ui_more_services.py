"""Every other citizen service driven by touch under Xvfb, through the real drivers (GA 467 reader on a pty,
the card behind pcscd/vpcd, the issuing module on a pty, the service over HTTP, the printer over TCP):
activation, PIN reset and unlock, replacement and renewal with the fee paid by QR, contact changes, the
e-card QR, the cancellation guide, acting for someone, and the frame around them (English, elderly mode,
voice, call staff). Happy paths and the main refusals; a screenshot of every screen passed is saved under
tests/artifacts/screens/<service>/NN-<screen>.png, and the touches each service took are counted."""
from __future__ import annotations

import json
import os
import pathlib

import pytest

from kiosk import demo
from tests.receipt_tools import qr_texts
from tests.ui_steps import approve_card_photo, every_page_fits, present_cards, refusal, take_cards
from tests.ui_touches import record_touches

ARTIFACTS = pathlib.Path(__file__).parent / "artifacts" / "screens"
PINS = ("802468", "914702", "975310", "135790", "314159", "666666", "528147")
pytestmark = pytest.mark.timeout(420)


def refused(d, app, words: str):
    return d.until(f"refusal saying {words!r}", lambda: app.sm.current == "message"
                   and d.current().title == "无法继续办理" and words in d.current().body)


def finish(d, app, hands):
    """Back to the start, the citizen's cards taken away (a last screen ends by itself then)."""
    yield from take_cards(d)


def approve_photo(d):
    """A new card's photo is shown before the card is made: the citizen approves it."""
    yield d.screen("photo")
    d.tap_id("primary")


def take_new_card(d, app, hands, title: str, shot: str | None = None):
    """The new card comes to the gate; the citizen takes it; the done screen shows ``title``."""
    yield d.until("card at the gate, and the heading says so", lambda: hands.issuer_sim.position == "gate"
                  and app.sm.get_screen("issuing").title == "新卡已制好，请从出卡口取走", timeout=40)
    if shot:
        d.shot(shot)
    hands.issuer_sim.take_card()
    yield d.until(title, lambda: app.sm.current in ("message", "choice") and d.current().title == title, timeout=30)


def confirm_fee(d, app, shot: str | None = None):
    """The fee confirmation before anything is applied for: 确认缴费办理."""
    yield d.until("fee confirmation", lambda: app.sm.current == "message" and d.current().title == "请确认补换卡")
    if shot:
        d.shot(shot)
    d.tap_id("primary")


def actor_then_holder(d, hands, actor: str, holder: str):
    """Someone acting: their own ID card first, taken back, then the holder's."""
    hands.place_id_card(actor)
    yield d.until("take back", lambda: getattr(d.current(), "title", "") == "请取回代办人身份证")
    d.shot("take_back")
    hands.remove_id_card()
    yield d.until("holder's ID", lambda: getattr(d.current(), "title", "") == "请放置持卡人（被代办人）的身份证")
    d.shot("holder_id")
    hands.place_id_card(holder)


def keypad_layout(d) -> list[str]:
    return [key.key for key in reversed(d.current().ids.keypad.children)]


def new_pin_twice(d, pin):
    """The PIN pad is randomised in this test: the digits move between the two prompts."""
    yield d.screen("pin_new")
    d.shot("pin_new")
    first = keypad_layout(d)
    d.type_pin(pin)
    yield d.screen("pin_again")
    d.shot("pin_again")
    assert keypad_layout(d) != first and sorted(keypad_layout(d)) == sorted(first)
    d.type_pin(pin)


def script(d):
    app = d.app
    hands = app.kiosk.hands
    panel = app.root.ids.simpanel
    yield d.screen("attract")

    # -- activate a sealed card: the kiosk types the initial PIN itself --------------------------------
    d.service("activate")
    yield from present_cards(d, "activate", "sealed", "sealed", shots=("place_id", "insert_card"))
    yield from new_pin_twice(d, "802468")
    yield d.until("activated", lambda: app.sm.current == "message" and d.current().title == "社保功能已启用")
    d.shot("done")
    d.counting("activate_receipt")
    d.tap_id("secondary")
    yield d.until("receipt", lambda: app.sm.current == "message" and d.current().title == "凭条已打印")
    d.shot("receipt_printed")
    yield from finish(d, app, hands)

    yield from refusal(d, "activate_not_sealed", "activate", "normal", "normal", "")

    # -- reset a forgotten PIN; someone else's card is refused --------------------------------------------
    d.service("reset_pin")
    yield from present_cards(d, "reset_pin", "normal", "normal", shots=("insert_card",))
    yield from new_pin_twice(d, "914702")
    yield d.until("reset", lambda: app.sm.current == "message" and d.current().title == "密码已重置")
    d.shot("done")
    d.tap_id("secondary")
    yield d.until("receipt", lambda: app.sm.current == "message" and d.current().title == "凭条已打印")
    yield from finish(d, app, hands)

    yield from refusal(d, "reset_pin_not_holder", "reset_pin", "normal", "gen2", "同一人")

    # -- unlock a PIN locked after six wrong tries; a card that is not locked is sent elsewhere -----------
    d.service("unlock")
    yield from present_cards(d, "unlock", "pin_locked", "pin_locked")
    yield from new_pin_twice(d, "528147")
    yield d.until("unlocked", lambda: app.sm.current == "message" and d.current().title == "密码已解锁")
    d.shot("done")
    yield from finish(d, app, hands)

    yield from refusal(d, "unlock_not_locked", "unlock", "gen2", "gen2", "未锁定")

    # -- renew an expiring card: old card into the module, 20 yuan by QR, the new card made --------------
    d.service("replace")
    yield from d.open("replace")
    yield d.screen("place_id")
    d.shot("place_id")
    hands.place_id_card("expiring")
    yield d.until("gate open for the old card", lambda: app.sm.current == "insert_card"
                  and hands.insert_old_card("expiring"), timeout=15)
    d.shot("old_card")
    yield d.screen("choice")
    d.shot("reasons")
    d.tap_id("choice_renewal")
    yield from approve_card_photo(d)
    yield from confirm_fee(d, app, shot="confirm_fee")
    yield d.screen("qr")
    first = d.current().countdown
    assert first.startswith("支付剩余时间：")                   # the time left to pay, counted down
    yield d.until("the payment counted down", lambda: d.current().countdown != first, timeout=5)
    d.shot("pay")
    assert qr_payload(app).startswith("sbkpay://order/")
    panel.pay_shown_qr()                 # the citizen's phone scans the code and pays
    yield d.screen("issuing", timeout=30)
    d.shot("issuing")
    yield from take_new_card(d, app, hands, "补换卡完成", shot="take_card")
    d.shot("done")
    d.tap_id("secondary")
    yield d.until("receipt", lambda: app.sm.current == "message" and d.current().title == "凭条已打印")
    d.shot("receipt_printed")
    yield from finish(d, app, hands)

    # -- a formally lost card: no old card to hand in -------------------------------------------------------
    d.service("replace_lost")
    yield from d.open("replace")
    yield d.screen("place_id")
    hands.place_id_card("lost")
    yield d.screen("choice")
    d.shot("reasons")
    d.tap_id("choice_lost")
    yield from approve_card_photo(d)
    yield from confirm_fee(d, app)
    yield d.screen("qr")
    panel.pay_shown_qr()
    yield from take_new_card(d, app, hands, "补换卡完成")
    d.shot("done")
    yield from finish(d, app, hands)

    # -- the citizen does not pay: the old card comes back out of the gate ---------------------------------
    d.service("replace_unpaid")
    yield from d.open("replace")
    yield d.screen("place_id")
    hands.place_id_card("gen2")
    yield d.until("gate open for the old card", lambda: app.sm.current == "insert_card"
                  and hands.insert_old_card("gen2"), timeout=15)
    yield d.screen("choice")
    d.tap_id("choice_damaged")
    yield from approve_card_photo(d)
    yield from confirm_fee(d, app)
    yield d.screen("qr")
    d.tap_id("cancel")
    yield d.until("old card handed back", lambda: hands.issuer_sim.position == "gate", timeout=20)
    d.shot("returning")
    hands.issuer_sim.take_card()
    yield d.until("the ID card asked back", lambda: app.sm.current == "take_cards", timeout=20)
    hands.remove_id_card()
    yield d.screen("attract", timeout=20)

    # -- the next citizen's session still times out after a give-up at payment, and may ask for more time ----
    d.service("next_session")
    yield from d.open("status")
    yield d.screen("place_id")
    hands.place_id_card("no_card")
    yield d.screen("status_result")
    app.session_timeout_s = 4
    yield d.until("asked: more time?", lambda: app.more_time_view.parent is not None, timeout=10)
    d.shot("countdown_more_time")
    d.tap(app.more_time_view.ids.go_on)
    assert app.session.extensions == 1
    yield d.until("timed out: the ID card asked back", lambda: app.sm.current == "take_cards", timeout=15)
    hands.remove_id_card()
    yield d.screen("attract", timeout=15)
    app.session_timeout_s = 60
    assert app.session.extensions == 0 and app.more_time_view.parent is None

    # -- every way a session ends leads to the same start: language back, data gone, the next one times out --
    d.service("session_ends")
    service = app.kiosk.devices.service

    def broken(_id_number):
        raise RuntimeError("a bug in a step")
    endings = {   # how the session ends: (what the citizen or the kiosk does, what must be on screen first)
        "done": lambda: d.tap_id("done"),
        "timeout": lambda: setattr(app, "session_timeout_s", 4),
        "cancel": lambda: d.tap_id("cancel"),
        "exception": lambda: setattr(service, "card_status", broken) or hands.place_id_card("normal"),
        "device_fault": lambda: hands.idreader_sim.unplug(),
    }   # (giving up at the fee: "replace_unpaid" and "next_session" above)
    for ending, act in endings.items():
        d.tap(app.root.ids.language)
        yield d.until("English for this citizen", lambda: app.lang == "en")
        yield from d.open("status")
        yield d.screen("place_id")
        if ending in ("done", "timeout"):                 # this citizen's status on screen first
            hands.place_id_card("normal")
            yield d.screen("status_result", timeout=30)
        act()
        if ending in ("exception", "device_fault"):
            yield d.until(f"{ending}: said in words", lambda: app.sm.current == "message", timeout=15)
            d.shot(ending)
            d.tap_id("primary")
        if ending == "timeout":           # the timer ends it with the ID card in: asked back first
            yield d.until("timed out: the ID card asked back", lambda: app.sm.current == "take_cards", timeout=15)
        hands.remove_id_card()            # (asked for, where it was still in the machine)
        yield d.screen("attract", timeout=20)
        app.session_timeout_s = 60
        assert app.lang == "zh" and not app.session.active, ending      # reset for the next person
        service.__dict__.pop("card_status", None)
        if ending == "device_fault":
            hands.idreader_sim.plug()
        # the next citizen: their own data only, and their session times out
        yield from d.open("status")
        yield d.screen("place_id")
        hands.place_id_card("no_card")
        yield d.screen("status_result", timeout=30)
        assert d.current().who.startswith("刘*"), (ending, d.current().who)     # never the last citizen's
        app.session_timeout_s = 4
        yield d.until(f"after {ending}: the next session times out", lambda: app.sm.current == "take_cards", timeout=15)
        hands.remove_id_card()
        yield d.screen("attract", timeout=15)
        app.session_timeout_s = 60

    d.service("replace_temp_lost")
    yield from d.open("replace")
    yield d.screen("place_id")
    hands.place_id_card("temp_lost")
    yield d.until("explained", lambda: app.sm.current == "message" and "正式挂失" in d.current().body)
    d.shot("explained")
    yield from finish(d, app, hands)

    # -- change the mobile number: a wrong number is refused in words ------------------------------------
    d.service("contact")
    yield from d.open("contact")
    yield d.screen("place_id")
    hands.place_id_card("normal")
    yield d.screen("choice")
    d.shot("choose")
    d.tap_id("choice_phone")
    yield d.screen("digits")
    for digit in "12345678901":
        d.tap(d.key(digit))
    d.tap_id("confirm")
    yield d.until("number refused", lambda: app.sm.current == "digits" and d.current().error != "")
    assert d.current().dots == "123 4567 8901"          # kept, grouped, in the error colour
    d.shot("phone_refused")
    d.tap(d.current().ids["key_clear"])
    for digit in "13912345678":
        d.tap(d.key(digit))
    d.shot("phone")
    d.tap_id("confirm")
    yield d.until("read back", lambda: app.sm.current == "message" and d.current().title == "请核对手机号码")
    d.shot("phone_read_back")
    d.tap_id("primary")                                   # 号码正确: the service texts a code
    yield d.until("code asked", lambda: app.sm.current == "digits" and d.current().prompt == "请输入短信验证码")
    d.shot("code")
    for digit in hands.texted_code("13912345678"):
        d.tap(d.key(digit))
    d.tap_id("confirm")
    yield d.until("changed", lambda: app.sm.current == "message" and d.current().title == "联系方式已修改")
    d.shot("done")
    yield from finish(d, app, hands)

    # -- the e-card's sign-up QR; someone without a card is told why not ----------------------------------
    d.service("ecard")
    yield from d.open("ecard")
    yield d.screen("place_id")
    hands.place_id_card("normal")
    yield d.screen("qr")
    d.shot("qr")
    d.tap_id("extra")
    yield d.until("receipt", lambda: app.sm.current == "message" and d.current().title == "凭条已打印")
    yield from finish(d, app, hands)

    yield from refusal(d, "ecard_no_card", "ecard", "producing", None, "实体社保卡")

    # -- cancellation: explained, with the steps on paper ----------------------------------------------------
    d.service("cancel")
    yield from d.open("cancel")
    yield d.until("reasons", lambda: app.sm.current == "choice" and "choice_death" in d.current().ids)
    d.shot("reasons")
    d.tap_id("choice_death")
    yield d.until("guide", lambda: app.sm.current == "message" and d.current().title == "注销指引：持卡人去世")
    d.shot("guide")
    d.tap_id("secondary")
    yield d.until("receipt", lambda: app.sm.current == "message" and d.current().title == "凭条已打印")
    yield from finish(d, app, hands)

    # -- a guardian applies for a ten-year-old's card; a "guardian" of an adult is sent to the holder -------
    d.service("guardian")
    yield from d.open("agent")
    yield d.screen("choice")
    d.tap_id("choice_guardian")
    yield d.until("services", lambda: app.sm.current == "choice" and "choice_issue" in d.current().ids)
    assert "choice_reset_pin" in d.current().ids               # a guardian may set a minor's PIN
    d.shot("services")
    d.tap_id("choice_issue")
    yield d.screen("place_id")
    yield from actor_then_holder(d, hands, "normal", "child")
    yield d.until("confirm", lambda: app.sm.current == "message" and d.current().title == "确认申领社保卡")
    d.shot("confirm")
    d.tap_id("primary")
    yield from approve_photo(d)
    yield from take_new_card(d, app, hands, "制卡完成")
    d.shot("done")
    yield from finish(d, app, hands)

    d.service("guardian_of_adult")
    yield from d.open("agent")
    yield d.screen("choice")
    d.tap_id("choice_guardian")
    yield d.until("services", lambda: app.sm.current == "choice" and "choice_contact" in d.current().ids)
    d.tap_id("choice_contact")
    yield d.screen("place_id")
    yield from actor_then_holder(d, hands, "normal", "gen2")
    yield refused(d, app, "已满18周岁")
    d.shot("refused")
    yield from finish(d, app, hands)

    # -- an agent with a power of attorney applies for someone else's new card -----------------------------
    d.service("agent")
    yield from d.open("agent")
    yield d.screen("choice")
    d.shot("role")
    d.tap_id("choice_agent")
    yield d.until("power of attorney", lambda: app.sm.current == "message" and d.current().title == "授权委托书")
    d.shot("attorney")
    d.tap_id("primary")
    yield d.until("services", lambda: app.sm.current == "choice" and "choice_issue" in d.current().ids)
    assert "choice_reset_pin" not in d.current().ids          # PIN services stay with the holder
    d.shot("services")
    d.tap_id("choice_issue")
    yield d.screen("place_id")
    d.shot("actor_id")
    yield from actor_then_holder(d, hands, "normal", "no_card")   # the agent's own ID card, then the holder's
    yield d.until("confirm", lambda: app.sm.current == "message" and d.current().title == "确认申领社保卡")
    d.tap_id("primary")
    yield from approve_photo(d)
    yield from take_new_card(d, app, hands, "制卡完成")
    d.shot("done")
    yield from finish(d, app, hands)

    # -- English, switched live in the middle of a service, and back ----------------------------------------
    d.service("english")
    d.tap(app.root.ids.language)
    yield d.until("English", lambda: app.lang == "en")
    yield from every_page_fits(d)
    d.shot("attract")
    yield from d.open("status")
    yield d.screen("place_id")
    d.shot("place_id")
    hands.place_id_card("temp_lost")
    yield d.screen("status_result")
    d.shot("status_result")
    d.tap(app.root.ids.language)
    yield d.until("Chinese again", lambda: app.lang == "zh")
    d.shot("status_result_zh")
    yield from take_cards(d)

    # -- elderly mode, switched on the home screen: larger type, six tiles a page (2 × 3), twice the time ----
    d.service("elderly")
    d.tap_id("elderly")
    yield d.until("elderly mode", lambda: app.elderly)
    d.shot("attract")
    menu = app.sm.get_screen("attract")
    assert len([w for w in menu.ids.grid.children if hasattr(w, "service")]) == 6 and menu.ids.grid.cols == 2
    assert app.session.active           # the mode is this citizen's: their session's timer puts it back
    yield from every_page_fits(d)
    d.tap(app.root.ids.language)
    yield d.until("English, elderly", lambda: app.lang == "en")
    yield from every_page_fits(d)
    d.shot("attract_en")
    d.tap(app.root.ids.language)
    yield d.until("Chinese again", lambda: app.lang == "zh")
    yield from d.open("status")
    yield d.screen("place_id")
    d.shot("place_id")
    assert d.current().seconds == 120 and "秒内完成" in d.current().countdown      # 60 s doubled, counted
    hands.place_id_card("normal")
    yield d.screen("status_result")
    d.shot("status_result")
    yield from take_cards(d)
    yield d.until("elderly mode ends with the session", lambda: not app.elderly)

    # -- call staff from the middle of a service: the service is told, the citizen keeps their place ------
    d.service("call_staff")
    yield from d.open("change_pin")
    yield d.screen("insert_card")
    d.tap(app.root.ids.call_staff)
    yield d.until("staff called", lambda: app.root.staff_text == "已呼叫，请稍候")
    assert app.sm.current == "insert_card"
    d.shot("called")
    d.tap_id("cancel")
    yield d.screen("attract")


def qr_payload(app) -> str:
    return app.sm.get_screen("qr").payload


def test_every_other_service_by_touch(tmp_path, display, vpcd_reader):
    state = tmp_path / "state"
    from kiosk.logsetup import configure
    configure(str(state))
    from kiosk.screens import boot
    boot.prepare(str(state), fullscreen=False, width=1280, height=800)
    from kiosk.config import Config, UiConfig
    from kiosk.runtime import Kiosk
    from kiosk.screens.app import KioskApp
    from kiosk.voice import RecordingPlayer, Voice
    from tests.ui_driver import Driver

    kiosk = Kiosk(Config(state_dir=str(state), cardreader="vpcd", ui=UiConfig(fullscreen=False)))
    player = RecordingPlayer()
    kiosk.voice.close()
    kiosk.voice = Voice(str(state / "voice"), player)          # real espeak-ng, a recording "speaker"
    app = KioskApp(kiosk, session_timeout_s=60, randomise_pin_pad=True)
    driver = Driver(app, str(ARTIFACTS))
    driver.run(script)
    try:
        app.run()
        service = kiosk.devices.service
        jobs = list(kiosk.hands.printer_sim.jobs)
        states = {key: service.card_status(demo.by_key(key).id_number)["card"] for key in
                  ("sealed", "normal", "pin_locked", "expiring", "lost", "gen2", "no_card", "child")}
        unfinished = kiosk.devices.journal.unfinished()
        in_bin = [card.holder if card else None for card in kiosk.hands.station.in_bin]
        spoken = list(player.played)
        voice_cache = kiosk.voice.cache
    finally:
        kiosk.close()
    assert driver.error is None, driver.error
    assert driver.finished, "the app stopped before the script ended"

    assert states["sealed"]["state"] == "normal"                       # activated
    assert states["pin_locked"]["state"] == "normal"                   # unlocked
    assert states["expiring"]["card_number"] != demo.by_key("expiring").card_number   # renewed: a new card
    assert states["lost"]["card_number"] != demo.by_key("lost").card_number
    assert states["gen2"]["card_number"] == demo.by_key("gen2").card_number           # unpaid: nothing changed
    assert states["no_card"] is not None                               # the agent's application made a card
    assert states["child"] is not None                                 # …and the guardian's
    assert unfinished == []
    assert demo.by_key("expiring").name in in_bin                      # the old card went to the reject bin
    assert demo.by_key("gen2").name not in in_bin                      # …but not the one handed back

    # every receipt is readable Chinese, masked, carries its transaction QR and never a PIN
    assert len(jobs) == 5          # activate, reset, renewal, e-card guide, cancellation guide
    for job in jobs:
        text = job.decoded.text()
        assert qr_texts(job.decoded)[0].startswith("SIM-0001-")
        assert not any(pin in text for pin in PINS)
        for citizen in demo.CITIZENS:
            assert citizen.id_number not in text

    # the steps were spoken in Mandarin (synthesized by espeak-ng, played by the recording speaker)
    assert voice_cache.path_for("请将身份证放在读卡区") in spoken
    assert voice_cache.path_for("请插入社保卡") in spoken

    # no PIN anywhere the kiosk wrote
    for path in state.rglob("*"):
        if path.is_file() and path.suffix not in (".png", ".wav") and "fonts" not in path.parts:
            data = path.read_bytes()
            for pin in PINS:
                assert pin.encode() not in data, f"PIN found in {path}"

    record_touches(driver.touches)
    print("touches per service:", json.dumps(driver.touches, ensure_ascii=False))
    print("screenshots:", *[os.path.relpath(s, ARTIFACTS) for s in driver.shots], sep="\n  ")
