"""Staff at the service (kiosk/backend/staff.py): registered there, signed in with their own ID card and an
SM2-encrypted staff PIN, locked out after five wrong PINs at any kiosk, every action in an audit trail tied
to the person; a PIN is never stored, answered or accepted in clear."""
from __future__ import annotations

import pytest

from kiosk import demo
from kiosk.backend import staff
from kiosk.backend.client import ServiceRefused
from kiosk.backend.store import Store
from kiosk.pin import PinBuffer
from tests import databases
from tests.service_tools import enrolled

STAFF_ID = demo.STAFF.id_number


def test_staff_sign_in_with_their_own_id_card_and_pin_opens_a_session(client):
    answer = client.staff_sign_in(STAFF_ID, PinBuffer.typed(demo.STAFF_PIN))
    assert answer["staff_no"] == demo.STAFF_NO and answer["name"] == demo.STAFF.name
    assert len(answer["session"]) == 32


@pytest.mark.parametrize("who,pin", [("staff", "802460"), ("citizen", demo.STAFF_PIN)])
def test_a_wrong_pin_and_someone_who_is_not_staff_get_the_same_answer(client, who, pin):
    id_number = STAFF_ID if who == "staff" else demo.by_key("normal").id_number
    with pytest.raises(ServiceRefused) as refused:
        client.staff_sign_in(id_number, PinBuffer.typed(pin))
    assert refused.value.code == "staff_not_recognised" and "工作人员身份或密码不正确" in refused.value.zh


def test_five_wrong_pins_lock_the_staff_member_out_even_with_the_right_pin_after(service, client):
    for _ in range(staff.MAX_FAILURES):
        with pytest.raises(ServiceRefused):
            client.staff_sign_in(STAFF_ID, PinBuffer.typed("111222"))
    with pytest.raises(ServiceRefused) as refused:
        client.staff_sign_in(STAFF_ID, PinBuffer.typed(demo.STAFF_PIN))
    assert refused.value.code == "staff_locked"
    other = enrolled(service, "HALL-02")                  # locked at every kiosk, not only this one
    with pytest.raises(ServiceRefused) as refused:
        other.staff_sign_in(STAFF_ID, PinBuffer.typed(demo.STAFF_PIN))
    assert refused.value.code == "staff_locked"
    other.close()


def test_the_pin_is_stored_as_a_salted_hash_and_never_in_the_audit_trail(service, client):
    client.staff_sign_in(STAFF_ID, PinBuffer.typed(demo.STAFF_PIN))
    with pytest.raises(ServiceRefused):
        client.staff_sign_in(STAFF_ID, PinBuffer.typed("802460"))
    dump = databases.dump(service.store)
    assert demo.STAFF_PIN not in dump and "802460" not in dump
    trail = client._call("GET", "/v1/staff/audit")["audit"]
    assert [a["action"] for a in trail] == ["sign_in_refused", "signed_in"]
    assert trail[0]["detail"] == "wrong_pin" and trail[1]["name"] == demo.STAFF.name


def test_a_pin_encrypted_for_another_kiosk_is_refused(service, client):
    other = enrolled(service, "HALL-02")
    # HALL-02's ciphertext of the right PIN, sent by this kiosk: bound to HALL-02, so not a PIN here
    plain = b"HALL-02:" + bytes(PinBuffer.typed(demo.STAFF_PIN).bcd())
    cipher = client.service_key.encrypt(plain).hex()
    with pytest.raises(ServiceRefused) as refused:
        client._call("POST", f"/v1/kiosks/{client.kiosk_id}/staff-sessions",
                     {"id_number": STAFF_ID, "pin_cipher": cipher}, retry=False)
    assert refused.value.code == "staff_not_recognised"
    other.close()


def test_audit_events_are_tied_to_the_session_and_kept_once(service, client):
    session = client.staff_sign_in(STAFF_ID, PinBuffer.typed(demo.STAFF_PIN))["session"]
    for _ in range(2):                                   # a resend after a lost answer is the same event
        client.staff_audit(session, "2026-12-02T10:00:00+08:00", "hopper_refilled", count=200,
                           idempotency_key="audit-T1-hopper_refilled")
    trail = client._call("GET", "/v1/staff/audit")["audit"]
    assert [(a["action"], a["count"], a["staff_no"]) for a in trail][:1] == [("hopper_refilled", 200, demo.STAFF_NO)]
    assert sum(a["action"] == "hopper_refilled" for a in trail) == 1
    with pytest.raises(ServiceRefused) as refused:
        client.staff_audit("0" * 32, "2026-12-02T10:00:00+08:00", "service_paused", idempotency_key="audit-T2-service_paused")
    assert refused.value.code == "staff_session_unknown"


def test_a_staff_number_or_pin_of_the_wrong_shape_is_not_registered(service_db):
    store = Store(service_db.location)
    with pytest.raises(ValueError):
        staff.register(store, "0001", "张三", STAFF_ID, "802461")
    with pytest.raises(ValueError):
        staff.register(store, "S0002", "张三", STAFF_ID, "111111")
    store.close()


def test_the_administrator_registers_staff_with_the_pin_asked_twice_and_never_on_the_command_line(service_db):
    import subprocess
    import sys
    db = service_db.location
    Store(db).close()
    person = demo.by_key("normal").id_number
    run = [sys.executable, "-m", "kiosk.backend", "--db", str(db), "--add-staff", "S0042", "--name", "王小明",
           "--id-number", person]
    differ = subprocess.run(run, input="246801\n246802\n", capture_output=True, text=True, timeout=60)
    assert differ.returncode == 1 and "differ" in differ.stdout
    done = subprocess.run(run, input="246801\n246801\n", capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    store = Store(db)
    import datetime as dt
    assert staff.sign_in(store, "HALL-01", person, "246801", dt.datetime.now(dt.timezone.utc))["staff_no"] == "S0042"
    store.close()


def test_a_kiosk_reads_only_its_own_staff_audit_trail(service, client):
    client.staff_sign_in(STAFF_ID, PinBuffer.typed(demo.STAFF_PIN))
    other = enrolled(service, "HALL-02")
    assert other._call("GET", "/v1/staff/audit?kiosk=TEST-01")["audit"] == []
    other.close()
