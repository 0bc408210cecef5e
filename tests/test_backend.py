"""The reference service over real HTTP (uvicorn on loopback) through the kiosk's signed requests client."""
import datetime as dt
import subprocess

import pytest
import requests

from kiosk import demo
from kiosk.backend.client import ServiceClient, ServiceError, ServiceRefused
from kiosk.backend.server import ServiceThread
from kiosk.policy import profile
from kiosk.security import signing
from kiosk.security.sm2 import PrivateKey
from tests.service_tools import enrolled, verified_phone_change


# -- signing -----------------------------------------------------------------------------------------------
def test_an_unsigned_request_is_refused(service):
    response = requests.get(f"{service.url}/v1/persons/{demo.by_key('normal').id_number}/card-status", timeout=5)
    assert response.status_code == 401 and response.json()["error"]["code"] == "unsigned"


def test_an_unknown_kiosk_is_refused(service, client):
    # it knows the service's key (pinned by another kiosk) but was never enrolled itself
    stranger = ServiceClient(service.url, "STRANGER", key=PrivateKey.generate(), service_key=client.service_key)
    with pytest.raises(ServiceRefused) as refused:
        stranger.health()                      # open, fine
        stranger.card("A00000001")
    assert refused.value.code == "unknown_kiosk"


def test_enrolment_needs_a_valid_code_and_pins_the_key(service):
    client = ServiceClient(service.url, "K-2", key=PrivateKey.generate())
    with pytest.raises(ServiceRefused) as refused:
        client.enrol("wrong-code-123")
    assert refused.value.code == "bad_enrolment_code"
    client.enrol(service.enrolment_code)
    impostor = ServiceClient(service.url, "K-2", key=PrivateKey.generate())
    with pytest.raises(ServiceRefused) as refused:
        impostor.enrol(service.enrolment_code)
    assert refused.value.code == "kiosk_id_taken"


def test_kiosk_signature_verifies_with_openssl(tmp_path):
    key = PrivateKey.generate()
    headers = signing.sign_request(key, "K-1", "POST", "/v1/cards/A00000001/pin-events?x=1", b'{"event":"changed"}')
    message = signing.canonical("POST", "/v1/cards/A00000001/pin-events?x=1", headers["X-Timestamp"],
                                headers["X-Nonce"], b'{"event":"changed"}')
    (tmp_path / "pub.pem").write_text(key.public.to_pem())
    (tmp_path / "msg").write_bytes(message)
    import base64
    (tmp_path / "sig").write_bytes(base64.b64decode(headers["X-Signature"]))
    result = subprocess.run(["openssl", "dgst", "-sm3", "-verify", str(tmp_path / "pub.pem"), "-sigopt",
                             "distid:1234567812345678", "-signature", str(tmp_path / "sig"), str(tmp_path / "msg")],
                            capture_output=True, text=True)
    assert result.returncode == 0 and "Verified OK" in result.stdout
    (tmp_path / "priv.pem").write_text(key.to_pem())
    assert subprocess.run(["openssl", "pkey", "-in", str(tmp_path / "priv.pem"), "-noout"]).returncode == 0


def test_the_service_signs_its_answers_and_the_kiosk_checks_them(service, client):
    response = client._send("GET", "/v1/cards/A00000001", b"", {})
    assert response.headers["X-Nonce"] == response.request.headers["X-Nonce"]
    client._verify("GET", "/v1/cards/A00000001", response, response.request.headers["X-Nonce"])
    other = ServiceClient(service.url, "TEST-01", key=client.key, service_key=PrivateKey.generate().public)
    with pytest.raises(ServiceError) as failure:
        other.card("A00000001")                 # signed, but not by the key this kiosk pinned
    assert "工作人员" in failure.value.zh


def test_a_replayed_request_is_refused(service, client):
    target = "/v1/cards/A00000001"
    headers = signing.sign_request(client.key, "TEST-01", "GET", target, b"")
    assert requests.get(service.url + target, headers=headers, timeout=5).status_code == 200
    again = requests.get(service.url + target, headers=headers, timeout=5)
    assert again.status_code == 401 and again.json()["error"]["code"] == "replayed"


def test_a_stale_or_tampered_request_is_refused(service, client):
    target = "/v1/cards/A00000001"
    old = signing.sign_request(client.key, "TEST-01", "GET", target, b"", now=dt.datetime.now().timestamp() - 400)
    assert requests.get(service.url + target, headers=old, timeout=5).json()["error"]["code"] == "stale_timestamp"
    headers = signing.sign_request(client.key, "TEST-01", "GET", target, b"")
    tampered = requests.get(service.url + "/v1/cards/A00000002", headers=headers, timeout=5)
    assert tampered.json()["error"]["code"] == "bad_signature"


def test_an_unreachable_service_is_offline_and_typed():
    client = ServiceClient("http://127.0.0.1:9", "TEST-01", key=PrivateKey.generate(), timeout=(0.3, 0.3), retries=1)
    with pytest.raises(ServiceError) as failure:
        client.card("A00000001")
    assert client.online is False and "稍后再试" in failure.value.zh


# -- card states and the temporary-loss lapse --------------------------------------------------------------
@pytest.mark.parametrize("key,state", [("normal", "normal"), ("sealed", "sealed"), ("temp_lost", "temp_lost"),
                                       ("pin_locked", "pin_locked")])
def test_seeded_card_states(client, key, state):
    assert client.card_status(demo.by_key(key).id_number)["card"]["state"] == state


def test_person_without_card_shows_the_pending_application(client):
    answer = client.card_status(demo.by_key("producing").id_number)
    assert answer["card"] is None and answer["application"]["state"] == "producing"


def test_unknown_or_malformed_person_is_refused(client):
    with pytest.raises(ServiceRefused) as refused:
        client.card_status("11010519491231002X")
    assert refused.value.code == "person_not_found" and "参保" in refused.value.zh
    with pytest.raises(ServiceRefused) as refused:
        client.card_status("110101197608056896")
    assert refused.value.code == "invalid_id_number"


def test_temporary_loss_report_lapses_after_the_regions_period(service, client):
    card_number = demo.by_key("normal").card_number
    answer = client.report_loss(card_number, "temporary", id_verified=False)
    lapses = dt.datetime.fromisoformat(answer["lapses_at"])
    assert answer["state"] == "temp_lost" and 6.9 < (lapses - dt.datetime.now(dt.timezone.utc)).days + 1 <= 7.1
    past = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)).isoformat()
    with service.store.transaction() as db:
        db.execute("UPDATE cards SET lost_until = ? WHERE card_number = ?", (past, card_number))
    assert client.card(card_number)["state"] == "normal"


def test_formal_loss_needs_the_id_card_then_release_restores(client):
    card_number = demo.by_key("normal").card_number
    with pytest.raises(ServiceRefused) as refused:
        client.report_loss(card_number, "formal", id_verified=False)
    assert refused.value.code == "id_required"
    assert client.report_loss(card_number, "formal", id_verified=True)["state"] == "lost"
    assert client.release(card_number, id_verified=True)["state"] == "normal"
    with pytest.raises(ServiceRefused) as refused:
        client.release(card_number, id_verified=True)
    assert refused.value.code == "not_reported"


def test_a_region_without_a_lapse_period_does_not_take_temporary_reports(service_db):
    svc = ServiceThread(service_db.location, profile("henan"), key_file=service_db.key_file).start()
    try:
        c = enrolled(svc)
        with pytest.raises(ServiceRefused) as refused:
            c.report_loss(demo.by_key("normal").card_number, "temporary", id_verified=False)
        assert refused.value.code == "not_offered_in_region"
    finally:
        svc.stop()


# -- applications, fees ------------------------------------------------------------------------------------
def test_one_card_per_person_per_province(client):
    with pytest.raises(ServiceRefused) as refused:
        client.apply(demo.by_key("normal").id_number, "new", photo=True)
    assert refused.value.code == "already_has_card"


def test_new_card_needs_a_photo_from_age_seven(client):
    with pytest.raises(ServiceRefused) as refused:
        client.apply(demo.by_key("no_card").id_number, "new", photo=False)
    assert refused.value.code == "photo_required"
    assert client.apply(demo.by_key("no_card").id_number, "new", photo=True)["state"] == "accepted"


def test_a_pending_application_blocks_a_second(client):
    with pytest.raises(ServiceRefused) as refused:
        client.apply(demo.by_key("producing").id_number, "new", photo=True)
    assert refused.value.code == "application_pending"


def test_only_the_insured_may_apply(service, client):
    with service.store.transaction() as db:
        db.execute("UPDATE persons SET insured = 0 WHERE id_number = ?", (demo.by_key("no_card").id_number,))
    with pytest.raises(ServiceRefused) as refused:
        client.apply(demo.by_key("no_card").id_number, "new", photo=True)
    assert refused.value.code == "not_insured"


@pytest.mark.parametrize("region,age,guardian_needed", [("henan", 15, True), ("henan", 16, False),
                                                        ("sichuan", 17, True), ("sichuan", 18, False)])
def test_minors_need_a_guardian_below_the_regions_age(tmp_path, region, age, guardian_needed):
    from kiosk import idnumber
    from kiosk.backend import rules
    today = dt.date(2026, 11, 22)
    child = idnumber.with_check(f"610113{today.year - age}0101003")
    person = {"id_number": child, "insured": 1}
    parent = demo.by_key("normal").id_number
    if guardian_needed:
        with pytest.raises(rules.Refusal) as refused:
            rules.new_card(profile(region), person, None, None, True, None, today)
        assert refused.value.code == "guardian_required"
        rules.new_card(profile(region), person, None, None, True, parent, today)
    else:
        rules.new_card(profile(region), person, None, None, True, None, today)


def test_a_child_under_seven_needs_no_photo():
    from kiosk import idnumber
    from kiosk.backend import rules
    child = idnumber.with_check("61011320210101003")
    rules.new_card(profile("shaanxi"), {"id_number": child, "insured": 1}, None, None, False,
                   demo.by_key("normal").id_number, dt.date(2026, 11, 22))


def test_replacement_of_a_lost_card_needs_a_formal_report_and_costs_the_regions_fee(client):
    person = demo.by_key("normal")
    with pytest.raises(ServiceRefused) as refused:
        client.apply(person.id_number, "replacement", reason="lost")
    assert refused.value.code == "formal_loss_first"
    client.report_loss(person.card_number, "formal", id_verified=True)
    application = client.apply(person.id_number, "replacement", reason="lost")
    assert application["state"] == "awaiting_payment" and application["fee_order"]["amount_fen"] == 2000
    order = application["fee_order"]["id"]
    assert client.pay(order)["state"] == "paid"
    with pytest.raises(ServiceRefused):
        client.pay(order)                      # not twice
    with pytest.raises(ServiceRefused) as refused:
        client.release(person.card_number, id_verified=True)
    assert refused.value.code == "already_replaced"
    assert client.refund(order)["state"] == "refunded"


def test_an_early_generation_swap_pays_the_fee_in_xian(client):
    """The free first swap is for the named banks' cards once due (tests/test_service_card_rules.py)."""
    application = client.apply(demo.by_key("gen2").id_number, "replacement", reason="upgrade")
    assert application["state"] == "awaiting_payment" and application["fee_order"]["amount_fen"] == 2000


def test_renewal_opens_sixty_days_before_expiry(service, client):
    person = demo.by_key("normal")
    with pytest.raises(ServiceRefused) as refused:
        client.apply(person.id_number, "renewal")
    assert refused.value.code == "renewal_not_due"
    soon = (dt.date.today() + dt.timedelta(days=59)).isoformat()
    with service.store.transaction() as db:
        db.execute("UPDATE cards SET expiry_date = ? WHERE card_number = ?", (soon, person.card_number))
    assert client.apply(person.id_number, "renewal")["state"] == "awaiting_payment"


def test_non_key_data_changes(service, client):
    answer = verified_phone_change(service, client, demo.by_key("normal").id_number, "13912345678")
    assert answer["changed"] == ["phone"]
    with pytest.raises(ServiceRefused) as refused:
        client.change_contact(demo.by_key("normal").id_number, phone="12345")
    assert refused.value.code == "invalid_request"


# -- idempotency and PIN events ----------------------------------------------------------------------------
def test_a_retried_post_with_the_same_key_is_applied_once(service, client):
    card_number = demo.by_key("normal").card_number
    key = "retry-key-0123456789"
    first = client.pin_event(card_number, "wrong_pin", 5, idempotency_key=key)
    second = client.pin_event(card_number, "wrong_pin", 5, idempotency_key=key)
    assert first == second
    assert [e["kind"] for e in service.store.events(card_number)].count("pin_wrong_pin") == 1


def test_first_pin_change_activates_a_sealed_card_and_a_block_locks(client):
    assert client.pin_event(demo.by_key("sealed").card_number, "changed")["state"] == "normal"
    assert client.pin_event(demo.by_key("normal").card_number, "blocked")["state"] == "pin_locked"
    assert client.pin_event(demo.by_key("normal").card_number, "unblocked")["state"] == "normal"


def test_heartbeat_records_device_status(service, client):
    client.heartbeat([{"device": "printer", "state": "online"}])
    row = service.store.query("SELECT devices, last_seen FROM kiosks WHERE kiosk_id = 'TEST-01'")[0]
    assert "printer" in row["devices"] and row["last_seen"]


def test_openapi_document_is_served(service):
    paths = requests.get(f"{service.url}/openapi.json", timeout=5).json()["paths"]
    assert {"/v1/persons/{id_number}/card-status", "/v1/applications", "/v1/keys/unblock"} <= set(paths)


@pytest.mark.parametrize("key,state", [("lost", "lost"), ("cancelled", "cancelled")])
def test_formally_lost_and_cancelled_cards_are_seeded_and_shown(client, key, state):
    assert client.card_status(demo.by_key(key).id_number)["card"]["state"] == state


def test_a_cancelled_card_does_not_block_a_new_one(client):
    person = demo.by_key("cancelled")
    assert client.apply(person.id_number, "new", photo=True)["state"] == "accepted"


def test_the_uninsured_enrol_then_may_apply(client):
    from kiosk import idnumber
    newcomer = idnumber.with_check("61011319950505013")
    with pytest.raises(ServiceRefused) as refused:
        client.apply(newcomer, "new", photo=True)
    assert refused.value.code == "person_not_found"
    client.enrol_insurance(newcomer, "钱新来", "urban_rural_resident")
    assert client.apply(newcomer, "new", photo=True)["state"] == "accepted"


def test_an_agent_needs_a_power_of_attorney_and_to_be_another_adult(client):
    holder = demo.by_key("no_card").id_number
    agent = demo.by_key("normal").id_number
    with pytest.raises(ServiceRefused) as refused:
        client.apply(holder, "new", photo=True, agent_id_number=agent)
    assert refused.value.code == "power_of_attorney_required"
    with pytest.raises(ServiceRefused) as refused:
        client.apply(holder, "new", photo=True, agent_id_number=holder, power_of_attorney=True)
    assert refused.value.code == "agent_not_eligible"
    assert client.apply(holder, "new", photo=True, agent_id_number=agent, power_of_attorney=True)["state"] == "accepted"


def test_temporary_card_only_during_a_replacement_and_only_where_offered(new_service_db, client):
    with pytest.raises(ServiceRefused) as refused:            # Shaanxi: not offered
        client.temporary_card(demo.by_key("normal").card_number)
    assert refused.value.code == "not_offered_in_region"
    henan_db = new_service_db("henan")
    svc = ServiceThread(henan_db.location, profile("henan"), key_file=henan_db.key_file).start()
    try:
        henan = enrolled(svc)
        card = demo.by_key("lost")
        with pytest.raises(ServiceRefused) as refused:
            henan.temporary_card(card.card_number)
        assert refused.value.code == "no_replacement_pending"
        with svc.store.transaction() as db:      # Henan states no fee: the application is made at a counter
            db.execute("INSERT INTO applications (id_number, kind, state, created_at, reason, card_number) "
                       "VALUES (?, 'replacement', 'accepted', '2026-11-22', 'lost', ?)", (card.id_number, card.card_number))
        answer = henan.temporary_card(card.card_number)["temporary_card"]
        valid = dt.date.fromisoformat(answer["valid_until"])
        assert 85 <= (valid - dt.date.today()).days <= 93 and answer["financial_function"] is False
    finally:
        svc.stop()


def test_a_formal_loss_report_cannot_be_released_where_the_region_says_so():
    import dataclasses
    from kiosk.backend import rules
    jilin = dataclasses.replace(profile("shaanxi"), key="jilin", formal_loss_releasable=False)
    with pytest.raises(rules.Refusal) as refused:
        rules.release(jilin, {"state": "lost"}, replaced=False, id_verified=True)
    assert refused.value.code == "formal_not_releasable"
    rules.release(jilin, {"state": "temp_lost"}, replaced=False, id_verified=True)


@pytest.mark.parametrize("key,use", [("normal", "usable"), ("temp_lost", "holder_authorisation_required"),
                                     ("lost", "holder_authorisation_required"), ("cancelled", "unavailable"),
                                     ("no_card", "unavailable")])
def test_the_electronic_card_follows_the_physical_card(client, key, use):
    assert client.card_status(demo.by_key(key).id_number)["ecard"] == use


@pytest.mark.parametrize("forged", [
    [{"device": "printer", "state": "online", "media": {"note": "610113195603080011"}}],     # a number in media
    [{"device": "printer", "state": "melted"}],                                               # no such state
    [{"device": "../../etc", "state": "online"}],                                             # no such device
    [{"device": "printer", "state": "online", "media": {"paper": {"nested": ["x"] * 50}}}],  # not a plain value
    [{"device": "printer", "state": "online", "extra": 1}],                                   # an unknown field
])
def test_a_heartbeat_that_is_not_a_device_report_is_refused(client, forged):
    with pytest.raises(ServiceRefused) as refused:
        client.heartbeat(forged)
    assert refused.value.code == "invalid_request"


def test_the_heartbeat_carries_the_card_modules_counts_and_whether_staff_paused_the_kiosk(service, client):
    client.heartbeat([{"device": "cardissuer", "state": "online", "media": {"hopper": "low", "reject_count": 3}}],
                     counters={"loaded": 200, "since_refill": 180, "reject_count": 3, "issued": 170}, paused=True)
    row = service.store.query("SELECT devices, counters, paused FROM kiosks WHERE kiosk_id = 'TEST-01'")[0]
    assert '"hopper": "low"' in row["devices"] and '"since_refill": 180' in row["counters"] and row["paused"] == 1
