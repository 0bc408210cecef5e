"""The kiosk process is SIGKILLed at every irreversible step of every PIN service and of a replacement, then
a second process starts the kiosk, which recovers; then the holder comes back. Whatever the step: no card is
anywhere but the reject bin or the citizen's hand, no fee is charged twice or lost, no transaction is left
open, every unknown outcome reaches the service and staff, and after the holder's next visit the service's
record agrees with what the card really has.

The cards live in this process, as a card lives in the citizen's hand or the module, not in the kiosk's
memory: the citizen's card behind pcscd (vpcd reader 00 00), the card module a simulator on a pty with its
own vpcd reader (00 01). "mid_command" is the power cut inside the PIN command: the card carries it out and
kills the kiosk before its answer is read. One service per case: starting one takes ~0.2 s, and a fresh one
needs no resetting of cards and applications between cases.
"""
import json
import os
import signal
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
from kiosk.hw.cardreader.virtualcard import personalise
from kiosk.hw.cardreader.vpcd import VPCD_PORT, VpcdBridge
from kiosk.policy import profile
from kiosk.runtime import load_or_make_key, save_public
from kiosk.security.module import SoftSecurityModule, demo_masters
from tests.pin_crash_worker import HOLDER, NEW

WORKER = [sys.executable, "-m", "tests.pin_crash_worker"]
FACTORY = SoftSecurityModule(demo_masters(), name="card factory")
PIN_SETTING = (0x5E, 0x24)           # CHANGE / RELOAD PIN, UNBLOCK PIN
KIND = {"activate": "change_pin", "reset_pin": "reset_pin", "unlock": "unlock"}
STEPS = {"activate": ("card_change_sent", "mid_command", "card_changed", "service_told"),
         "reset_pin": ("card_command_sent", "mid_command", "card_pin_set", "service_told"),
         "unlock": ("card_command_sent", "mid_command", "card_pin_set", "service_told")}
BEFORE = {"activate": "sealed", "reset_pin": "normal", "unlock": "pin_locked"}
AFTER = {"activate": "normal", "reset_pin": "normal", "unlock": "normal"}
OUTCOME = {0: "outcome_unknown_reported", 1: "outcome_unknown_reported", 2: "reconciled", 3: "done"}
REPLACEMENT_STEPS = ("old_card_inside", "old_card_held", "applied", "paid", "old_card_capturing", "old_card_captured")


class CutOffCard:
    """The citizen's card. With a victim set, it carries out a PIN-setting command and then the kiosk's power
    goes (SIGKILL) before the answer comes back."""

    def __init__(self, card):
        self.card, self.victim = card, None

    def __getattr__(self, name):
        return getattr(self.card, name)

    def process(self, apdu: bytes) -> bytes:
        answer = self.card.process(apdu)
        if self.victim is not None and len(apdu) > 1 and apdu[1] in PIN_SETTING:
            os.kill(self.victim, signal.SIGKILL)
        return answer


@pytest.fixture
def service(tmp_path):
    svc = ServiceThread(str(tmp_path / "svc.db"), profile("shaanxi")).start()
    yield svc
    svc.stop()


def enrolled_kiosk(tmp_path, service, kiosk_id) -> tuple[str, ServiceClient]:
    state = tmp_path / "kiosk"
    state.mkdir()
    client = ServiceClient(service.url, kiosk_id, key=load_or_make_key(str(state / "kiosk-key.pem")))
    save_public(str(state / "service-key.pem"), client.enrol(service.enrolment_code))
    return str(state), client


def staff_notices(service, kiosk_id: str) -> list[dict]:
    """Staff events other than device events (a card captured at start is also a device event, sent by the
    kiosk's own sender whenever it gets to it: tests/test_device_events.py tests those)."""
    return [e for e in service.store.staff_events(kiosk_id) if e["device"] is None]


def last_json(run) -> dict:
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def killed(args, card: CutOffCard | None = None):
    proc = subprocess.Popen(WORKER + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if card is not None:
        card.victim = proc.pid
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, (args, proc.returncode, err[-3000:])


# -- PIN services ----------------------------------------------------------------------------------------------
PIN_CASES = [(service, step) for service in STEPS for step in STEPS[service]]


@pytest.mark.timeout(180)
@pytest.mark.parametrize("service_name,crash_at", PIN_CASES)
def test_pin_service_killed_at_every_step(tmp_path, vpcd_reader, service, service_name, crash_at):
    kiosk_id = "PINX-01"
    state, client = enrolled_kiosk(tmp_path, service, kiosk_id)
    person = demo.by_key(HOLDER[service_name])
    card = CutOffCard(personalise(person.card_profile(), FACTORY))
    slot = VpcdBridge()
    slot.insert(card)                                            # in the reader, and stays: a dip reader
    try:
        killed(["run", state, service.url, kiosk_id, "sim", service_name, crash_at],
               card if crash_at == "mid_command" else None)
        card.victim = None
        index = STEPS[service_name].index(crash_at)
        changed = card.pin_is(NEW)
        assert changed == (index >= 1)                           # the card alone knows, after mid_command
        typed = NEW if changed else person.pin
        after = last_json(subprocess.run(WORKER + ["recover", state, service.url, kiosk_id, "sim", service_name],
                                         input=typed + "\n", capture_output=True, text=True, timeout=120))

        # the journal: one transaction, closed, as the step it died at says
        [txn] = [t for t in after["journal"] if t["kind"] == KIND[service_name]]
        assert txn["outcome"] == OUTCOME[index], txn
        assert all(t["outcome"] is not None for t in after["journal"])
        # every unknown outcome reached the service (card event) and staff (staff event)
        kinds = [e["kind"] for e in service.store.events(person.card_number)]
        staff = staff_notices(service, kiosk_id)
        if txn["outcome"] == "outcome_unknown_reported":
            assert "pin_outcome_unknown" in kinds and "pin_outcome_settled" in kinds
            assert [(e["kind"], e["txn"]) for e in staff] == [("pin_outcome_unknown", txn["txn"])]
        else:
            assert staff == [] and "pin_outcome_unknown" not in kinds
        # after the holder's next visit the service agrees with the card, and nothing is left unknown
        record = client.card(person.card_number)
        assert record["pin_outcome_unknown"] is None
        assert record["state"] == (AFTER if changed else BEFORE)[service_name], (record, after["visit"])
        assert card.pin_is(typed)
    finally:
        slot.remove()


# -- replacement: the old card held, captured; the fee paid --------------------------------------------------
@pytest.mark.timeout(180)
@pytest.mark.parametrize("crash_at", REPLACEMENT_STEPS)
def test_replacement_killed_at_every_step(tmp_path, vpcd_reader, service, crash_at):
    kiosk_id = "REPX-01"
    state, client = enrolled_kiosk(tmp_path, service, kiosk_id)
    person = demo.by_key("normal")
    old = personalise(person.card_profile(), FACTORY)
    slot = VpcdBridge(port=VPCD_PORT + 1)                        # the module's own reader: Virtual PCD 00 01
    station = SimulatedStation(slot, FACTORY, "610100", "666666")
    sim = IssuerSimulator(link=str(tmp_path / "ttyISSUER"), on_move=station.on_move)
    gone = threading.Event()

    def citizen():                                               # pushes the old card in once the gate opens
        while not gone.is_set() and not (sim.entry_enabled and sim.insert_at_gate(old)):
            time.sleep(0.05)
    threading.Thread(target=citizen, daemon=True).start()
    try:
        killed(["run", state, service.url, kiosk_id, sim.link, "replacement", crash_at])
        gone.set()
        after = last_json(subprocess.run(WORKER + ["recover", state, service.url, kiosk_id, sim.link],
                                         capture_output=True, text=True, timeout=120))

        # no card anywhere but the bin: the old card, captured by the flow or at start
        assert sim.position == "none" and station.card is None
        assert station.in_bin == [old] and station.in_hand == []
        # no transaction left open
        [txn] = [t for t in after["journal"] if t["kind"] == "replacement"]
        assert all(t["outcome"] is not None for t in after["journal"])
        # the card in the bin is known to staff with its number, unless it went there as planned (paid)
        staff = staff_notices(service, kiosk_id)
        if crash_at == "old_card_captured":
            assert txn["outcome"] == "old_card_captured" and staff == []
        else:
            assert txn["outcome"] == "old_card_captured_at_start"
            assert [(e["kind"], e["card_number"], e["txn"]) for e in staff] == \
                [("old_card_captured", person.card_number, txn["txn"])]
        # the fee: at most one order, paid at most once; paid means the application waits, accepted, for
        # the new card (resumed without paying again); the old card's record stands until a new card is taken
        applications = service.store.query("SELECT * FROM applications WHERE id_number = ?", person.id_number)
        orders = service.store.query("SELECT o.state FROM fee_orders o JOIN applications a ON a.id = o.application_id "
                                     "WHERE a.id_number = ?", person.id_number)
        paid = REPLACEMENT_STEPS.index(crash_at) >= REPLACEMENT_STEPS.index("paid")
        if REPLACEMENT_STEPS.index(crash_at) < REPLACEMENT_STEPS.index("applied"):
            assert applications == [] and orders == []
        else:
            assert [o["state"] for o in orders] == ["paid" if paid else "unpaid"]
            assert [a["state"] for a in applications] == ["accepted" if paid else "awaiting_payment"]
        assert client.card(person.card_number)["state"] == "normal"
    finally:
        gone.set()
        sim.close()
        slot.remove()
