"""Staff mode as a journey (kiosk/flows/staff.py), played without Kivy on a whole simulated kiosk: sign-in with
the staff member's ID card and PIN checked by the service, the module's exchange procedure (hopper refill,
reject bin), paper, a jam cleared, tests, unsettled transactions settled by hand, pause and resume; each
action journalled and in the service's audit trail."""
from __future__ import annotations

import pytest

from kiosk import demo
from kiosk.flows import staff, staff_audit
from kiosk.pause import ServicePause
from tests.journey_player import Player, place


def staff_player(kiosk, pin: str = demo.STAFF_PIN) -> Player:
    pause = ServicePause(kiosk.config.state_dir)
    p = Player(kiosk, "staff", journey=staff.journey(kiosk.devices, pause), does=[place(kiosk, "staff")])
    return p.type(pin)


def audit_trail(kiosk) -> list[tuple]:
    rows = kiosk.devices.service._call("GET", "/v1/staff/audit")["audit"]
    return [(a["action"], a["count"], a["staff_no"]) for a in reversed(rows)]


def test_the_staff_member_signs_in_with_their_id_card_and_pin_and_sees_the_menu(kiosk):
    p = staff_player(kiosk)
    assert p.title == "工作人员模式" and p.body == "马*东（S0001），请选择操作"      # the name masked on screen
    assert {"status", "refill", "empty_bin", "paper", "jam", "tests", "unsettled", "pause", "leave"} <= set(p.options)
    p.choose("leave")
    assert p.title == "已退出工作人员模式"
    assert [a for a, _c, _s in audit_trail(kiosk)] == ["signed_in", "signed_out"]


def test_a_wrong_pin_is_refused_and_asked_again_then_three_end_staff_mode(kiosk):
    p = staff_player(kiosk, "111222")
    assert p.title == "请输入工作人员密码" and "不正确" in p.zh(p.step.error)
    p.type("111223")
    p.type("111224")
    assert p.ended == "failed" and "工作人员身份或密码不正确" in p.body
    assert [a for a, _c, _s in audit_trail(kiosk)] == ["sign_in_refused"] * 3


def test_a_citizens_id_card_does_not_open_staff_mode(kiosk):
    pause = ServicePause(kiosk.config.state_dir)
    p = Player(kiosk, "staff", journey=staff.journey(kiosk.devices, pause), does=[place(kiosk, "normal")])
    p.type(demo.STAFF_PIN)
    assert p.title == "请输入工作人员密码"          # the same answer as a wrong PIN: nobody learns who is staff


def test_refilling_the_hopper_resets_the_count_and_reports_how_many_were_loaded(kiosk):
    issuer, sim = kiosk.devices.cardissuer, kiosk.hands.issuer_sim
    issuer.counts["since_refill"] = 37
    sim.hopper = 3                                              # low
    p = staff_player(kiosk).choose("refill")
    assert p.title == "补充空白卡" and issuer.exchange           # the module is busy for the kiosk meanwhile
    sim.refill(197)                                             # the staff member loads the cards
    p.press("loaded").choose("200")
    assert p.title == "空白卡已补充" and "放入200张" in p.body and "补卡前已出卡37张" in p.body
    assert issuer.counts["loaded"] == 200 and issuer.counts["since_refill"] == 0 and not issuer.exchange
    assert kiosk.devices.cardissuer.status().media["hopper"] == "ok"
    p.press("back").choose("leave")
    assert ("hopper_refilled", 200, demo.STAFF_NO) in audit_trail(kiosk)
    txns = kiosk.devices.journal.transactions(staff_audit.KIND)
    assert [t["context"]["action"] for t in txns] == ["hopper_refilled", "signed_out"]


def test_a_refill_given_up_puts_the_module_back_into_use(kiosk):
    issuer = kiosk.devices.cardissuer
    p = staff_player(kiosk).choose("refill").press("back")
    assert p.title == "工作人员模式" and not issuer.exchange and issuer.counts["loaded"] == 0


def test_emptying_the_reject_bin_resets_its_count_here_and_in_the_module(kiosk):
    issuer, sim = kiosk.devices.cardissuer, kiosk.hands.issuer_sim
    issuer.counts["reject_count"] = sim.counter = sim.bin_count = 12
    p = staff_player(kiosk).choose("empty_bin")
    sim.empty_bin()
    p.press("emptied")
    assert p.title == "废卡箱已清空" and "取出12张废卡" in p.body
    assert issuer.counts["reject_count"] == 0 and sim.counter == 0
    assert ("bin_emptied", 12, demo.STAFF_NO) in audit_trail(kiosk)


def test_clearing_a_jam_captures_the_card_stuck_inside(kiosk):
    sim = kiosk.hands.issuer_sim
    sim.position = "ic"                                         # a card stuck in the channel
    p = staff_player(kiosk).choose("jam")
    assert p.title == "卡堵已清除" and "已收入废卡箱" in p.body and sim.position == "none"
    assert ("jam_cleared", None, demo.STAFF_NO) in audit_trail(kiosk)


def test_pausing_and_resuming_service_is_kept_across_a_restart_and_audited(kiosk):
    p = staff_player(kiosk).choose("pause")
    assert p.title == "已暂停服务"
    assert ServicePause(kiosk.config.state_dir).by()["staff_no"] == demo.STAFF_NO
    p.press("back")
    assert "resume" in p.options and "pause" not in p.options
    p.choose("resume").press("back")
    assert not ServicePause(kiosk.config.state_dir).paused
    assert [a for a, _c, _s in audit_trail(kiosk)][-2:] == ["service_paused", "service_resumed"]


def test_an_unsettled_transaction_is_settled_by_hand_with_who_did_it(kiosk):
    journal = kiosk.devices.journal
    journal.begin("SIM-0001-T1", "issuance", note="test")
    journal.step("SIM-0001-T1", "dispensed")
    p = staff_player(kiosk).choose("unsettled")
    assert "共1笔" in p.body
    p.choose("0")
    assert "最后一步：dispensed" in p.body
    p.press("settle")
    assert p.title == "未完成交易" and "没有未完成的交易" in p.body
    assert journal.unfinished() == []
    assert journal.details("SIM-0001-T1")[-1] == ("settled_by_staff", {"staff_no": demo.STAFF_NO})


def test_device_status_lists_every_device_and_the_modules_counts(kiosk):
    p = staff_player(kiosk).choose("status")
    assert p.title == "设备状态"
    for words in ("身份证读卡器", "制卡模块计数", "废卡箱0张"):
        assert words in p.body, p.body


def test_a_test_receipt_and_a_test_face_print(kiosk):
    p = staff_player(kiosk).choose("tests").choose("receipt")
    assert p.title == "测试凭条已打印"
    p.press("back").choose("tests").choose("face")
    assert p.title == "测试卡面已打印" and len(kiosk.hands.faceprinter_sim.printed) == 1


def test_audit_events_the_service_missed_are_sent_at_the_next_start(kiosk, monkeypatch):
    from kiosk.backend.client import ServiceError
    p = staff_player(kiosk)
    real = kiosk.devices.service.staff_audit

    def down(*_a, **_k):
        raise ServiceError("service down", zh="", en="")
    monkeypatch.setattr(kiosk.devices.service, "staff_audit", down)
    p.choose("pause")
    assert "service_paused" not in [a for a, _c, _s in audit_trail(kiosk)]
    monkeypatch.setattr(kiosk.devices.service, "staff_audit", real)
    assert len(staff_audit.deliver(kiosk.devices)) == 1
    assert "service_paused" in [a for a, _c, _s in audit_trail(kiosk)]


def test_staff_mode_that_times_out_mid_refill_puts_the_module_back_into_use_and_signs_out(kiosk):
    import time
    issuer = kiosk.devices.cardissuer
    p = staff_player(kiosk).choose("refill")
    assert issuer.exchange
    p.leave("timeout")                                          # the session's inactivity timer
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (issuer.exchange or "signed_out" not in [a for a, _c, _s in audit_trail(kiosk)]):
        time.sleep(0.1)
    assert not issuer.exchange
    assert [a for a, _c, _s in audit_trail(kiosk)][-1] == "signed_out"
