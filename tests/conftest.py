"""Shared fixtures. ``make test`` starts pcscd (with the vpcd driver) and Xvfb and sets
KIOSK_REQUIRE_PCSC / KIOSK_REQUIRE_DISPLAY, so in CI the PC/SC and UI tests fail rather than skip when
their real components are missing."""
from __future__ import annotations

import os
import re

import pytest

VPCD_READER = "Virtual PCD 00 00"


# `make test` runs the tests on two workers (pytest-xdist, --dist loadgroup). There is one pcscd with one pair
# of virtual readers and one X display, so every test of a module that touches them runs on the same worker,
# one after another; the rest (simulators on pseudo-terminals, services on their own ports) spread freely.
SHARED_DEVICES = re.compile(r"vpcd|pcscd|smartcard|display|DISPLAY|Xvfb|kivy|ui_driver|ui_app|screens")


@pytest.hookimpl(tryfirst=True)        # before xdist's own hook turns the group marks into node ids
def pytest_collection_modifyitems(config, items):
    uses_devices: dict = {}
    for item in items:
        path = item.path
        if item.get_closest_marker("xdist_group") is not None:
            continue                      # a module that names its own group (and brings its own devices)
        if path not in uses_devices:
            uses_devices[path] = bool(SHARED_DEVICES.search(path.read_text(encoding="utf-8")))
        if uses_devices[path] or {"display", "vpcd_reader"} & set(item.fixturenames):
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


@pytest.fixture
def service(tmp_path):
    """The reference service over real HTTP, on a fresh SQLite file, Shaanxi's profile (a module may define
    its own: one with a movable clock, one for another region)."""
    from kiosk.backend.server import ServiceThread
    from kiosk.policy import profile
    svc = ServiceThread(str(tmp_path / "svc.db"), profile("shaanxi")).start()
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
