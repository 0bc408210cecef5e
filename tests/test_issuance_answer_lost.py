"""The service allocates the card number and the kiosk dies before the answer arrives: the kiosk's journal
says "number requested" and nothing more, while the service holds a number in `issuing` and an application
that refuses every new start. At the next start the kiosk must learn that number from the service, void it,
and leave the application open to retry — never a number issuing forever, never an application stuck."""
import json
import os
import signal
import subprocess
import sys

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
from tests.answer_dropper import AnswerDropper

WORKER = [sys.executable, "-m", "tests.issuance_worker"]


@pytest.mark.timeout(300)
def test_a_number_whose_answer_was_lost_is_voided_at_the_next_start(tmp_path, vpcd_reader):
    state = tmp_path / "kiosk"
    state.mkdir()
    service = ServiceThread(str(tmp_path / "svc.db"), profile("shaanxi")).start()
    bridge = VpcdBridge(port=VPCD_PORT + 1)
    station = SimulatedStation(bridge, SoftSecurityModule(demo_masters()), "610100", "666666")
    sim = IssuerSimulator(link=str(tmp_path / "ttyISSUER"), on_move=station.on_move)
    worker = None
    relay = AnswerDropper(service.url, drop=lambda line: line.startswith("POST") and line.endswith("/issuance HTTP/1.1"),
                          on_drop=lambda: os.kill(worker.pid, signal.SIGKILL))
    try:
        key = load_or_make_key(str(state / "kiosk-key.pem"))
        client = ServiceClient(service.url, "CRASH-01", key=key)
        save_public(str(state / "service-key.pem"), client.enrol(service.enrolment_code))
        person = demo.by_key("no_card")
        application = client.apply(person.id_number, "new", photo=True)
        worker = subprocess.Popen(WORKER + ["issue", str(state), relay.url, sim.link, str(application["id"]), "never",
                                            "no_card"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _, err = worker.communicate(timeout=120)
        assert worker.returncode == -9 and relay.dropped, err[-2000:]
        allocated = client.application(application["id"])["issuing_card"]
        assert allocated and client.card(allocated)["state"] == "issuing"

        again = subprocess.run(WORKER + ["recover", str(state), service.url, sim.link], capture_output=True,
                               text=True, timeout=120)
        assert again.returncode == 0, again.stderr[-2000:]
        journal = json.loads(again.stdout.strip().splitlines()[-1])
        assert len(journal) == 1 and journal[0]["outcome"] == "recovered_voided"
        assert journal[0]["card_number"] == allocated                          # the journal agrees with the service
        assert client.card(allocated)["state"] == "void"
        assert client.application(application["id"])["state"] == "accepted"      # open to retry
        assert sim.position == "none" and len(station.in_bin) == 1 and not station.in_hand
    finally:
        relay.close()
        sim.close()
        bridge.remove()
        service.stop()


def test_an_issuance_the_service_definitely_refuses_is_closed_with_a_staff_notice_not_retried(tmp_path):
    """A journal that names a card the service does not know (a service restored from an older backup,
    say): asking again at every start would never end. Closed once, and staff hear of it."""
    from kiosk.flows.base import Devices
    from kiosk.flows.issuance_settle import settle_unfinished
    from kiosk.journal import Journal
    from tests.service_tools import enrolled
    service = ServiceThread(str(tmp_path / "svc.db"), profile("shaanxi")).start()
    journal = Journal(str(tmp_path / "journal.db"))
    try:
        client = enrolled(service, "SETTLE-01")
        devices = Devices(None, None, None, client, journal, profile("shaanxi"), "SETTLE-01")
        journal.begin("SETTLE-01-1", "issuance", application_id=1)
        journal.step("SETTLE-01-1", "number_allocated", card_number="A99999999")
        journal.step("SETTLE-01-1", "presenting")
        assert settle_unfinished(devices, leftover_captured=False) == [("SETTLE-01-1", "service_refused")]
        assert settle_unfinished(devices, leftover_captured=False) == []           # never asked again
        events = client.staff_events("SETTLE-01")["events"]
        assert [(e["kind"], e["card_number"]) for e in events] == [("issuance_unsettled", "A99999999")]
    finally:
        journal.close()
        service.stop()
