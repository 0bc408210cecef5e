"""Phone entry in the contact change (kiosk/flows/contact.py), played as a citizen: the refused number kept with
its error, the number read back digit by digit and confirmed, the code the service texted typed back; the
number changes only then, and a wrong or expired code does not change it."""
from __future__ import annotations

import datetime as dt
import time

from kiosk import demo, digits
from kiosk.backend import contact_codes
from kiosk.flows import steps as s
from tests.journey_player import Player, place

NEW = "13912345678"


def phone_on_record(kiosk) -> str:
    return kiosk.service.store.person(demo.by_key("normal").id_number)["phone"]


def typed_and_confirmed(kiosk, number=NEW) -> Player:
    p = Player(kiosk, "contact", does=[place(kiosk, "normal")]).choose("phone")
    p.type(number)
    assert p.title == "请核对手机号码"
    p.press("correct")
    return p


def test_phone_and_code_digits_are_grouped_as_people_write_them():
    assert digits.grouped("1391", 11) == "139 1___ ____"
    assert digits.grouped(NEW, 11) == "139 1234 5678"
    assert digits.grouped("12", 6) == "12_ ___"
    assert digits.spoken(NEW) == "一三九，一二三四，五六七八"


def test_a_refused_number_is_kept_with_its_error(kiosk):
    p = Player(kiosk, "contact", does=[place(kiosk, "normal")]).choose("phone")
    p.type("12012345678")
    assert p.step.buffer.text() == "12012345678" and "13至19" in p.zh(p.step.error)
    assert p.step.says == p.step.error                       # the voice says what is wrong


def test_the_number_is_read_back_digit_by_digit_and_shown_large_before_any_code_is_sent(kiosk):
    p = Player(kiosk, "contact", does=[place(kiosk, "normal")]).choose("phone")
    p.type(NEW)
    assert isinstance(p.step, s.Message) and p.step.emphasis == "139 1234 5678"       # shown large
    assert p.zh(p.step.says) == "请核对手机号码：一三九，一二三四，五六七八"
    assert [p.step.primary[0], p.step.secondary[0]] == ["correct", "retype"]
    assert kiosk.hands.last_sms(NEW) is None                 # nothing sent before the holder confirms


def test_retype_starts_over_with_an_empty_number(kiosk):
    p = Player(kiosk, "contact", does=[place(kiosk, "normal")]).choose("phone")
    p.type(NEW)
    p.press("retype")
    assert p.step.screen == "digits" and p.step.buffer.text() == "" and not p.step.error


def test_the_right_code_changes_the_number(kiosk):
    p = typed_and_confirmed(kiosk)
    assert p.title == "请输入短信验证码" and "139 1234 5678" in p.zh(p.step.hint)
    p.type(kiosk.hands.texted_code(NEW))
    assert p.title == "联系方式已修改" and phone_on_record(kiosk) == NEW


def test_a_wrong_code_is_asked_again_and_changes_nothing(kiosk):
    p = typed_and_confirmed(kiosk)
    right = kiosk.hands.texted_code(NEW)
    p.type(f"{(int(right) + 1) % 1000000:06d}")
    assert p.title == "请输入短信验证码" and "不正确" in p.zh(p.step.error)
    assert phone_on_record(kiosk) == "13800000000"
    p.type(right)
    assert p.title == "联系方式已修改" and phone_on_record(kiosk) == NEW


def test_an_expired_code_offers_a_new_one_and_only_the_new_one_works(kiosk):
    p = typed_and_confirmed(kiosk)
    old = kiosk.hands.texted_code(NEW)
    with kiosk.service.store.transaction() as db:          # the code's five minutes have passed
        db.execute("UPDATE contact_codes SET expires_at = ?",
                   ((dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)).isoformat(),))
    p.type(old)
    assert p.title == "验证码已失效" and "过期" in p.body and phone_on_record(kiosk) == "13800000000"
    p.press("resend")
    new = kiosk.hands.texted_code(NEW)
    assert p.title == "请输入短信验证码"
    p.type(new)
    assert p.title == "联系方式已修改" and phone_on_record(kiosk) == NEW


def test_too_many_wrong_codes_end_the_code_and_leaving_changes_nothing(kiosk):
    p = typed_and_confirmed(kiosk)
    wrong = f"{(int(kiosk.hands.texted_code(NEW)) + 1) % 1000000:06d}"
    for _ in range(contact_codes.MAX_ATTEMPTS):
        p.type(wrong)
    assert p.title == "验证码已失效"
    p.press(s.DONE)
    assert p.ended == "done" and phone_on_record(kiosk) == "13800000000"


def test_the_code_never_reaches_the_journal_or_the_receipt(kiosk):
    p = typed_and_confirmed(kiosk)
    code = kiosk.hands.texted_code(NEW)
    p.type(code)
    before = len(kiosk.hands.printer_sim.jobs)
    p.press(s.RECEIPT)
    deadline = time.monotonic() + 3
    while len(kiosk.hands.printer_sim.jobs) <= before and time.monotonic() < deadline:
        time.sleep(0.02)
    printed = kiosk.hands.printer_sim.jobs[-1].decoded.text()
    assert code not in printed and "139****5678" in printed
    journal = kiosk.devices.journal          # every step of every transaction, whatever its kind
    rows = journal._db.execute("SELECT * FROM steps").fetchall() + journal._db.execute(
        "SELECT * FROM transactions").fetchall()
    assert code not in repr([tuple(r) for r in rows])
