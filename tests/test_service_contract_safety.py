"""Findings of an adversarial run against the service, one test each: idempotency keys that crossed kiosks
and endpoints, a voided card number turned "cancelled", absurd headers answered by an unsigned 500, parse
errors that said "no such address", and enrolment codes that enrolled any number of kiosks."""
from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
import requests

from kiosk.backend.client import ServiceClient, ServiceRefused
from kiosk.backend.server import ServiceThread
from kiosk.backend.store import now
from kiosk.policy import profile
from kiosk.security import signing
from kiosk.security.module import KeyServiceModule
from kiosk.security.sm2 import PrivateKey
from tests.service_tools import enrolled, new_accepted_application, new_person, verified_phone_change


@pytest.fixture(scope="module")
def service(module_service_db):
    svc = ServiceThread(module_service_db.location, profile("shaanxi"), key_file=module_service_db.key_file).start()
    yield svc
    svc.stop()


@pytest.fixture(scope="module")
def kiosk_a(service):
    return enrolled(service, "SAFE-A")


@pytest.fixture(scope="module")
def kiosk_b(service):
    return enrolled(service, "SAFE-B")


# -- idempotency keys belong to one kiosk and one endpoint ---------------------------------------------
def test_another_kiosks_key_is_not_answered_with_the_first_kiosks_answer(service, kiosk_a, kiosk_b):
    id_a, _ = new_person(service)
    _, card_b = new_person(service, with_card="normal")
    key = uuid.uuid4().hex
    first = verified_phone_change(service, kiosk_a, id_a, "13911112222", idempotency_key=key)
    assert first["id_number"] == id_a
    answer = kiosk_b.report_loss(card_b, "temporary", id_verified=True, idempotency_key=key)
    assert answer["card_number"] == card_b and answer["state"] == "temp_lost"
    assert id_a not in json.dumps(answer)
    assert [e["kind"] for e in service.store.events(card_b)].count("loss_temporary") == 1
    # the same key on the same endpoint from kiosk B is B's own request too
    id_b, _ = new_person(service)
    assert verified_phone_change(service, kiosk_b, id_b, "13933334444", idempotency_key=key)["id_number"] == id_b


def test_a_key_reused_on_another_endpoint_does_not_drop_the_second_request(service, kiosk_a):
    _, card = new_person(service, with_card="normal")
    key = uuid.uuid4().hex
    kiosk_a.report_loss(card, "temporary", id_verified=True, idempotency_key=key)
    kiosk_a.release(card, id_verified=True, idempotency_key=key)
    answer = kiosk_a.pin_event(card, "blocked", idempotency_key=key)
    assert answer["recorded"] == "blocked" and answer["state"] == "pin_locked"
    assert "pin_blocked" in [e["kind"] for e in service.store.events(card)]


def test_a_key_reused_with_another_body_is_refused(service, kiosk_a):
    _, card = new_person(service, with_card="normal")
    key = uuid.uuid4().hex
    kiosk_a.pin_event(card, "wrong_pin", tries_left=2, idempotency_key=key)
    assert kiosk_a.pin_event(card, "wrong_pin", tries_left=2, idempotency_key=key)["recorded"] == "wrong_pin"
    with pytest.raises(ServiceRefused) as refused:
        kiosk_a.pin_event(card, "blocked", idempotency_key=key)
    assert refused.value.status == 422 and refused.value.code == "idempotency_key_reused"
    assert "pin_blocked" not in [e["kind"] for e in service.store.events(card)]


# -- card numbers -------------------------------------------------------------------------------------
def test_a_voided_number_stays_void_when_a_retried_issuance_is_confirmed(service, kiosk_a):
    session = KeyServiceModule(kiosk_a).session_id()
    application, id_number = new_accepted_application(service)
    first = kiosk_a.start_issuance(application, bytes(16), session)["card_number"]
    kiosk_a.void_issuance(first, "captured: not taken")
    second = kiosk_a.start_issuance(application, bytes(16), session)["card_number"]
    assert second != first
    kiosk_a.confirm_issuance(second)
    assert kiosk_a.card(first)["state"] == "void"
    assert kiosk_a.card(second)["state"] == "sealed"
    assert "replaced" not in [e["kind"] for e in service.store.events(first)]
    assert kiosk_a.card_status(id_number)["card"]["card_number"] == second


def test_a_replacement_retried_after_a_void_cancels_only_the_old_card(service, kiosk_a):
    session = KeyServiceModule(kiosk_a).session_id()
    id_number, old = new_person(service, with_card="lost")
    with service.store.transaction() as db:
        application = db.execute(
            "INSERT INTO applications (id_number, kind, state, created_at, reason, card_number) "
            "VALUES (?, 'replacement', 'accepted', ?, 'lost', ?) RETURNING id", (id_number, now().isoformat(), old)).fetchone()[0]
    first = kiosk_a.start_issuance(application, bytes(16), session)["card_number"]
    kiosk_a.void_issuance(first, "jam")
    second = kiosk_a.start_issuance(application, bytes(16), session)["card_number"]
    kiosk_a.confirm_issuance(second)
    assert [kiosk_a.card(n)["state"] for n in (old, first, second)] == ["cancelled", "void", "sealed"]


# -- headers and bodies: bounded parsing, signed and true answers ---------------------------------------
def signed_raw(client: ServiceClient, method: str, path: str, body: bytes = b"", **overrides) -> requests.Response:
    headers = signing.sign_request(client.key, client.kiosk_id, method, path, body)
    headers.update({"Idempotency-Key": uuid.uuid4().hex, "Content-Type": "application/json"}, **overrides)
    return requests.request(method, client.base_url + path, data=body, headers=headers, timeout=10)


def assert_signed(client: ServiceClient, path: str, response: requests.Response) -> None:
    h = response.headers
    signing.verify(client.service_key, str(response.status_code), path, h["X-Timestamp"], h["X-Nonce"],
                   response.content, h["X-Signature"])


@pytest.mark.parametrize("header,value", [
    ("X-Timestamp", "9" * 5000),
    ("X-Timestamp", "1" * 30),
    ("X-Nonce", "a" * 5000),
    ("X-Signature", "A" * 100_000),
    ("X-Kiosk-Id", "K" * 5000),
])
def test_an_absurd_header_gets_a_signed_refusal_with_a_true_message(service, kiosk_a, header, value):
    path = "/v1/cards/A00000001"
    response = signed_raw(kiosk_a, "GET", path, **{header: value})
    assert response.status_code in (400, 401, 422), response.text
    error = response.json()["error"]
    assert error["code"] != "internal"
    assert header.lower() in error["message"]["en"].lower()
    assert_signed(kiosk_a, path, response)


@pytest.mark.parametrize("body", [b"{", b"\xff\xfe not json", b'{"kind": "temporary", "id_verified": tru}'])
def test_a_body_that_does_not_parse_is_a_bad_request_not_a_missing_address(service, kiosk_a, body):
    _, card = new_person(service, with_card="normal")
    path = f"/v1/cards/{card}/loss-reports"
    response = signed_raw(kiosk_a, "POST", path, body)
    assert response.status_code in (400, 422), response.text
    error = response.json()["error"]
    assert error["message"]["zh"] == "请求格式错误" and error["code"] in ("bad_request", "invalid_request")
    assert_signed(kiosk_a, path, response)
    assert service.store.card(card)["state"] == "normal"


# PostgreSQL's text cannot hold a NUL character (SQLite's can): found by the fuzz test on PostgreSQL, a NUL in
# a query parameter reached the database and came back as a 500. Text with one is refused as invalid.
@pytest.mark.parametrize("method, path, body", [
    ("GET", "/v1/staff/events?kiosk=HALL%00", b""),
    ("GET", "/v1/cards/A0000%000001", b""),
    ("GET", "/v1/cards/A0000%000001/history", b""),
    ("GET", "/v1/persons/61011319700101%000011/card-status", b""),
    ("POST", "/v1/kiosks/SAFE-A/staff-calls", json.dumps({"screen": "home\u0000", "service": None}).encode()),
])
def test_text_with_a_nul_character_is_refused_as_invalid_on_every_engine(service, kiosk_a, method, path, body):
    response = signed_raw(kiosk_a, method, path, body)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["error"]["code"] != "internal"
    assert_signed(kiosk_a, path, response)


# -- enrolment codes: one kiosk each, and they expire -------------------------------------------------
def test_an_enrolment_code_enrols_one_kiosk(service):
    code = service.enrolment_code
    first = ServiceClient(service.url, "CODE-1", key=PrivateKey.generate())
    first.enrol(code)
    first.enrol(code)                               # the same kiosk retrying: answered again
    for other in ("CODE-2", "CODE-3"):
        with pytest.raises(ServiceRefused) as refused:
            ServiceClient(service.url, other, key=PrivateKey.generate()).enrol(code)
        assert refused.value.code == "bad_enrolment_code"
    assert service.store.kiosk_key("CODE-2") is None and service.store.kiosk_key("CODE-3") is None


def test_an_expired_enrolment_code_is_refused(service):
    code = service.store.add_enrolment_code("expired-code-0001", dt.timedelta(seconds=-1))
    with pytest.raises(ServiceRefused) as refused:
        ServiceClient(service.url, "LATE-1", key=PrivateKey.generate()).enrol(code)
    assert refused.value.code == "bad_enrolment_code"


def test_an_enrolment_code_bound_to_a_kiosk_id_enrols_only_that_id(service):
    code = service.store.add_enrolment_code("bound-code-00001", dt.timedelta(hours=1), kiosk_id="HALL-7")
    with pytest.raises(ServiceRefused):
        ServiceClient(service.url, "HALL-8", key=PrivateKey.generate()).enrol(code)
    ServiceClient(service.url, "HALL-7", key=PrivateKey.generate()).enrol(code)


def test_an_administrator_issues_a_code_for_one_kiosk_from_the_command_line(service_db):
    import subprocess
    import sys
    db = service_db.location
    issued = subprocess.run([sys.executable, "-m", "kiosk.backend", "--db", db, "--issue-code", "--for-kiosk", "CLI-1",
                             "--valid-hours", "1"], capture_output=True, text=True, timeout=60, check=True)
    code = issued.stdout.strip()
    svc = ServiceThread(db, profile("shaanxi"), key_file=service_db.key_file).start()
    try:
        with pytest.raises(ServiceRefused):
            ServiceClient(svc.url, "CLI-2", key=PrivateKey.generate()).enrol(code)
        ServiceClient(svc.url, "CLI-1", key=PrivateKey.generate()).enrol(code)
    finally:
        svc.stop()
