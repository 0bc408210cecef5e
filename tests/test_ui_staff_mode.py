"""Staff mode by touch under Xvfb: the hidden gesture, the staff member's ID card and PIN (a wrong PIN refused),
refilling the hopper (counts reset and reported), emptying the reject bin, clearing a jam, pausing service
(the out-of-service screen, kept across the staff member leaving) and resuming it. Screenshots under
tests/artifacts/screens/staff_mode/."""
from __future__ import annotations

import pytest

from kiosk import demo
from tests.ui_app import kiosk_app

pytestmark = pytest.mark.timeout(300)


def secret_gesture(d):
    for _ in range(5):
        d.tap(d.app.root.ids.title)


def sign_in(d, pin: str):
    app, hands = d.app, d.app.kiosk.hands
    secret_gesture(d)
    yield d.screen("place_id")
    hands.place_id_card("staff")
    yield d.screen("pin_old")
    d.type_pin(pin)


def menu(d):
    return d.until("the staff menu", lambda: d.app.sm.current == "choice" and d.current().title == "工作人员模式")


def leave(d, then: str):
    app, hands = d.app, d.app.kiosk.hands
    d.tap_id("choice_leave")
    yield d.until("left staff mode", lambda: app.sm.current == "message" and d.current().title == "已退出工作人员模式")
    hands.remove_id_card()
    yield d.screen(then)


def script(d):
    app, hands = d.app, d.app.kiosk.hands
    issuer, sim = app.kiosk.devices.cardissuer, hands.issuer_sim
    d.service("staff_mode")
    yield d.screen("attract")
    d.tap(app.root.ids.title)                                  # one tap is nothing
    yield d.until("still home", lambda: app.sm.current == "attract", timeout=1)

    yield from sign_in(d, "111222")                            # a wrong PIN: refused, asked again
    yield d.until("the PIN asked again", lambda: app.sm.current == "pin_old" and "不正确" in d.current().error)
    d.shot("wrong_pin")
    d.type_pin(demo.STAFF_PIN)
    yield menu(d)
    assert d.current().body == "马*东（S0001），请选择操作"
    d.shot("menu")

    issuer.counts["since_refill"] = 41
    sim.hopper = 4                                             # low
    d.tap_id("choice_refill")
    yield d.until("the refill instructions", lambda: app.sm.current == "message" and d.current().title == "补充空白卡")
    assert issuer.exchange
    d.shot("refill_open")
    sim.refill(196)
    d.tap_id("primary")                                        # 已放好
    yield d.until("how many", lambda: app.sm.current == "choice" and d.current().title == "放入了多少张空白卡？")
    d.shot("refill_count")
    d.tap_id("choice_200")
    yield d.until("refilled", lambda: app.sm.current == "message" and d.current().title == "空白卡已补充")
    assert issuer.counts["loaded"] == 200 and issuer.counts["since_refill"] == 0 and not issuer.exchange
    d.shot("refilled")
    d.tap_id("primary")                                        # 返回

    issuer.counts["reject_count"] = sim.counter = sim.bin_count = 9
    yield menu(d)
    d.tap_id("choice_empty_bin")
    yield d.until("the bin instructions", lambda: app.sm.current == "message" and d.current().title == "清空废卡箱")
    sim.empty_bin()
    d.tap_id("primary")                                        # 已清空
    yield d.until("emptied", lambda: app.sm.current == "message" and d.current().title == "废卡箱已清空")
    assert issuer.counts["reject_count"] == 0 and sim.counter == 0
    d.shot("bin_emptied")
    d.tap_id("primary")

    sim.position = "ic"                                        # a card stuck in the channel
    yield menu(d)
    d.tap_id("choice_jam")
    yield d.until("jam cleared", lambda: app.sm.current == "message" and d.current().title == "卡堵已清除")
    assert sim.position == "none"
    d.shot("jam_cleared")
    d.tap_id("primary")

    yield menu(d)
    d.tap_id("choice_pause")
    yield d.until("paused", lambda: app.sm.current == "message" and d.current().title == "已暂停服务")
    d.tap_id("primary")
    yield menu(d)
    yield from leave(d, "paused")                              # no menu for citizens now
    d.shot("paused")

    yield from sign_in(d, demo.STAFF_PIN)                      # the gesture works on the paused screen too
    yield menu(d)
    d.tap_id("choice_resume")
    yield d.until("resumed", lambda: app.sm.current == "message" and d.current().title == "已恢复服务")
    d.tap_id("primary")
    yield menu(d)
    yield from leave(d, "attract")
    d.shot("back_in_service")


def test_staff_mode_by_touch(tmp_path, display):
    with kiosk_app(tmp_path, script) as run:
        trail = run.kiosk.devices.service._call("GET", "/v1/staff/audit")["audit"]
    actions = [a["action"] for a in reversed(trail)]
    assert actions[:2] == ["sign_in_refused", "signed_in"]
    for action in ("hopper_refilled", "bin_emptied", "jam_cleared", "service_paused", "signed_out",
                   "service_resumed"):
        assert action in actions, actions
    refill = next(a for a in trail if a["action"] == "hopper_refilled")
    assert refill["count"] == 200 and refill["staff_no"] == demo.STAFF_NO
