"""人证核验 and the card photo by touch under Xvfb, with the simulated camera showing real photographs: the live
preview with its oval guide and "请眨眨眼", a pass that goes on to the card, the failure screen when someone
else stands there, and a card photo refused with its reason ("照片中只能有一个人") then taken and printed.
Screenshots under tests/artifacts/screens/face_check/ and card_photo/, with the printed face beside them."""
from __future__ import annotations

import os
import shutil

import pytest

from tests.layout_check import problems
from tests.ui_app import kiosk_app
from tests.ui_steps import take_cards

pytestmark = pytest.mark.timeout(300)


def preview_ok(d) -> None:
    screen = d.current()
    faults = problems(d.app.root)
    assert faults == [], faults
    assert tuple(screen.ids.preview.texture.size) == (1280, 720)       # the whole frame, live


def id_card_back(d):
    """The visit ends with the ID card still on the reader: asked for, taken, home."""
    yield d.screen("take_cards")
    d.app.kiosk.hands.remove_id_card()
    yield d.screen("attract")


def face_check(d):
    app, hands = d.app, d.app.kiosk.hands
    camera = app.kiosk.devices.camera
    d.service("face_check")
    yield d.screen("attract")
    yield from d.open("reset_pin")
    yield d.screen("place_id")
    hands.place_id_card("normal")
    yield d.screen("camera")
    yield d.until("the preview asks for a blink", lambda: d.current().guidance_key == "blink"
                  and d.current().frames_shown > 3, timeout=30)
    preview_ok(d)
    d.shot("preview_blink")
    yield d.screen("insert_card", timeout=30)                  # passed: the card is asked for next
    d.shot("passed")
    d.tap_id("cancel")
    yield from id_card_back(d)

    d.service("face_check_other")                              # someone else with this ID card
    camera.show("other")
    yield from d.open("reset_pin")
    yield d.screen("place_id")
    hands.place_id_card("normal")
    yield d.until("the first try failed", lambda: app.sm.current == "message"
                  and d.current().title == "人脸核验未通过", timeout=40)
    assert "不一致" in d.current().body and "还可以再试 2 次" in d.current().body
    d.shot("no_match")
    d.tap_id("secondary")                                      # 不办了
    yield from id_card_back(d)
    camera.show("holder")


def card_photo(d):
    app, hands = d.app, d.app.kiosk.hands
    camera = app.kiosk.devices.camera
    d.service("card_photo")
    yield from d.open("issue")
    yield d.screen("place_id")
    hands.place_id_card("no_card")
    yield d.until("eligible", lambda: app.sm.current == "message" and d.current().title == "确认申领社保卡",
                  timeout=40)
    camera.show("two")                                          # someone else stays in the picture
    d.tap_id("primary")                                         # 开始制卡
    yield d.screen("camera")
    yield d.until("two people seen", lambda: d.current().guidance_key == "two_faces", timeout=30)
    preview_ok(d)
    d.shot("preview_two_people")
    yield d.until("the photo refused with its reason", lambda: app.sm.current == "message"
                  and d.current().title == "照片不符合要求", timeout=30)
    assert "照片中只能有一个人" in d.current().body
    assert problems(d.app.root) == []
    d.shot("refused_two_people")
    camera.show("holder")                                       # the other person steps away
    d.tap_id("primary")                                         # 重新拍照
    yield d.screen("camera")
    yield d.until("the countdown", lambda: d.current().countdown != "", timeout=30)
    d.shot("countdown")
    yield d.screen("photo", timeout=30)
    d.shot("approve")
    d.tap_id("primary")                                         # 确认使用此照片
    yield d.screen("issuing")
    yield d.until("card at the gate", lambda: hands.issuer_sim.position == "gate", timeout=40)
    hands.issuer_sim.take_card()
    yield d.until("card issued", lambda: app.sm.current == "choice" and d.current().title == "制卡完成", timeout=30)
    shutil.copy(hands.faceprinter_sim.printed[0], os.path.join(d.shots_root, "card_photo", "card-face.png"))
    yield from take_cards(d)


def script(d):
    yield from face_check(d)
    yield from card_photo(d)


def test_the_face_check_and_the_card_photo_by_touch(tmp_path, display, monkeypatch):
    from kiosk.flows import photo_step
    monkeypatch.setattr(photo_step, "SHOOT_TIMEOUT_S", 8)    # the refused shot's wait, shortened for the test
    with kiosk_app(tmp_path, script) as run:
        printed = list(run.kiosk.hands.faceprinter_sim.printed)
        calls = run.kiosk.service.store.query("SELECT reason FROM staff_calls")
    assert len(printed) == 1 and calls == []        # one card made; giving up after one try calls nobody
    # the holder passes with no touch at the camera; the card photo needs none but its approval
    assert run.driver.touches["face_check"] == 2          # tile, cancel on the card's screen
    assert run.driver.touches["face_check_other"] == 2    # tile, 不办了
    assert run.driver.touches["card_photo"] == 5          # tile, 开始制卡, 重新拍照, 确认使用此照片, 完成
