"""Race suite for the reference service: N kiosk threads released at once by a barrier, M trials each,
against pay, start-issuance, confirm/void, loss report and release, with one shared Idempotency-Key and with
a key each. Every trial must end with exactly one effect, and no answer may be a 5xx.

Bounded: 8 threads × 6 trials per case (the service signs and checks every message in pure Python, about
30 ms of CPU a request on this machine)."""
from __future__ import annotations

import threading
import uuid

import pytest

from kiosk.backend.client import ServiceError, ServiceRefused
from kiosk.backend.server import ServiceThread
from kiosk.policy import profile
from kiosk.security.module import KeyServiceModule
from tests.service_tools import clients_of, new_accepted_application, new_fee_order, new_person

THREADS = 8
TRIALS = 6


@pytest.fixture(scope="module")
def service(module_service_db):
    svc = ServiceThread(module_service_db.location, profile("shaanxi"), key_file=module_service_db.key_file).start()
    yield svc
    svc.stop()


@pytest.fixture(scope="module")
def kiosk(service):
    clients = clients_of(service, "RACE-01", THREADS)
    yield clients
    for c in clients:
        c.close()


def at_once(clients, call) -> list:
    """Run ``call(client)`` on every client at the same moment; each result is the answer, a ServiceRefused,
    or another ServiceError (a 5xx or an unusable answer)."""
    barrier = threading.Barrier(len(clients))
    results: list = [None] * len(clients)

    def run(i, client):
        barrier.wait()
        try:
            results[i] = call(client)
        except (ServiceRefused, ServiceError) as exc:   # a refusal is a Refusal, not a ServiceError
            results[i] = exc
    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def split(results):
    answers = [r for r in results if isinstance(r, dict)]
    refusals = [r for r in results if isinstance(r, ServiceRefused)]
    broken = [r for r in results if not isinstance(r, (dict, ServiceRefused))]
    assert not broken, [getattr(b, "detail", b) for b in broken]        # no 5xx, no unusable answer
    assert all(r.status < 500 for r in refusals), [(r.status, r.code) for r in refusals]
    return answers, refusals


@pytest.mark.parametrize("shared_key", [False, True], ids=["key_each", "one_key"])
def test_a_fee_order_is_paid_once(service, kiosk, shared_key):
    for _ in range(TRIALS):
        _, order = new_fee_order(service)
        key = uuid.uuid4().hex
        answers, refusals = split(at_once(kiosk, lambda c: c.pay(order, idempotency_key=key if shared_key else None)))
        if shared_key:          # every caller gets the one answer, replayed
            assert len(answers) == THREADS and all(a == answers[0] for a in answers)
        else:
            assert len(answers) == 1 and {r.code for r in refusals} == {"not_payable"}
        rows = service.store.query("SELECT state, paid_at FROM fee_orders WHERE id = ?", order)
        assert rows[0]["state"] == "paid"


@pytest.mark.parametrize("shared_key", [False, True], ids=["key_each", "one_key"])
def test_start_issuance_allocates_one_number(service, kiosk, shared_key):
    session = KeyServiceModule(kiosk[0]).session_id()     # the kiosk's one key session: a retry sends it again
    for _ in range(TRIALS):
        application, id_number = new_accepted_application(service)
        key = uuid.uuid4().hex
        answers, refusals = split(at_once(kiosk, lambda c: c.start_issuance(
            application, bytes(16), session, idempotency_key=key if shared_key else None)))
        cards = service.store.query("SELECT card_number FROM cards WHERE id_number = ?", id_number)
        assert len(cards) == 1, [c["card_number"] for c in cards]
        if shared_key:
            assert len(answers) == THREADS and {a["card_number"] for a in answers} == {cards[0]["card_number"]}
        else:
            assert len(answers) == 1 and {r.code for r in refusals} == {"not_ready_for_issuance"}
        # never stuck: the number can be voided and the application issued again
        kiosk[0].void_issuance(cards[0]["card_number"], "race test")
        again = kiosk[0].start_issuance(application, bytes(16), session)
        assert again["card_number"] != cards[0]["card_number"]


def test_confirm_and_void_at_once_one_wins(service, kiosk):
    session = KeyServiceModule(kiosk[0]).session_id()
    for _ in range(TRIALS):
        application, _ = new_accepted_application(service)
        number = kiosk[0].start_issuance(application, bytes(16), session)["card_number"]
        half = THREADS // 2
        answers, refusals = split(at_once(kiosk, lambda c: (
            c.confirm_issuance(number) if kiosk.index(c) < half else c.void_issuance(number, "race test"))))
        assert len(answers) == 1 and {r.code for r in refusals} == {"not_issuing"}
        state = service.store.card(number)["state"]
        assert state == answers[0]["state"] and state in ("sealed", "void")
        events = [e["kind"] for e in service.store.events(number)]
        assert events.count("issued") + events.count("issuance_voided") == 1


LOSS_ACTS = {   # act: (the card's state before, the call, the refusal of every other caller, the one event)
    "report": ("normal", lambda c, card, key: c.report_loss(card, "temporary", id_verified=True, idempotency_key=key),
               "already_reported", "loss_temporary"),   # card_states: already reported
    "release": ("temp_lost", lambda c, card, key: c.release(card, id_verified=True, idempotency_key=key),
                "not_reported", "loss_released"),
}


@pytest.mark.parametrize("act", sorted(LOSS_ACTS))
@pytest.mark.parametrize("shared_key", [False, True], ids=["key_each", "one_key"])
def test_a_loss_is_reported_and_released_once(service, kiosk, shared_key, act):
    before, call, refusal, event = LOSS_ACTS[act]
    for _ in range(TRIALS):
        _, card = new_person(service, with_card=before)
        key = uuid.uuid4().hex
        answers, refusals = split(at_once(kiosk, lambda c: call(c, card, key if shared_key else None)))
        if shared_key:
            assert len(answers) == THREADS and all(a == answers[0] for a in answers)
        else:
            assert len(answers) == 1 and {r.code for r in refusals} == {refusal}
        assert [e["kind"] for e in service.store.events(card)].count(event) == 1
