"""The simulator panel's camera row under Xvfb: a tester touches 本人/他人/照片/无人/两人 and the simulated
camera shows that from its next frame; the panel's status says who stands in front of it. Screenshot under
tests/artifacts/screens/camera_panel/."""
from __future__ import annotations

import pytest

from tests.ui_app import kiosk_app

pytestmark = pytest.mark.timeout(180)


def script(d, seen: dict):
    app = d.app
    camera = app.kiosk.devices.camera
    panel = app.root.ids.simpanel
    d.service("camera_panel")
    yield d.screen("attract")
    row = panel.ids.camera_shows
    buttons = {b.text: b for b in row.children}
    seen["buttons"] = [b.text for b in reversed(row.children)]
    panel.scroll_to(row, animate=False)
    yield d.until("the camera row in view", lambda: row.to_window(*row.center)[1] > 0)
    for words, shows in (("他人", "other"), ("照片", "photo"), ("无人", "nobody"), ("两人", "two"),
                         ("本人", "holder")):
        d.tap(buttons[words])
        yield d.until(f"showing {shows}", lambda: camera.showing == shows, timeout=5)
        seen.setdefault("status", []).append(f"摄像头前：{words}" in panel.status_text)
        if shows == "photo":
            d.shot("photo_held_up")


def test_the_panel_switches_who_stands_in_front_of_the_simulated_camera(tmp_path, display):
    seen: dict = {}
    with kiosk_app(tmp_path, lambda d: script(d, seen)) as run:
        assert run.kiosk.devices.camera.status().detail == "simulated camera (showing: holder)"
    assert seen["buttons"] == ["本人", "他人", "照片", "无人", "两人"]
    assert seen["status"] == [True] * 5
