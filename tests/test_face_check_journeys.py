"""人证核验 in the journeys (kiosk/flows/face_check.py), with the real face engine and the simulated camera
showing real photographs: the holder passes, someone else or a print held up is refused after three tries
with staff called and nothing done; a child under 7 gets a card without a photo; nothing biometric is kept."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import sqlite3

import pytest

from PIL import Image

from kiosk import demo, idnumber
from kiosk.config import Config
from kiosk.faces import engine
from kiosk.flows import face_check, photo_step
from kiosk.flows import steps as s
from kiosk.flows.representation import Acting, Role
from kiosk.runtime import Kiosk
from tests.journey_player import Player, insert, place, take_back_id_card

# its own group: no X display or pcscd here (kiosk.screens.menu below is imported, no window opened), so it
# need not wait behind the UI tests on the shared-devices worker
pytestmark = [pytest.mark.timeout(240), pytest.mark.xdist_group("face-journeys")]


@pytest.fixture
def kiosk(tmp_path):
    """The embedded kiosk with the region's own face-check list (the shared fixture leaves it out)."""
    import gc
    k = Kiosk(Config(state_dir=str(tmp_path / "state"), issuer_timing=0))
    yield k
    gc.collect()
    k.close()


def show(kiosk, who: str) -> None:
    """What the simulated camera shows: "holder" (the person of the ID card on the reader), "other",
    "photo" (a print of the holder held up), "nobody", "two"."""
    kiosk.devices.camera.show(who)


def staff_calls(kiosk) -> list[tuple]:
    return [tuple(r) for r in kiosk.service.store.query("SELECT screen, service, reason FROM staff_calls")]


def everything_in(path: str) -> str:
    """Every row of every table of an SQLite file, as text."""
    db = sqlite3.connect(path)
    try:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return json.dumps([list(r) for name in tables for r in db.execute(f"SELECT * FROM {name}")],
                          ensure_ascii=False, default=lambda v: v.hex() if isinstance(v, bytes) else str(v))
    finally:
        db.close()


def journal_rows(kiosk) -> str:
    return everything_in(os.path.join(kiosk.config.state_dir, "journal.db"))


def failed_tries(p: Player, times: int) -> Player:
    """The citizen presses 再试一次 after each failed try but the last."""
    for _ in range(times):
        assert p.title == "人脸核验未通过", p.titles
        p.press(face_check.AGAIN)
    return p


def no_staff_check(p: Player) -> Player:
    """After the third failed try: staff are called and may check in person; the citizen does not wait."""
    assert p.title == "人脸核验未通过" and "工作人员到场后可当面核验" in p.body, p.titles
    return p.press(face_check.GIVE_UP)


def test_the_holder_at_the_camera_passes_and_goes_on_to_insert_the_card(kiosk):
    p = Player(kiosk, "reset_pin", does=[place(kiosk, "normal"), insert(kiosk, "normal")])
    assert p.titles[-1] == "请输入新密码" or "请插入社保卡" in p.titles, p.titles
    assert p.titles.index("人脸核验") < p.titles.index("请插入社保卡") and "blink" in p.guidance and p.frames > 5
    assert "face_check" in journal_rows(kiosk) and "passed" in journal_rows(kiosk)


def test_someone_else_at_the_camera_is_refused_after_three_tries_and_staff_are_called(kiosk):
    show(kiosk, "other")
    p = Player(kiosk, "reset_pin", does=[place(kiosk, "normal")])
    no_staff_check(failed_tries(p, 2))
    assert p.ended == "failed" and isinstance(p.error, face_check.FaceCheckFailed), p.titles
    assert "人脸核验 3 次未通过" in p.body
    assert ("face_check", "reset_pin", "no_match") in staff_calls(kiosk)
    assert not any(isinstance(step, s.InsertCard) for step in p.shown)     # nothing of the card was touched


def test_a_print_of_the_holder_held_up_fails_the_blink_challenge(kiosk):
    show(kiosk, "photo")
    p = Player(kiosk, "unlock", does=[place(kiosk, "pin_locked")], camera_s=3)
    assert "blink" in p.guidance
    no_staff_check(failed_tries(p, 2))
    assert isinstance(p.error, face_check.FaceCheckFailed)
    assert ("face_check", "unlock", "not_live") in staff_calls(kiosk)


def test_the_issuance_refuses_someone_else_and_dispenses_no_card(kiosk):
    hopper = kiosk.hands.issuer_sim.hopper
    show(kiosk, "other")
    p = Player(kiosk, "issue", does=[place(kiosk, "no_card")])
    no_staff_check(failed_tries(p, 2))
    assert isinstance(p.error, face_check.FaceCheckFailed)
    assert kiosk.hands.issuer_sim.hopper == hopper and not kiosk.hands.faceprinter_sim.printed
    assert not any(isinstance(step, s.MakeCard) for step in p.shown)


def test_the_citizen_may_stop_after_a_failed_try(kiosk):
    show(kiosk, "nobody")
    p = Player(kiosk, "release", does=[place(kiosk, "temp_lost")], camera_s=2)
    assert p.title == "人脸核验未通过"
    p.press(face_check.GIVE_UP)
    assert p.ended == "give_up" and staff_calls(kiosk) == []


def test_a_later_try_can_pass(kiosk):
    show(kiosk, "other")
    p = Player(kiosk, "reset_pin", does=[place(kiosk, "normal")])
    assert p.title == "人脸核验未通过"
    show(kiosk, "holder")                     # the right person steps up
    p.press(face_check.AGAIN)
    assert "请插入社保卡" in p.titles, p.titles


def test_services_not_on_the_list_ask_for_no_face(kiosk):
    show(kiosk, "other")
    p = Player(kiosk, "status", does=[place(kiosk, "normal")])
    assert "人脸核验" not in p.titles and p.frames == 0


def test_a_temporary_loss_report_needs_no_face_but_a_formal_one_does(kiosk):
    show(kiosk, "other")
    p = Player(kiosk, "loss", does=[place(kiosk, "normal")])
    assert "人脸核验" not in p.titles
    p.choose("formal").press("confirm")
    assert p.title == "人脸核验未通过"


def test_someone_acting_for_the_holder_is_checked_against_their_own_id_card(kiosk):
    p = Player(kiosk, "agent", does=[place(kiosk, "normal")])
    p.choose("agent").press("attorney").choose("replace")
    assert "人脸核验" in p.titles          # the agent (the card on the reader: their own) at the camera
    assert "blink" in p.guidance


def child_under_seven(kiosk):
    """A five-year-old the service knows as insured, with no card (the demo child is ten)."""
    today = dt.date.today()
    birth = dt.date(today.year - 5, today.month, min(today.day, 28))
    number = idnumber.with_check(f"610113{birth:%Y%m%d}021")
    with kiosk.service.store.transaction() as db:
        db.execute("INSERT INTO persons (id_number, name, gender, birth_date, address, phone, region, insured) "
                   "VALUES (?, '王小贝', '2', ?, '陕西省西安市雁塔区', '13800000000', '610100', 1)",
                   (number, birth.isoformat()))
    return dataclasses.replace(demo.by_key("child").id_card(), name="王小贝", sex="2", birth_date=birth,
                               id_number=number, valid_from=dt.date(today.year - 1, 7, 1),
                               valid_until=dt.date(today.year + 4, 7, 1))


def test_a_child_under_seven_gets_a_card_without_a_photo(kiosk):
    """seeds/003: 未满7周岁的未成年人申办社会保障卡可不提供照片. The guardian is checked at the camera; the child is not
    photographed, the application says so, and the face printed has the empty photo frame."""
    child = child_under_seven(kiosk)
    p = Player(kiosk, "agent", does=[place(kiosk, "normal"), take_back_id_card(kiosk),
                                     lambda _step: kiosk.hands.idreader_sim.place(child)])
    p.choose("guardian").choose("issue")
    assert "人脸核验" in p.titles and p.title == "确认申领社保卡", p.titles
    p.press("start")
    assert "拍摄制卡照片" not in p.titles and not any(isinstance(x, photo_step.ConfirmPhoto) for x in p.shown)
    assert any(isinstance(x, s.MakeCard) for x in p.shown), p.titles
    [application] = kiosk.service.store.query("SELECT photo FROM applications WHERE id_number = ?", child.id_number)
    assert application["photo"] == 0
    printed = Image.open(kiosk.hands.faceprinter_sim.printed[0]).convert("RGB")
    assert not engine.shared().find(printed, upsample=1)          # no face on the child's card


def test_a_kiosk_without_a_camera_refuses_the_services_that_need_a_face_check(tmp_path):
    k = Kiosk(Config(state_dir=str(tmp_path / "state"), issuer_timing=0, camera="none"))
    try:
        p = Player(k, "reset_pin", does=[place(k, "normal")])
        assert isinstance(p.error, face_check.FaceCheckUnavailable) and "人工窗口" in p.body
        assert Player(k, "status", does=[place(k, "normal")]).ended != "failed"
    finally:
        k.close()


def test_nothing_biometric_reaches_the_journal_or_the_service_database(kiosk):
    show(kiosk, "other")
    p = Player(kiosk, "reset_pin", does=[place(kiosk, "normal")])
    failed_tries(p, 2)
    text = journal_rows(kiosk)
    assert "score" not in text and "distance" not in text and "landmark" not in text
    assert "attempt" in text and "no_match" in text
    # the service's database: the staff call's reason, and not one image or number array
    service_db = everything_in(kiosk.service.store.path)
    assert "no_match" in service_db and "JFIF" not in service_db and "PNG" not in service_db


def test_a_tile_whose_face_check_has_no_camera_says_it_is_paused_before_anyone_taps_it(tmp_path):
    from kiosk.devicewatch import DeviceWatch
    from kiosk.i18n import tr
    from kiosk.screens.menu import paused_notice
    k = Kiosk(Config(state_dir=str(tmp_path / "state"), issuer_timing=0, camera="none"))
    try:
        watch = DeviceWatch(k.devices, interval=3600)
        watch.poll_once()
        assert watch.unavailable("reset_pin") and not watch.unavailable("status")
        assert "拍照设备暂时不能使用" in tr(paused_notice(watch, "reset_pin"), "zh")
        assert paused_notice(watch, "change_pin") == ""          # no face check: the camera is not needed
    finally:
        k.close()


def test_a_face_check_left_halfway_is_finished_in_the_journal(kiosk):
    """The session closing the journey at the camera (GeneratorExit) still finishes the journal entry: no
    face check is left for the start-up recovery to find."""
    show(kiosk, "other")
    p = Player(kiosk, "reset_pin", does=[place(kiosk, "normal")])
    assert p.title == "人脸核验未通过"
    p.end_session()
    assert kiosk.devices.journal.unfinished("face_check") == []
    [txn] = kiosk.devices.journal.transactions("face_check")
    assert txn["outcome"] == "interrupted", txn


def staff_at_the_camera_screen(kiosk, p: Player, pin: str = demo.STAFF_PIN) -> Player:
    """The staff member comes: 工作人员核验, the citizen's ID card off the reader, theirs on it, their PIN."""
    p.press(face_check.STAFF_CHECK)         # the Player's next "does" puts the staff card on the reader
    assert "工作人员核验：请取走市民的身份证，放置工作人员本人的身份证" in p.titles, p.titles
    return p.type(pin)


def test_staff_confirm_the_person_in_person_and_the_service_goes_on_journalled_with_their_number(kiosk):
    show(kiosk, "other")
    p = Player(kiosk, "reset_pin", does=[place(kiosk, "normal"), place(kiosk, "staff")])
    failed_tries(p, 2)
    staff_at_the_camera_screen(kiosk, p)
    assert p.title == "请当面核对"
    p.press(face_check.SAME)
    assert "请插入社保卡" in p.titles or isinstance(p.step, s.InsertCard), p.titles     # the service goes on
    face = kiosk.devices.journal.transactions(face_check.KIND)[-1]
    steps = kiosk.devices.journal.details(face["txn"])
    assert ("staff_override", {"staff_no": demo.STAFF_NO}) in steps
    audit = kiosk.devices.service._call("GET", "/v1/staff/audit")["audit"]
    assert ("face_override", "confirmed", demo.STAFF_NO) in [(a["action"], a["detail"], a["staff_no"]) for a in audit]


def test_staff_who_find_it_is_not_the_same_person_end_the_service(kiosk):
    show(kiosk, "other")
    p = Player(kiosk, "reset_pin", does=[place(kiosk, "normal"), place(kiosk, "staff")])
    failed_tries(p, 2)
    staff_at_the_camera_screen(kiosk, p)
    p.press(face_check.NOT_SAME)
    assert p.ended == "failed" and isinstance(p.error, face_check.FaceCheckFailed)
    assert not any(isinstance(step, s.InsertCard) for step in p.shown)


def test_no_override_without_a_staff_members_right_pin(kiosk):
    show(kiosk, "other")
    p = Player(kiosk, "reset_pin", does=[place(kiosk, "normal"), place(kiosk, "staff")])
    failed_tries(p, 2)
    staff_at_the_camera_screen(kiosk, p, "111222")
    p.type("111223").type("111224")
    assert p.ended == "failed" and "工作人员身份或密码不正确" in p.body
    assert not any(isinstance(step, s.InsertCard) for step in p.shown)
