"""The reference service over real HTTP (uvicorn on loopback) through the kiosk's requests client."""
import datetime as dt

import pytest
import requests

from kiosk import demo
from kiosk.backend.client import ServiceClient, ServiceError, ServiceRefused
from kiosk.backend.server import ServiceThread
from kiosk.policy import profile


@pytest.fixture
def service(tmp_path):
    svc = ServiceThread(str(tmp_path / "svc.db"), profile("shaanxi")).start()
    yield svc
    svc.stop()


@pytest.fixture
def client(service):
    c = ServiceClient(service.url, "TEST-01")
    yield c
    c.close()


@pytest.mark.parametrize("key,state", [("normal", "normal"), ("sealed", "sealed"), ("temp_lost", "temp_lost"),
                                       ("pin_locked", "pin_locked")])
def test_seeded_card_states(client, key, state):
    assert client.card_status(demo.by_key(key).id_number)["card"]["state"] == state


def test_person_without_card_shows_the_pending_application(client):
    answer = client.card_status(demo.by_key("producing").id_number)
    assert answer["card"] is None and answer["application"]["state"] == "producing"
    answer = client.card_status(demo.by_key("no_card").id_number)
    assert answer["card"] is None and answer["application"] is None


def test_unknown_person_is_refused_with_a_citizen_message(client):
    with pytest.raises(ServiceRefused) as refused:
        client.card_status("11010519491231002X")
    assert refused.value.code == "person_not_found" and "参保" in refused.value.zh


def test_malformed_id_number_is_refused(client):
    with pytest.raises(ServiceRefused) as refused:
        client.card_status("110101197608056896")
    assert refused.value.code == "invalid_id_number"


def test_temporary_loss_report_lapses_after_its_period(service, client):
    card_number = demo.by_key("temp_lost").card_number
    past = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)).isoformat()
    with service.store.transaction() as db:
        db.execute("UPDATE cards SET lost_until = ? WHERE card_number = ?", (past, card_number))
    assert client.card(card_number)["state"] == "normal"
    assert "temp_loss_lapsed" in [e["kind"] for e in service.store.events(card_number)]


def test_first_pin_change_activates_a_sealed_card(client):
    card_number = demo.by_key("sealed").card_number
    assert client.pin_event(card_number, "changed")["state"] == "normal"


def test_blocked_event_locks_the_card(client):
    card_number = demo.by_key("normal").card_number
    assert client.pin_event(card_number, "blocked")["state"] == "pin_locked"


def test_a_retried_post_with_the_same_key_is_applied_once(service, client):
    card_number = demo.by_key("normal").card_number
    key = "retry-key-0123456789"
    first = client.pin_event(card_number, "wrong_pin", 5, idempotency_key=key)
    second = client.pin_event(card_number, "wrong_pin", 5, idempotency_key=key)
    assert first == second
    assert [e["kind"] for e in service.store.events(card_number)].count("pin_wrong_pin") == 1


def test_posts_without_kiosk_or_idempotency_headers_are_refused(service):
    response = requests.post(f"{service.url}/v1/cards/A00000001/pin-events", json={"event": "changed"}, timeout=5)
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"


def test_bad_event_body_is_refused(client):
    with pytest.raises(ServiceRefused) as refused:
        client._call("POST", "/v1/cards/A00000001/pin-events", json={"event": "explode"},
                     headers={"Idempotency-Key": "x" * 20})
    assert refused.value.code == "invalid_request"


def test_openapi_document_is_served(service):
    paths = requests.get(f"{service.url}/openapi.json", timeout=5).json()["paths"]
    assert "/v1/persons/{id_number}/card-status" in paths


def test_unreachable_service_is_a_typed_error():
    client = ServiceClient("http://127.0.0.1:9", "TEST-01", timeout=(0.5, 0.5), retries=0)
    with pytest.raises(ServiceError) as failure:
        client.health()
    assert "稍后再试" in failure.value.zh
