"""The photo approval by touch under Xvfb: a new card's photo shown on its face preview, retaken, approved,
and the card face the printer received. Screenshots under tests/artifacts/screens/card_face/ (the photo
screen in both languages and both scales) and the printed face as card-face.png beside them."""
from __future__ import annotations

import os
import shutil

import pytest

from tests.ui_app import kiosk_app
from tests.ui_steps import take_cards

pytestmark = pytest.mark.timeout(240)


def outside_the_window(screen, size=(1280, 800)) -> list[str]:
    """Every visible widget of ``screen`` that leaves the window, or whose text is taller than its box."""
    from kivy.uix.label import Label
    faults = []
    for widget in screen.walk(restrict=True):
        if widget is screen or widget.opacity == 0 or widget.width <= 0:
            continue
        x0, y0 = widget.to_window(widget.x, widget.y)
        x1, y1 = widget.to_window(widget.right, widget.top)
        name = f"{type(widget).__name__} {getattr(widget, 'text', '')[:20]!r}"
        if x0 < -1 or y0 < -1 or x1 > size[0] + 1 or y1 > size[1] + 1:
            faults.append(f"{name} at {(round(x0), round(y0), round(x1), round(y1))}")
        if isinstance(widget, Label) and widget.text and widget.texture_size[1] > widget.height + 1:
            faults.append(f"{name}: text {widget.texture_size[1]} px in a {widget.height:.0f} px box")
    return faults


def script(d):
    app = d.app
    hands = app.kiosk.hands
    camera = app.kiosk.devices.camera
    d.service("card_face")
    yield d.screen("attract")                     # laid out and drawn before the first touch
    yield from d.open("issue")
    yield d.screen("place_id")
    hands.place_id_card("no_card")
    yield d.until("eligibility confirmed", lambda: app.sm.current == "message" and d.current().title == "确认申领社保卡")
    d.tap_id("primary")
    yield d.screen("photo")
    # shown before anything is made; a shot that caught a blink is taken again at once (1-3 stills)
    assert 1 <= camera.captures <= 3 and hands.issuer_sim.hopper == 50
    first_shot = camera.captures
    screen = d.current()
    assert str(screen.title) == "请确认制卡照片"
    assert outside_the_window(screen) == [], outside_the_window(screen)
    d.shot("photo")
    d.tap_id("secondary")                                             # 重新拍照
    yield d.until("photo taken again", lambda: app.sm.current == "photo" and camera.captures > first_shot)
    d.shot("photo_retaken")

    app.set_elderly(True)                                             # the same screen for an elderly citizen
    yield d.until("elderly", lambda: app.scale > 1)
    assert outside_the_window(d.current()) == [], outside_the_window(d.current())
    d.shot("photo_elderly")
    d.tap(app.root.ids.language)
    yield d.until("English", lambda: app.lang == "en")
    assert outside_the_window(d.current()) == [], outside_the_window(d.current())
    d.shot("photo_elderly_english")
    app.set_elderly(False)
    yield d.until("standard size", lambda: app.scale == 1)
    assert outside_the_window(d.current()) == [], outside_the_window(d.current())
    d.shot("photo_english")
    d.tap(app.root.ids.language)
    yield d.until("Chinese", lambda: app.lang == "zh")

    d.tap_id("primary")                                               # 确认使用此照片
    yield d.screen("issuing")
    yield d.until("card at the gate", lambda: hands.issuer_sim.position == "gate", timeout=40)
    hands.issuer_sim.take_card()
    yield d.until("card issued", lambda: app.sm.current == "choice" and d.current().title == "制卡完成", timeout=30)
    d.shot("done")
    shutil.copy(hands.faceprinter_sim.printed[0], os.path.join(d.shots_root, "card_face", "card-face.png"))
    yield from take_cards(d)


def test_the_citizen_retakes_and_approves_the_photo_by_touch(tmp_path, display):
    with kiosk_app(tmp_path, script) as run:
        printed = list(run.kiosk.hands.faceprinter_sim.printed)
        captures = run.kiosk.devices.camera.captures
    assert 2 <= captures <= 6 and len(printed) == 1          # two shots, each 1-3 stills (a blink retaken)
    # tile, 开始制卡, 重新拍照, language there and back, 确认使用此照片, 完成
    assert run.driver.touches["card_face"] == 7
