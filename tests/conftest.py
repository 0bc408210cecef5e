"""Shared fixtures. ``make test`` starts pcscd (with the vpcd driver), Xvfb and a PostgreSQL cluster and sets
KIOSK_REQUIRE_PCSC / KIOSK_REQUIRE_DISPLAY / KIOSK_REQUIRE_POSTGRES, so in CI the PC/SC, UI and PostgreSQL
tests fail rather than skip when their real components are missing."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import time

import pytest

from tests import databases

OWN_XVFB = pytest.StashKey()
VPCD_READER = "Virtual PCD 00 00"


# `make test` runs the tests on two workers (pytest-xdist, --dist loadgroup). There is one pcscd with one pair
# of virtual readers, so every test of a module that touches them runs on the same worker, one after another;
# each worker has an X display of its own (the first the one `make test` started, the others their own Xvfb,
# pytest_configure below), so the UI tests spread over both workers with the rest.
SHARED_DEVICES = re.compile(r"vpcd|pcscd|smartcard")


def pytest_configure(config):
    """A worker after the first gets an X server of its own, so two Kivy windows never share one display."""
    worker = getattr(config, "workerinput", {}).get("workerid", "gw0")
    if worker == "gw0" or not os.environ.get("DISPLAY") or shutil.which("Xvfb") is None:
        return
    number = next(n for n in range(121 + int(worker[2:]) * 3, 200)
                  if not os.path.exists(f"/tmp/.X11-unix/X{n}") and not os.path.exists(f"/tmp/.X{n}-lock"))
    server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1280x800x24", "-ac", "+extension", "GLX",
                               "-nolisten", "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        if os.path.exists(f"/tmp/.X11-unix/X{number}") or server.poll() is not None:
            break
        time.sleep(0.1)
    if server.poll() is None:
        os.environ["DISPLAY"] = f":{number}"
        config.stash[OWN_XVFB] = server


def pytest_collection_finish(session):
    """Everything imported while collecting lives as long as the run: frozen out of the garbage collector's
    view, so the full collections the kiosk fixture runs at each teardown (~0.15 s each over ~300 kiosks)
    walk only what the tests themselves made."""
    import gc
    gc.collect()
    gc.freeze()


def pytest_unconfigure(config):
    server = config.stash.get(OWN_XVFB, None)
    if server is not None:
        server.terminate()
        server.wait(10)


@pytest.hookimpl(tryfirst=True)        # before xdist's own hook turns the group marks into node ids
def pytest_collection_modifyitems(config, items):
    uses_devices: dict = {}
    for item in items:
        path = item.path
        if item.get_closest_marker("xdist_group") is not None:
            continue                      # a module that names its own group (and brings its own devices)
        if path not in uses_devices:
            uses_devices[path] = bool(SHARED_DEVICES.search(path.read_text(encoding="utf-8")))
        if uses_devices[path] or "vpcd_reader" in item.fixturenames:
            item.add_marker(pytest.mark.xdist_group("shared-devices"))


def _require(flag: str, why: str):
    if os.environ.get(flag) == "1":
        pytest.fail(why)
    pytest.skip(why)


@pytest.fixture(scope="session")
def vpcd_reader() -> str:
    """The name of the vpcd reader behind a running pcscd."""
    try:
        from smartcard.System import readers
        names = [str(r) for r in readers()]
    except Exception as exc:   # pcscd not running raises EstablishContextException and others
        names = []
        why = f"pcscd is not reachable: {exc}"
    else:
        why = f"no {VPCD_READER!r} reader (readers: {names}); is vsmartcard-vpcd installed?"
    if VPCD_READER not in names:
        _require("KIOSK_REQUIRE_PCSC", why)
    return VPCD_READER


@pytest.fixture(scope="session")
def display() -> str:
    value = os.environ.get("DISPLAY", "")
    if not value:
        _require("KIOSK_REQUIRE_DISPLAY", "no DISPLAY: run the UI tests through 'make test' (Xvfb)")
    return value


@pytest.fixture(params=databases.ENGINES)
def service_engine(request) -> str:
    """Each of the service's tests runs on SQLite and on PostgreSQL (tests/databases.py)."""
    return request.param


@pytest.fixture
def new_service_db(service_engine, tmp_path):
    """Makes fresh databases on this test's engine (``new_service_db("henan")``), dropped after the test."""
    made = []

    def make(name: str = "svc") -> databases.ServiceDatabase:
        made.append(databases.fresh(service_engine, tmp_path, name))
        return made[-1]
    yield make
    for db in made:
        databases.drop(db)


@pytest.fixture
def service_db(new_service_db):
    """A fresh database for the service, on this test's engine."""
    return new_service_db()


@pytest.fixture(scope="module", params=databases.ENGINES)
def module_service_db(request, tmp_path_factory):
    """The same, for a module's service shared by its tests."""
    db = databases.fresh(request.param, tmp_path_factory.mktemp("service"))
    yield db
    databases.drop(db)


@pytest.fixture
def service(service_db):
    """The reference service over real HTTP, on a fresh database (each engine), Shaanxi's profile (a module
    may define its own: one with a movable clock, one for another region)."""
    from kiosk.backend.server import ServiceThread
    from kiosk.policy import profile
    svc = ServiceThread(service_db.location, profile("shaanxi"), key_file=service_db.key_file).start()
    yield svc
    svc.stop()


@pytest.fixture
def client(service):
    """A kiosk enrolled with ``service``, signing its requests."""
    from tests.service_tools import enrolled
    c = enrolled(service)
    yield c
    c.close()


@pytest.fixture
def kiosk(tmp_path, request):
    """A whole kiosk in this process (simulated devices, the embedded service), Shaanxi's profile unless a
    test asks for another region (``@pytest.mark.parametrize("kiosk", ["sichuan"], indirect=True)``); the
    card module's mechanical time left out, and the person at the camera not checked against the ID card
    (人证核验 has its own tests, tests/test_face_check_journeys.py and the UI's; the card photo is still
    taken). A module may define its own (another clock, other devices)."""
    import gc
    from kiosk.config import Config
    from kiosk.runtime import Kiosk
    k = Kiosk(Config(state_dir=str(tmp_path / "state"), policy=getattr(request, "param", "shaanxi"),
                     issuer_timing=0, face_services=(), camera_fps=60))
    yield k
    gc.collect()        # journeys a test left unfinished are closed (and wipe) while the kiosk is still open
    k.close()
