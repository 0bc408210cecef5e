"""What an operator watches: metrics by route template (never a card or ID number in a label), signature
refusals by reason, the database's wait; a JSON access log line per request carrying the request id the answer
names; readiness."""
from __future__ import annotations

import json
import logging
import re
import time

import requests
from prometheus_client.parser import text_string_to_metric_families

from kiosk import demo
from kiosk.backend.observability import JsonLines
from kiosk.security import signing
from tests.service_tools import enrolled


def samples(url: str) -> dict:
    text = requests.get(url + "/metrics", timeout=10).text
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out, text


def count(metrics: dict, name: str, **labels) -> float:
    return sum(v for (n, ls), v in metrics.items() if n == name and all((k, v2) in ls for k, v2 in labels.items()))


def test_metrics_count_requests_by_route_template_and_refusals_by_reason(service, client):
    person = demo.by_key("normal")
    before, _ = samples(service.url)
    for _ in range(3):
        client.card_status(person.id_number)
    target = f"/v1/persons/{person.id_number}/card-status"
    headers = signing.sign_request(client.key, client.kiosk_id, "GET", target, b"")
    assert requests.get(service.url + target, headers=headers, timeout=10).status_code == 200
    assert requests.get(service.url + target, headers=headers, timeout=10).status_code == 401     # replayed
    forged = {**signing.sign_request(client.key, client.kiosk_id, "GET", target, b""), "X-Signature": "MEUCIQ" + "A" * 90}
    assert requests.get(service.url + target, headers=forged, timeout=10).status_code in (400, 401)
    route = "/v1/persons/{id_number}/card-status"
    deadline = time.monotonic() + 10       # a request is counted once its answer is out: the last may lag
    while True:
        after, text = samples(service.url)
        if count(after, "sbk_requests_total", route=route, status="200") - \
                count(before, "sbk_requests_total", route=route, status="200") >= 4 or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert count(after, "sbk_requests_total", route=route, status="200") - \
        count(before, "sbk_requests_total", route=route, status="200") == 4
    assert count(after, "sbk_signature_refusals_total", reason="replayed") - \
        count(before, "sbk_signature_refusals_total", reason="replayed") == 1
    refused = {dict(ls)["reason"] for (n, ls), v in after.items() if n == "sbk_signature_refusals_total" and v}
    assert refused - {"replayed"}, "the forged signature was not counted"
    assert count(after, "sbk_request_seconds_count", route=route) >= 4
    assert count(after, "sbk_db_wait_seconds_count") > count(before, "sbk_db_wait_seconds_count")
    assert person.id_number not in text                         # no personal data in any label


def test_an_answer_names_its_request_id_and_worker_and_a_given_id_is_kept(service):
    answer = requests.get(service.url + "/v1/health", timeout=10)
    assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["x-request-id"])
    assert re.fullmatch(r".+/\d+", answer.headers["x-served-by"])
    kept = requests.get(service.url + "/v1/health", headers={"X-Request-Id": "lb-7f3a9c21"}, timeout=10)
    assert kept.headers["x-request-id"] == "lb-7f3a9c21"
    odd = requests.get(service.url + "/v1/health", headers={"X-Request-Id": "<script>"}, timeout=10)
    assert re.fullmatch(r"[0-9a-f]{32}", odd.headers["x-request-id"])      # not echoed back


def test_ready_answers_when_the_database_does(service):
    answer = requests.get(service.url + "/v1/ready", timeout=10)
    assert answer.status_code == 200 and answer.json() == {"status": "ready"}


def test_the_access_log_is_one_json_line_per_request_with_its_id_and_no_personal_data(tmp_path):
    from kiosk.backend.server import ServiceThread
    from kiosk.policy import profile
    service = ServiceThread(str(tmp_path / "svc.db"), profile("shaanxi"), log_requests=True).start()
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(JsonLines().format(record))
    access = logging.getLogger("kiosk.backend.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        client = enrolled(service)
        person = demo.by_key("normal")
        client.card_status(person.id_number)
        client.close()
        # the line is written after the answer's last byte went out (its time is the whole request's): the
        # client may hold the answer before the server thread has logged it
        deadline = time.monotonic() + 10
        while not any("card-status" in line for line in lines) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        access.removeHandler(handler)
        service.stop()
    records = [json.loads(line) for line in lines]
    status_lines = [r for r in records if r["route"] == "/v1/persons/{id_number}/card-status"]
    assert len(status_lines) == 1
    line = status_lines[0]
    assert line["status"] == 200 and line["kiosk"] == "TEST-01" and re.fullmatch(r"[0-9a-f]{32}", line["request_id"])
    assert line["level"] == "info" and line["ms"] > 0
    assert person.id_number not in "\n".join(lines) and person.name not in "\n".join(lines)


def test_the_service_serves_https_with_a_given_certificate(tmp_path):
    import subprocess
    from kiosk.backend.server import ServiceThread
    from kiosk.policy import profile
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    service = ServiceThread(str(tmp_path / "svc.db"), profile("shaanxi"), tls=(str(cert), str(key))).start()
    try:
        assert service.url.startswith("https://")
        assert requests.get(service.url + "/v1/ready", verify=str(cert), timeout=10).json() == {"status": "ready"}
        try:
            requests.get(service.url.replace("https", "http") + "/v1/ready", timeout=10)
            plain_refused = False
        except requests.ConnectionError:
            plain_refused = True
        assert plain_refused                                 # no plain HTTP on the TLS port
    finally:
        service.stop()
