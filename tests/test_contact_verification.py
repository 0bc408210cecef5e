"""A new contact phone number is the holder's only once the code the service texted to it is typed back: the
service refuses a change without a code, with a wrong, spent or expired one, and accepts the right one once
(kiosk/backend/contact_codes.py, the SMS provider port kiosk/backend/sms.py)."""
from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

from kiosk.backend import contact_codes
from kiosk.backend.client import ServiceRefused
from kiosk.backend.server import ServiceThread
from kiosk.backend.store import now
from kiosk.policy import profile
from tests.service_tools import new_person, texted_code, verified_phone_change

NEW = "13912345678"


class Clock:
    """The service's "now", moved by the test."""

    def __init__(self):
        self.at = now()

    def __call__(self) -> dt.datetime:
        return self.at


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def service(service_db, clock):
    svc = ServiceThread(service_db.location, profile("shaanxi"), clock=clock, key_file=service_db.key_file).start()
    yield svc
    svc.stop()


def phone_of(service, id_number):
    return service.store.person(id_number)["phone"]


def refused(call) -> ServiceRefused:
    with pytest.raises(ServiceRefused) as caught:
        call()
    return caught.value


def test_a_phone_change_without_a_code_is_refused_by_the_service(service, client):
    id_number, _ = new_person(service)
    answer = refused(lambda: client.change_contact(id_number, phone=NEW))
    assert answer.code == "verification_required" and answer.definite and "验证码" in answer.zh
    assert phone_of(service, id_number) == "13800000000"


def test_the_code_goes_to_the_new_number_and_never_into_the_answer(service, client, caplog):
    id_number, _ = new_person(service)
    with caplog.at_level(logging.DEBUG):
        sent = client.send_contact_code(id_number, NEW)
    code = texted_code(service, NEW)
    assert len(code) == 6 and code not in json.dumps(sent) and code not in caplog.text
    assert set(sent) >= {"verification_id", "expires_at"}
    stored = service.store.query("SELECT * FROM contact_codes WHERE id = ?", sent["verification_id"])[0]
    assert code not in json.dumps(dict(stored))                  # a salted hash only


def test_the_right_code_changes_the_number_once(service, client):
    id_number, _ = new_person(service)
    sent = client.send_contact_code(id_number, NEW)
    code = texted_code(service, NEW)
    answer = client.change_contact(id_number, phone=NEW, verification_id=sent["verification_id"], code=code,
                                   idempotency_key="contact-change-once-1")
    assert answer["changed"] == ["phone"] and answer["phone_masked"] == "139****5678"
    assert phone_of(service, id_number) == NEW
    # the same request again (an answer lost): the first answer, not a refusal of the spent code
    assert client.change_contact(id_number, phone=NEW, verification_id=sent["verification_id"], code=code,
                                 idempotency_key="contact-change-once-1") == answer
    # a second change with the spent code is refused
    again = refused(lambda: client.change_contact(id_number, phone=NEW, verification_id=sent["verification_id"],
                                                  code=code))
    assert again.code == "code_invalid"


def test_a_wrong_code_is_counted_and_the_third_spends_it(service, client):
    id_number, _ = new_person(service)
    sent = client.send_contact_code(id_number, NEW)
    code = texted_code(service, NEW)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    first = refused(lambda: client.change_contact(id_number, phone=NEW, verification_id=sent["verification_id"],
                                                  code=wrong))
    assert first.code == "code_wrong" and "2次" in first.zh
    refused(lambda: client.change_contact(id_number, phone=NEW, verification_id=sent["verification_id"], code=wrong))
    third = refused(lambda: client.change_contact(id_number, phone=NEW, verification_id=sent["verification_id"],
                                                  code=wrong))
    assert third.code == "code_spent"
    # spent: even the right code no longer works
    late = refused(lambda: client.change_contact(id_number, phone=NEW, verification_id=sent["verification_id"],
                                                 code=code))
    assert late.code == "code_invalid" and phone_of(service, id_number) == "13800000000"


def test_an_expired_code_is_refused(service, client, clock):
    id_number, _ = new_person(service)
    sent = client.send_contact_code(id_number, NEW)
    code = texted_code(service, NEW)
    clock.at += contact_codes.CODE_TTL + dt.timedelta(seconds=1)
    answer = refused(lambda: client.change_contact(id_number, phone=NEW, verification_id=sent["verification_id"],
                                                   code=code))
    assert answer.code == "code_expired" and phone_of(service, id_number) == "13800000000"


def test_a_code_is_for_the_number_it_was_sent_to_and_the_person_it_was_sent_for(service, client):
    id_number, _ = new_person(service)
    other, _ = new_person(service)
    sent = client.send_contact_code(id_number, NEW)
    code = texted_code(service, NEW)
    assert refused(lambda: client.change_contact(id_number, phone="13900000000",
                                                 verification_id=sent["verification_id"], code=code)).code == \
        "code_invalid"
    assert refused(lambda: client.change_contact(other, phone=NEW, verification_id=sent["verification_id"],
                                                 code=code)).code == "code_invalid"


def test_a_new_code_replaces_the_previous_one(service, client):
    id_number, _ = new_person(service)
    first = client.send_contact_code(id_number, NEW)
    old = texted_code(service, NEW)
    client.send_contact_code(id_number, NEW)
    assert refused(lambda: client.change_contact(id_number, phone=NEW, verification_id=first["verification_id"],
                                                 code=old)).code == "code_invalid"
    assert verified_phone_change(service, client, id_number, NEW)["changed"] == ["phone"]


def test_codes_sent_to_one_person_are_limited(service, client):
    id_number, _ = new_person(service)
    for _ in range(contact_codes.MAX_SENDS_PER_HOUR):
        client.send_contact_code(id_number, NEW)
    assert refused(lambda: client.send_contact_code(id_number, NEW)).code == "code_send_limit"


def test_an_sms_provider_that_is_down_sends_nothing_and_records_nothing(service, client):
    id_number, _ = new_person(service)
    service.sms.down = True
    answer = refused(lambda: client.send_contact_code(id_number, NEW))
    assert answer.code == "sms_unavailable"
    assert not service.store.query("SELECT 1 FROM contact_codes WHERE id_number = ?", id_number)


def test_an_address_alone_needs_no_code(service, client):
    id_number, _ = new_person(service)
    assert client.change_contact(id_number, address="陕西省西安市长安南路1号")["changed"] == ["address"]
