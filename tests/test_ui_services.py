"""Both walking-skeleton services driven by touch under Xvfb, through the real drivers: the GA 467 reader
on a pseudo-terminal, the card behind pcscd/vpcd, the service over HTTP and the printer over TCP.
A screenshot of every screen passed is saved under tests/artifacts/screens/<service>/NN-<screen>.png."""
from __future__ import annotations

import os
import pathlib

import pytest

from kiosk import demo
from kiosk.hw.idreader.samples import expired as expired_id_card
from tests.receipt_tools import qr_texts
from tests.test_theme import contrast
from tests.ui_steps import every_page_fits, present_cards, refusal, take_cards
from tests.ui_touches import record_touches

ARTIFACTS = pathlib.Path(__file__).parent / "artifacts" / "screens"
PINS = ("135790", "802468", "111111", "975310")   # every PIN typed in this test
pytestmark = pytest.mark.timeout(300)


def script(d):
    app = d.app
    hands = app.kiosk.hands
    attract = app.sm.get_screen("attract")

    # -- query card status: temporarily reported lost, with a receipt ----------------------------------
    d.service("status")
    yield d.screen("attract")
    d.press_key(27, 41)               # Esc must not end the kiosk
    d.press_key(282, 58)              # F1 must not open Kivy's settings panel
    yield d.until("keys ignored", lambda: app.sm.current == "attract" and app._app_settings is None)
    d.shot("attract")                 # the home screen is the menu: the tiles at once
    home = app.sm.get_screen("attract")
    assert "tile_status" in home.ids and "elderly" in home.ids and len(home.ids.grid.children) == 9
    yield from every_page_fits(d)
    assert not app.session.active     # nobody has chosen anything yet: no session, no clock
    yield from d.open("status")
    yield d.screen("place_id")
    d.shot("place_id")
    hands.place_id_card("temp_lost")
    yield d.screen("status_result")
    d.shot("status_result")
    assert d.current().label == "卡片状态：临时挂失", d.current().label
    d.tap_id("print_receipt")
    yield d.until("status receipt printed",
                  lambda: app.sm.current == "message" and len(hands.printer_sim.jobs) == 1)
    d.shot("receipt_printed")
    yield from take_cards(d)

    # -- an expired ID card is refused in words, whatever the service ----------------------------------
    d.service("status_expired_id")
    yield from d.open("status")
    yield d.screen("place_id")
    hands.idreader_sim.place(expired_id_card())
    yield d.until("refused: expired", lambda: app.sm.current == "message" and "过期" in d.current().body)
    d.shot("refused")
    yield from take_cards(d)

    # -- a card in its renewal window: the expiry and what to do about it ------------------------------
    d.service("status_expiring")
    yield from d.open("status")
    yield d.screen("place_id")
    hands.place_id_card("expiring")
    yield d.screen("status_result")
    assert "补卡换卡" in d.current().advice and "有效期至" in d.current().extra
    d.shot("status_result")
    yield from take_cards(d)

    # -- query card status: no card yet; the session times out back to the attract screen -------------
    d.service("status_no_card")
    yield from d.open("status")
    yield d.screen("place_id")
    hands.place_id_card("no_card")
    yield d.screen("status_result")
    d.shot("status_result")
    assert d.current().label == "卡片状态：未申领", d.current().label
    app.session_timeout_s = 4
    yield d.until("asked: more time?", lambda: app.more_time_view.parent is not None, timeout=10)
    d.shot("countdown")
    yield d.until("timed out: the ID card asked back", lambda: app.sm.current == "take_cards", timeout=10)
    app.session_timeout_s = 60
    d.shot("take_id_card")
    hands.remove_id_card()
    yield d.screen("attract", timeout=10)
    d.shot("attract_after_timeout")

    # -- apply for a card and take it away (立等可取), then 立即启用 without placing the ID card again --------
    d.service("issue")
    yield from d.open("issue")
    yield d.screen("place_id")
    d.shot("place_id")
    hands.place_id_card("no_card")
    yield d.until("eligibility confirmed", lambda: app.sm.current == "message" and d.current().title == "确认申领社保卡")
    d.shot("confirm")
    d.tap_id("primary")
    yield d.screen("photo")                        # the photo the card will carry, approved first
    d.shot("photo")
    d.tap_id("primary")
    yield d.screen("issuing")
    d.shot("issuing")
    yield d.until("card at the gate, and the heading says so", lambda: hands.issuer_sim.position == "gate"
                  and app.sm.get_screen("issuing").title == "新卡已制好，请从出卡口取走", timeout=30)
    d.shot("take_card")
    hands.issuer_sim.take_card()
    yield d.until("card issued", lambda: app.sm.current == "choice" and d.current().title == "制卡完成", timeout=30)
    assert "choice_activate_now" in d.current().ids
    d.shot("done")
    d.tap_id("choice_receipt")
    yield d.until("issuance receipt printed", lambda: app.sm.current == "message" and len(hands.printer_sim.jobs) == 2)
    d.shot("receipt_printed")
    import shutil
    shutil.copy(hands.faceprinter_sim.printed[0], os.path.join(d.shots_root, "issue", "card-face.png"))
    d.service("issue_activate_now")
    d.tap_id("secondary")                                   # 立即启用: the ID card read above is used again
    yield d.screen("insert_card")
    assert app.root.title_text == "启用社保卡"
    d.shot("insert_new_card")
    hands.card_slot.insert(hands.station.in_hand[-1])       # the card just taken from the gate
    yield d.screen("pin_new")
    d.shot("pin_new")
    d.type_pin("802468")
    yield d.screen("pin_again")
    d.type_pin("802468")
    yield d.until("activated", lambda: app.sm.current == "message" and d.current().title == "社保功能已启用")
    d.shot("activated")
    yield from take_cards(d)

    # -- change PIN: a wrong old PIN, a weak new PIN (each counted in its own row), a confirmation naming
    # the card, then success and a receipt -----------------------------------------------------------------
    d.service("change_pin")
    yield from present_cards(d, "change_pin", card_key="normal", shots=("insert_card",))
    yield d.screen("pin_old")
    d.shot("pin_old")
    d.counting("change_pin_wrong_pin")
    d.type_pin("111111")
    yield d.until("tries left shown", lambda: app.sm.current == "pin_old" and "5次" in d.current().error)
    d.shot("pin_old_wrong")
    d.counting(None)
    for digit in "13579":
        d.tap(d.key(digit))
    yield d.until("five digits in", lambda: len(d.current().pin) == 5)
    d.shot("pin_old_five_digits")                # no 确认 key: the sixth digit goes on by itself
    assert d.current().ids.confirm.disabled and "更正" in [k.text for k in d.current().ids.keypad.children]
    d.tap(d.key("0"))
    yield d.screen("pin_new")
    d.shot("pin_new")
    d.counting("change_pin_weak_pin")
    d.type_pin("123456")
    yield d.until("weak PIN refused", lambda: app.sm.current == "pin_new" and "连续" in d.current().error)
    d.shot("pin_new_refused")
    d.counting(None)
    d.type_pin("802468")
    yield d.screen("pin_again")
    d.shot("pin_again")
    d.type_pin("802468")
    yield d.until("asked to confirm, naming the card", lambda: app.sm.current == "message"
                  and d.current().title == "确认修改密码" and "A0****001" in d.current().body)
    d.shot("confirm")
    d.tap_id("primary")                          # 确认修改
    yield d.until("PIN changed", lambda: app.sm.current == "message" and d.current().title == "密码修改成功")
    d.shot("changed")
    d.counting("change_pin_receipt")
    d.tap_id("secondary")
    yield d.until("PIN receipt printed",
                  lambda: app.sm.current == "message" and len(hands.printer_sim.jobs) == 3)
    d.shot("receipt_printed")
    yield from take_cards(d)

    # -- change PIN on a card whose PIN is blocked: the card answers 6983 -----------------------------
    d.service("change_pin_blocked")
    yield from present_cards(d, "change_pin", card_key="pin_locked")
    yield d.screen("pin_old")
    d.type_pin("975310")
    yield d.until("blocked message", lambda: app.sm.current == "message" and d.current().title == "密码已锁定")
    d.shot("blocked")
    yield from take_cards(d)

    # -- report a loss (temporary), then release another card's loss with ID card + card ---------------
    d.service("loss")
    yield from d.open("loss")
    yield d.screen("place_id")
    hands.place_id_card("gen2")
    yield d.until("kinds offered", lambda: app.sm.current == "choice" and d.current().title == "请选择挂失方式")
    d.shot("choose")
    d.tap_id("choice_temporary")
    yield d.until("reported", lambda: app.sm.current == "message" and d.current().title == "挂失成功")
    d.shot("done")
    yield from take_cards(d)

    d.service("release")
    yield from present_cards(d, "release", "temp_lost", "temp_lost", shots=("insert_card",))
    yield d.until("released", lambda: app.sm.current == "message" and d.current().title == "已解除挂失")
    d.shot("done")
    d.tap_id("secondary")
    yield d.until("release receipt printed", lambda: app.sm.current == "message" and len(hands.printer_sim.jobs) == 4)
    yield from take_cards(d)

    # -- the main refusals of the same services, in words ------------------------------------------------
    yield from refusal(d, "issue_has_card", "issue", "normal", None, "")        # one card per province
    yield from refusal(d, "loss_no_card", "loss", "producing", None, "可挂失")  # a card being made: nothing to report
    yield from refusal(d, "release_not_holder", "release", "normal", "lost", "同一人")

    # -- the ID reader is unplugged: the home screen pauses the services that need it, in plain words ------
    d.service("device_offline")
    menu = app.sm.get_screen("attract")
    hands.idreader_sim.unplug()
    app.watch.poll_once()
    yield d.until("status tile paused", lambda: "暂停办理" in menu.ids.tile_status.notice)
    tile = menu.ids.tile_status
    assert "身份证读卡设备暂时不能使用" in tile.notice and "未就绪" not in tile.notice and tile.disabled
    assert menu.ids.tile_change_pin.notice == "" and not menu.ids.tile_change_pin.disabled
    note = tile.ids.note_label
    assert contrast(note.color, app.pal.SURFACE) >= 4.5 and tile.opacity == 1      # read on the tile's white
    d.shot("menu_idreader_offline")
    d.tap(tile)                                   # a paused tile does nothing: no session, no refusal later
    yield d.until("still home", lambda: True, timeout=1)
    assert app.sm.current == "attract" and app.journey is None and not app.session.active
    hands.idreader_sim.plug()
    app.watch.poll_once()
    yield d.until("status tile back", lambda: menu.ids.tile_status.notice == "" and not menu.ids.tile_status.disabled)


def test_status_and_change_pin_by_touch(tmp_path, display, vpcd_reader):
    state = tmp_path / "state"
    from kiosk.logsetup import configure
    configure(str(state))
    from kiosk.screens import boot
    boot.prepare(str(state), fullscreen=False, width=1280, height=800)
    from kiosk.config import Config, UiConfig
    from kiosk.runtime import Kiosk
    from kiosk.screens.app import KioskApp
    from tests.ui_driver import Driver

    kiosk = Kiosk(Config(state_dir=str(state), cardreader="vpcd", ui=UiConfig(fullscreen=False)))
    app = KioskApp(kiosk, session_timeout_s=60)
    driver = Driver(app, str(ARTIFACTS))
    driver.run(script)
    try:
        app.run()
        jobs = list(kiosk.hands.printer_sim.jobs)
        card_state = kiosk.devices.service.card("A00000001")["state"]
        locked_state = kiosk.devices.service.card("A00000004")["state"]
        issued = kiosk.devices.service.card_status(demo.by_key("no_card").id_number)["card"]
        released = kiosk.devices.service.card(demo.by_key("temp_lost").card_number)["state"]
        reported = kiosk.devices.service.card(demo.by_key("gen2").card_number)["state"]
        unfinished = kiosk.devices.journal.unfinished()
    finally:
        kiosk.close()
    assert driver.error is None, driver.error
    assert driver.finished, "the app stopped before the script ended"

    # both receipts decode as Chinese text with masked personal data and never a PIN
    status_text = jobs[0].decoded.text()
    assert "临时挂失" in status_text and "张*国" in status_text and "6101**********0037" in status_text
    assert "610104194807210037" not in status_text
    issue_text = jobs[1].decoded.text()
    assert "制卡完成" in issue_text and "刘*" in issue_text
    pin_text = jobs[2].decoded.text()
    assert "密码修改成功" in pin_text and "王*明" in pin_text
    assert [qr_texts(job.decoded)[0].startswith("SIM-0001-") for job in jobs] == [True] * 4
    assert "已解除挂失" in jobs[3].decoded.text() and "张*国" in jobs[3].decoded.text()
    assert "业务流水：" + qr_texts(jobs[2].decoded)[0] in pin_text      # the QR is the transaction number
    for job in jobs:
        assert os.path.exists(job.png)
        assert not any(pin in job.decoded.text() for pin in PINS)
    assert card_state == "normal" and locked_state == "pin_locked" and unfinished == []
    assert issued["state"] == "normal" and released == "normal" and reported == "temp_lost"   # 立即启用

    # no PIN anywhere the kiosk wrote: logs, journal, service database, raw receipts
    for path in state.rglob("*"):
        if path.is_file() and path.suffix != ".png" and "fonts" not in path.parts:
            data = path.read_bytes()
            for pin in PINS:
                assert pin.encode() not in data, f"PIN found in {path}"
                if path.suffix in (".db", ".log", ".db-wal"):
                    assert bytes.fromhex(pin) not in data, f"BCD PIN found in {path}"

    record_touches(driver.touches)
    print("touches per service:", driver.touches)
    print("screenshots:", *[os.path.relpath(s, ARTIFACTS) for s in driver.shots], sep="\n  ")
