"""The kiosk process is SIGKILLed at every step of an issuance in turn, then restarted. Whatever the step:
no card is left anywhere but the reject bin or the citizen's hand, the service and the journal agree on
every card number, and the fee is charged once."""
import json
import subprocess
import sys
import threading
import time

import pytest

from kiosk import demo
from kiosk.backend.client import ServiceClient
from kiosk.backend.server import ServiceThread
from kiosk.hw.cardissuer.simulator import IssuerSimulator
from kiosk.hw.cardissuer.station import SimulatedStation
from kiosk.hw.cardreader.vpcd import VPCD_PORT, VpcdBridge
from kiosk.policy import profile
from kiosk.runtime import load_or_make_key, save_public
from kiosk.security.module import SoftSecurityModule, demo_masters

STEPS = ["dispensing", "dispensed", "number_requested", "number_allocated", "personalising", "personalised",
         "verified", "face_printing", "face_printed", "presenting", "presented", "taken", "confirmed"]
WORKER = [sys.executable, "-m", "tests.issuance_worker"]


@pytest.mark.timeout(600)
@pytest.mark.parametrize("crash_at", STEPS)
def test_sigkill_at_every_step_leaves_nothing_lost(tmp_path, vpcd_reader, crash_at):
    state = tmp_path / "kiosk"
    state.mkdir()
    service = ServiceThread(str(tmp_path / "svc.db"), profile("shaanxi")).start()
    bridge = VpcdBridge(port=VPCD_PORT + 1)                     # the module's own reader: Virtual PCD 00 01
    station = SimulatedStation(bridge, SoftSecurityModule(demo_masters()), "610100", "666666")
    sim = IssuerSimulator(link=str(tmp_path / "ttyISSUER"), on_move=station.on_move)
    taker = threading.Event()
    try:
        key = load_or_make_key(str(state / "kiosk-key.pem"))
        client = ServiceClient(service.url, "CRASH-01", key=key)
        save_public(str(state / "service-key.pem"), client.enrol(service.enrolment_code))
        person = demo.by_key("normal")                          # a replacement with a 20-yuan fee, paid once
        client.report_loss(person.card_number, "formal", id_verified=True)
        application = client.apply(person.id_number, "replacement", reason="lost")
        client.pay(application["fee_order"]["id"])

        def citizen():                                          # takes the card once it is at the gate
            while not taker.is_set():
                if sim.position == "gate" and crash_at in ("taken", "confirmed"):
                    sim.take_card()
                time.sleep(0.05)
        threading.Thread(target=citizen, daemon=True).start()

        run = subprocess.run(WORKER + ["issue", str(state), service.url, sim.link, str(application["id"]), crash_at,
                                       "normal"], capture_output=True, text=True, timeout=120)
        assert run.returncode == -9, (crash_at, run.returncode, run.stderr[-2000:])
        taker.set()
        again = subprocess.run(WORKER + ["recover", str(state), service.url, sim.link], capture_output=True,
                               text=True, timeout=120)
        assert again.returncode == 0, again.stderr[-2000:]
        journal = json.loads(again.stdout.strip().splitlines()[-1])

        # no card anywhere but the bin or a hand
        assert sim.position == "none" and station.card is None
        dispensed = STEPS.index(crash_at) >= STEPS.index("dispensed")   # killed before the dispense was sent?
        assert len(station.in_bin) + len(station.in_hand) == (1 if dispensed else 0)
        # the service and the journal agree on every card number
        assert len(journal) == 1 and journal[0]["outcome"] is not None
        number = journal[0]["card_number"]
        if number is not None:
            state_at_service = client.card(number)["state"]
            if journal[0]["outcome"].endswith("confirmed"):
                assert state_at_service == "sealed" and len(station.in_hand) == 1
            else:
                assert state_at_service == "void" and len(station.in_bin) == 1
        # the fee: one order, paid once, never refunded or charged again
        orders = service.store.query("SELECT state FROM fee_orders WHERE application_id = ?", application["id"])
        assert [o["state"] for o in orders] == ["paid"]
        # a voided issuance leaves the application open to retry without paying again
        status = client.card_status(person.id_number)
        if journal[0]["outcome"].endswith("confirmed"):
            assert status["card"]["state"] == "sealed" and client.card(person.card_number)["state"] == "cancelled"
        else:
            assert service.store.query("SELECT state FROM applications WHERE id = ?",
                                       application["id"])[0]["state"] == "accepted"
    finally:
        taker.set()
        sim.close()
        bridge.remove()
        service.stop()
