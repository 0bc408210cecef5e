"""What an operator of the service watches: Prometheus metrics, one JSON log line per request with a request
id, health and readiness.

Metrics (``GET /metrics``, text format; a deployment's reverse proxy keeps it off the public side):
``sbk_requests_total{route,method,status}`` and ``sbk_request_seconds{route,method}`` by the route's template
(``/v1/cards/{card_number}``, never the card number: no personal data in a label), ``sbk_signature_refusals_total
{reason}`` (``replayed`` among them), ``sbk_db_wait_seconds`` (time a request waits for the database's write
transaction: SQLite's single writer, a PostgreSQL pool's free connection) and ``sbk_db_transaction_seconds``.
Several worker processes (``--workers N``) share one set of numbers through prometheus_client's multiprocess
mode (``PROMETHEUS_MULTIPROC_DIR``, set by ``python -m kiosk.backend`` before the workers start)."""
from __future__ import annotations

import json
import logging
import os
import re
import socket
import time
import uuid

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import REGISTRY
from prometheus_client import multiprocess

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
REQUESTS = Counter("sbk_requests_total", "Requests answered, by route template, method and status",
                   ["route", "method", "status"])
LATENCY = Histogram("sbk_request_seconds", "Time from a request's arrival to its answer's last byte",
                    ["route", "method"], buckets=LATENCY_BUCKETS)
SIGNATURE_REFUSALS = Counter("sbk_signature_refusals_total", "Requests refused before any work: unsigned, bad "
                             "or stale signatures, unknown kiosks, replayed nonces", ["reason"])
DB_WAIT = Histogram("sbk_db_wait_seconds", "Time a request waited for the database's write transaction",
                    buckets=LATENCY_BUCKETS)
DB_TRANSACTION = Histogram("sbk_db_transaction_seconds", "Time a write transaction was held",
                           buckets=LATENCY_BUCKETS)

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
access_log = logging.getLogger("kiosk.backend.access")


def metrics_text() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


class Observed:
    """Outermost ASGI layer: a request id (the caller's ``X-Request-Id`` when well-formed, else a new one)
    returned in the answer, the answering process in ``X-Served-By``, the metrics and the access log line."""

    def __init__(self, app, log_requests: bool = True):
        """``log_requests``: the access log line (the service's own process; not inside a kiosk's logs)."""
        self.app = app
        self.log_requests = log_requests
        self.served_by = f"{socket.gethostname()}/{os.getpid()}".encode()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        began = time.perf_counter()
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        scope["state"] = {**scope.get("state", {}), "request_id": request_id}   # in place: see below
        status = [500]

        async def observed(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message = {**message, "headers": [*message.get("headers", []), (b"x-served-by", self.served_by),
                                                  (b"x-request-id", request_id.encode())]}
            await send(message)
        try:
            await self.app(scope, receive, observed)
        finally:
            # the router writes the matched route into this same scope; a request refused before routing (a
            # bad signature) or matching nothing has none
            route = scope.get("route")
            template = getattr(route, "path", None) or "unrouted"
            elapsed = time.perf_counter() - began
            REQUESTS.labels(template, scope["method"], str(status[0])).inc()
            LATENCY.labels(template, scope["method"]).observe(elapsed)
            if self.log_requests:
                access_log.info("request", extra={"request_id": request_id, "route": template, "method": scope["method"],
                                                  "status": status[0], "ms": round(elapsed * 1000, 2),
                                                  "kiosk": _kiosk_of(scope)})


def _kiosk_of(scope) -> str | None:
    value = dict(scope["headers"]).get(b"x-kiosk-id")
    return value.decode("latin-1")[:64] if value else None


class JsonLines(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the request's fields when it has them."""
    FIELDS = ("request_id", "route", "method", "status", "ms", "kiosk")

    def format(self, record: logging.LogRecord) -> str:
        line = {"ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
                "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        line.update({k: getattr(record, k) for k in self.FIELDS if hasattr(record, k)})
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def log_as_json_lines(level: int = logging.INFO) -> None:
    """The service's own process: every log line as JSON on stderr (journald or a collector reads them)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines())
    handler.formatter.converter = time.gmtime
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
