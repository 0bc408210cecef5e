"""The service as several worker processes on one database (``python -m kiosk.backend --workers 2``), on
SQLite and on PostgreSQL: every piece of state a request needs is in the database, so the worker that answers
does not matter. Each request
here goes on a new connection and the answer names its worker (``X-Served-By``), so a test can send the next
request until the *other* worker answers it."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

import pytest
import requests

from kiosk import demo
from kiosk.backend.client import ServiceClient
from kiosk.backend.store import Store
from kiosk.security import ciphers, signing
from kiosk.security.sm2 import PrivateKey
from tests.service_tools import new_fee_order

pytestmark = pytest.mark.timeout(120)
TRIES = 60           # new connections until the other worker takes one (the kernel hands them out)


@pytest.fixture(scope="module")
def two_workers(module_service_db):
    db = module_service_db
    process = subprocess.Popen([sys.executable, "-m", "kiosk.backend", "--db", db.location, "--key-file", db.key_file,
                                "--port", "0", "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    url = re.search(r"(http://[\d.]+:\d+)", process.stdout.readline()).group(1)
    process.stdout.readline()                                         # its first enrolment code
    seen = set()
    for _ in range(200):                    # both workers up: each has answered once
        try:
            seen.add(requests.get(url + "/v1/health", timeout=5).headers["x-served-by"])
        except requests.ConnectionError:
            pass
        if len(seen) == 2:
            break
    assert len(seen) == 2, f"only {seen} answered"
    yield url, db.location
    process.terminate()
    process.wait(timeout=20)


def kiosk(url, database, name) -> ServiceClient:
    code = subprocess.run([sys.executable, "-m", "kiosk.backend", "--db", database, "--issue-code"],
                          capture_output=True, text=True, check=True).stdout.strip()
    client = ServiceClient(url, name, key=PrivateKey.generate())
    client.enrol(code)
    return client


def send(url, client: ServiceClient, method: str, target: str, body=None, headers=None):
    """One signed request on a new connection: (answer, worker that gave it)."""
    data = json.dumps(body).encode() if body is not None else b""
    headers = headers or signing.sign_request(client.key, client.kiosk_id, method, target, data)
    answer = requests.request(method, url + target, data=data, timeout=20,
                              headers={**headers, "Content-Type": "application/json", "Connection": "close"})
    return answer, answer.headers["x-served-by"]


def until_other(first_worker, attempt):
    """``attempt()`` again and again until a worker other than ``first_worker`` answers; every answer kept."""
    answers = []
    for _ in range(TRIES):
        answer, worker = attempt()
        answers.append((answer, worker))
        if worker != first_worker:
            return answers
    pytest.fail(f"the other worker never answered in {TRIES} connections")


def test_a_nonce_replayed_to_the_other_worker_is_refused(two_workers):
    url, database = two_workers
    client = kiosk(url, database, "W-REPLAY")
    target = f"/v1/persons/{demo.by_key('normal').id_number}/card-status"
    headers = signing.sign_request(client.key, client.kiosk_id, "GET", target, b"")
    first, worker = send(url, client, "GET", target, headers=headers)
    assert first.status_code == 200
    replays = until_other(worker, lambda: send(url, client, "GET", target, headers=headers))
    assert replays[-1][1] != worker
    for answer, _ in replays:
        assert answer.status_code == 401 and answer.json()["error"]["code"] == "replayed", answer.text


def test_a_key_session_opened_on_one_worker_is_used_on_the_other(two_workers):
    url, database = two_workers
    client = kiosk(url, database, "W-SESSION")
    session_key = os.urandom(16)
    opened, worker = send(url, client, "POST", "/v1/keys/sessions",
                          {"key": client.service_key.encrypt(session_key).hex()})
    assert opened.status_code == 200, opened.text
    session_id = opened.json()["session_id"]
    block = ciphers.cbc_encrypt(ciphers.Sm4(session_key), os.urandom(16),
                                ciphers.pad(bytes([6]) + bytes.fromhex("802468"), 16)).hex()
    body = {"card_id_code": "610100D15600000599110199FFFFFFFF", "region": "610100", "algorithm": "SM4",
            "session_id": session_id, "challenge": os.urandom(16).hex(), "pin_block": block}
    answers = until_other(worker, lambda: send(url, client, "POST", "/v1/keys/reload", body))
    for answer, _ in answers:
        assert answer.status_code == 200, answer.text       # not 401 no_session on the worker that did not open it
        assert re.fullmatch(r"[0-9a-f]{8,32}", answer.json()["mac"])


def test_a_double_payment_from_two_kiosks_at_once_is_charged_once(two_workers):
    url, database = two_workers
    kiosks = [kiosk(url, database, f"W-PAY-{n}") for n in range(4)]
    store = Store(database)                         # the test's own connection to the workers' database
    workers: set[str] = set()
    try:
        for round_ in range(20):                        # at least 5 rounds, and until both workers took payments
            if round_ >= 5 and len(workers) == 2:
                break
            application, order = new_fee_order(SimpleNamespace(store=store))
            start = threading.Barrier(len(kiosks))
            results = []

            def pay(client):
                start.wait()
                target = f"/v1/fee-orders/{order}/pay"
                headers = {**signing.sign_request(client.key, client.kiosk_id, "POST", target, b""),
                           "Idempotency-Key": os.urandom(12).hex()}      # each kiosk its own payment attempt
                answer, worker = send(url, client, "POST", target, headers=headers)
                results.append(answer)
                workers.add(worker)
            threads = [threading.Thread(target=pay, args=(c,)) for c in kiosks]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert sorted(a.status_code for a in results) == [200] + [409] * (len(kiosks) - 1), \
                [a.text for a in results]
            assert {a.json()["error"]["code"] for a in results if a.status_code == 409} == {"not_payable"}
            assert store.query("SELECT state FROM fee_orders WHERE id = ?", order)[0]["state"] == "paid"
            assert store.query("SELECT state FROM applications WHERE id = ?", application)[0]["state"] == "accepted"
        assert len(workers) == 2, "every payment went to one worker"
    finally:
        store.close()


def test_metrics_read_from_either_worker_count_both(two_workers):
    from prometheus_client.parser import text_string_to_metric_families
    url, _ = two_workers

    def health_count() -> float:
        text = requests.get(url + "/metrics", headers={"Connection": "close"}, timeout=10).text
        return sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
                   if s.name == "sbk_requests_total" and s.labels.get("route") == "/v1/health")
    before = health_count()
    served = {requests.get(url + "/v1/health", headers={"Connection": "close"}, timeout=10).headers["x-served-by"]
              for _ in range(30)}
    assert len(served) == 2, "one worker took all 30 connections"
    deadline = time.monotonic() + 10       # a request is counted once its answer is out: the last may lag
    while health_count() - before < 30 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert health_count() - before == 30            # both workers' counts, whichever worker answered /metrics
