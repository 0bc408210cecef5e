"""Run the reference service: in a thread (embedded default, tests) or as its own process."""
from __future__ import annotations

import os
import socket
import threading
import time

import uvicorn

from kiosk.backend.engines import is_postgres
from kiosk.backend.observability import Observed
from kiosk.backend.keycustody import KeyFile, default_key_path, key_for
from kiosk.backend.seed import seed
from kiosk.backend.service import create_app
from kiosk.backend.sms import SimulatedSms, SmsProvider
from kiosk.backend.store import Store
from kiosk.policy import PolicyProfile
from kiosk.security.module import SoftSecurityModule, demo_masters


def prepare(db_path: str, policy: PolicyProfile, seed_demo: bool = True, key_file: str | None = None):
    """The database (schema, indexes, demo citizens) and the key file, made once before any worker starts.
    Returns (store, key)."""
    if not is_postgres(db_path):
        os.makedirs(os.path.dirname(os.path.abspath(db_path)), exist_ok=True)
    store = Store(db_path)
    key = key_for(store, KeyFile(key_file or default_key_path(db_path)))
    if seed_demo:
        seed(store, policy.region_code)
    return store, key


# what a worker process of ``python -m kiosk.backend --workers N`` is given, in its environment
ENV_DB, ENV_POLICY, ENV_KEY, ENV_SILENT, ENV_DEMO_KEYS = (
    "SBK_SERVICE_DB", "SBK_SERVICE_POLICY", "SBK_SERVICE_KEY_FILE", "SBK_SERVICE_SILENT_AFTER", "SBK_SERVICE_DEMO_KEYS")


def app_from_environment():
    """One worker's app (uvicorn ``factory=True``): the same database and key file as every other worker."""
    from kiosk.backend.observability import log_as_json_lines
    from kiosk.policy import profile
    log_as_json_lines()                    # a spawned worker starts with no logging set up
    store = Store(os.environ[ENV_DB])
    key = key_for(store, KeyFile(os.environ[ENV_KEY], create=False))
    security = SoftSecurityModule(demo_masters(), name="reference key service (demo keys)") \
        if os.environ.get(ENV_DEMO_KEYS, "1") == "1" else None
    return Observed(create_app(store, profile(os.environ[ENV_POLICY]), key, security=security,
                               silent_after_s=float(os.environ.get(ENV_SILENT, "180"))))


class ServiceThread:
    """The service on 127.0.0.1 and a free port, served by uvicorn in a daemon thread."""

    def __init__(self, db_path: str, policy: PolicyProfile, host: str = "127.0.0.1", port: int = 0,
                 seed_demo: bool = True, enrolment_codes: set[str] | None = None, demo_keys: bool = True,
                 clock=None, sms: SmsProvider | None = None, silent_after_s: float = 180.0,
                 key_file: str | None = None, log_requests: bool = False,
                 tls: tuple[str | None, str | None] = (None, None)):
        """``key_file``: the service's signing key (PEM, 0600; made on the first start), by default beside the
        database (``service.db`` → ``service-key.pem``); never kept in the database (keycustody.py).
        ``clock``: the service's "now" for loss-report lapses (a test's movable clock; the wall clock if None).
        ``sms``: the SMS provider; by default a simulated one (``self.sms``), whose messages the simulator panel
        and the tests read as the citizen's phone."""
        self.key_file = key_file or default_key_path(db_path)
        self.store, key = prepare(db_path, policy, seed_demo, self.key_file)
        self._socket = socket.create_server((host, port))
        # Accepted connections inherit this: without it a kept-alive connection waits ~40 ms per answer
        # (Nagle's algorithm meeting the client's delayed ACK), measured in bench/.
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.host, self.port = self._socket.getsockname()[:2]
        self.enrolment_codes = set(enrolment_codes or ())      # an administrator's, each for one kiosk
        security = SoftSecurityModule(demo_masters(), name="reference key service (demo keys)") if demo_keys else None
        self.sms = sms if sms is not None else SimulatedSms()
        app = create_app(self.store, policy, key, security=security, enrolment_codes=self.enrolment_codes, clock=clock,
                         sms=self.sms, silent_after_s=silent_after_s)
        self.scheme = "https" if tls[0] else "http"
        config = uvicorn.Config(Observed(app, log_requests), log_level="warning", access_log=False,
                                log_config=None if log_requests else uvicorn.config.LOGGING_CONFIG,
                                ssl_certfile=tls[0], ssl_keyfile=tls[1])
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]},
                                        name="card-service", daemon=True)

    @property
    def enrolment_code(self) -> str:
        """A new one-time code, as the service's administrator issues one for each kiosk to enrol: spent by
        the first kiosk id that enrols with it, void after an hour."""
        import datetime as dt
        import secrets
        return self.store.add_enrolment_code(secrets.token_hex(8), dt.timedelta(hours=1))

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> "ServiceThread":
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the card-management service did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)
        self.store.close()
