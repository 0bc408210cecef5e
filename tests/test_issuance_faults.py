"""The fault matrix of the issuing path (issue 11). Each device fails, at each step it takes part in, in four
ways: a typed DeviceError, an untyped exception, a hang past its timeout, and a lie. Then, in every cell:
the card ends in the reject bin or the citizen's hand; its number is void (sealed if the citizen has it);
the journal is closed with an outcome; the citizen is told in words; and the next citizen's issuance starts
from an empty module, is given a fresh blank, and no number or card is used twice.

The module is the CRT-591 simulator on a pty driven by the real link and driver; the chip reader is the
module's in-process contact station with virtual cards; the face printer is the simulator, or the CUPS
printer running fake lp/lpstat/cancel scripts; the service is the reference service over HTTP. Untyped
exceptions are injected where no wire can produce one: after the real operation (module, face printer) or
in place of an APDU exchange (chip reader).
"""
from __future__ import annotations

import pytest

from kiosk.config import Config
from kiosk.hw.base import DeviceError
from kiosk.hw.cardissuer.faceprinter import CupsFacePrinter
from kiosk.hw.cardreader import readers
from kiosk.runtime import Kiosk
from tests.fakecups import FakeCups
from tests.issuance_tools import citizen_takes_cards, first_card, number_on, replacement_paid, run, watch_chip_station

STEPS_OF = {"module": ("dispense", "present"), "chip_reader": ("dispense", "personalise", "verify"),
            "face_printer": ("print",)}
KINDS = ("typed", "untyped", "hang", "lie")
# The citizen takes a card the moment it reaches the gate; where a failure can strike with the card already at
# the gate, also with the citizen looking away (then the card must be captured, not left at the gate).
CELLS = [(device, step, kind, "takes") for device, steps in STEPS_OF.items() for step in steps for kind in KINDS]
CELLS += [("module", "present", "untyped", "away"), ("module", "present", "hang", "away")]
# The fault is armed when the journal records this step: the device fails at its next action
ARMED_AT = {("module", "dispense"): "dispensing", ("module", "present"): "presenting",
            ("chip_reader", "dispense"): "dispensed", ("chip_reader", "personalise"): "personalising",
            ("chip_reader", "verify"): "personalised", ("face_printer", "print"): "face_printing"}
CARD_LIES = {"dispense": "stale_answer", "personalise": "garbled_write", "verify": "stale_answer"}


class DriverBug(RuntimeError):
    """An exception no device contract promises: a bug in a driver or an SDK."""


def bug_after(operation, armed: dict):
    """The real operation runs (the card moves over the pty), then the driver trips over its own bug."""
    def wrapped(*args, **kwargs):
        result = operation(*args, **kwargs)
        if armed.pop("bug", False):
            raise DriverBug("after the move")
        return result
    return wrapped


class BuggyChipReader:
    """The chip reader port with a bug in its APDU exchange once armed."""

    def __init__(self, inner, armed: dict):
        self.inner, self.armed = inner, armed

    def status(self):
        return self.inner.status()

    def card_present(self):
        return self.inner.card_present()

    def wait_for_card(self, timeout, cancelled=None):
        connection = self.inner.wait_for_card(timeout, cancelled)
        return None if connection is None else _BuggyConnection(connection, self.armed)


class _BuggyConnection:
    def __init__(self, inner, armed):
        self.inner, self.armed = inner, armed

    def transmit(self, apdu):
        if self.armed.pop("bug", False):
            raise DriverBug("in the exchange")
        return self.inner.transmit(apdu)

    def atr(self):
        return self.inner.atr()

    def disconnect(self):
        self.inner.disconnect()


class BuggyFacePrinter:
    def __init__(self, inner, armed: dict):
        self.inner, self.armed = inner, armed

    def status(self):
        return self.inner.status()

    def print_face(self, face):
        self.inner.print_face(face)
        if self.armed.pop("bug", False):
            raise DriverBug("after printing")


@pytest.fixture
def kiosk(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MUTE_TIMEOUT_S", 0.2)       # a silent chip is given up on sooner
    k = Kiosk(Config(state_dir=str(tmp_path / "state"), issuer_timing=0))
    k.devices.cardissuer.link.deadline_scale = 0.1           # a stalled module too (MOVE_TO_IC: 0.8 s)
    yield k
    k.close()


def rig(kiosk, tmp_path, monkeypatch, device: str, step: str, kind: str):
    """Install the fault: returns what arms it (called when the journal records ARMED_AT) and what
    disarms whatever is left of it (the technician's repair before the next citizen)."""
    hands, devices, armed = kiosk.hands, kiosk.devices, {}
    sim, station = hands.issuer_sim, hands.station
    disarm = lambda: None                                                     # noqa: E731
    if kind == "untyped":
        if device == "module":
            name = "dispense_to_chip" if step == "dispense" else "present"
            setattr(devices.cardissuer, name, bug_after(getattr(devices.cardissuer, name), armed))
        elif device == "chip_reader":
            devices.issuer_reader = BuggyChipReader(devices.issuer_reader, armed)
        else:
            devices.faceprinter = BuggyFacePrinter(devices.faceprinter, armed)
        return lambda: armed.update(bug=True), disarm
    if device == "module":
        fault = {"typed": "jam_dispense" if step == "dispense" else "jam_eject", "hang": "no_reply",
                 "lie": "wrong_reply"}[kind]
        times = 3 if kind == "lie" else 1                 # every resend is lied to as well
        return lambda: [sim.inject(fault) for _ in range(times)], disarm
    if device == "chip_reader":
        fault = {"typed": "remove_mid_command", "hang": "mute", "lie": CARD_LIES[step]}[kind]
        return lambda: station.card.inject(fault), disarm
    if kind == "typed":
        return lambda: hands.faceprinter_sim.inject("jam"), disarm
    cups = FakeCups(tmp_path / "cups", monkeypatch)
    devices.faceprinter = CupsFacePrinter("cards", timeout=0.3, job_timeout=0.3, poll=0.05)
    return lambda: cups.behave("hang" if kind == "hang" else "stuck"), lambda: cups.behave("ok")


@pytest.mark.parametrize("device,step,kind,citizen", CELLS, ids=["-".join(cell) for cell in CELLS])
def test_fault_matrix(kiosk, tmp_path, monkeypatch, device, step, kind, citizen):
    check_cell(kiosk, tmp_path, monkeypatch, device, step, kind, citizen)


# The chip station behind pcscd (vpcd's second reader), through the real PC/SC stack (run under
# scripts/with-test-services.sh, holding /tmp/sbk-test.lock). Lies and untyped failures only: a card pulled
# or falling silent ends the vpcd connection, and a blank inserted within ~0.5 s of that is never seen by
# pcscd (a quirk of the vpcd simulation, not of a reader), so the next citizen's card would not arrive.
PCSC_CELLS = [("chip_reader", step, kind, "takes") for step in ("personalise", "verify") for kind in ("untyped", "lie")]


@pytest.fixture
def pcsc_kiosk(tmp_path, monkeypatch, vpcd_reader):
    from kiosk.hw.cardreader import vpcd
    monkeypatch.setattr(vpcd, "MUTE_TIMEOUT_S", 0.2)
    k = Kiosk(Config(state_dir=str(tmp_path / "state"), issuer_timing=0, issuer_reader="vpcd"))
    k.devices.cardissuer.link.deadline_scale = 0.1
    yield k
    k.close()


@pytest.mark.parametrize("device,step,kind,citizen", PCSC_CELLS, ids=["-".join(cell) for cell in PCSC_CELLS])
def test_fault_matrix_over_pcsc(pcsc_kiosk, tmp_path, monkeypatch, device, step, kind, citizen):
    check_cell(pcsc_kiosk, tmp_path, monkeypatch, device, step, kind, citizen)


def check_cell(kiosk, tmp_path, monkeypatch, device, step, kind, citizen):
    service, journal = kiosk.devices.service, kiosk.devices.journal
    sim, station = kiosk.hands.issuer_sim, kiosk.hands.station
    arm, disarm = rig(kiosk, tmp_path, monkeypatch, device, step, kind)
    seen = watch_chip_station(kiosk)
    if citizen == "takes":
        citizen_takes_cards(kiosk)
    first = replacement_paid(kiosk)
    at_dispense = {}

    def after_step(txn, name):
        if txn == first.txn and name == ARMED_AT[device, step]:
            arm()
        if txn != first.txn and name == "dispensing":      # the next issuance, about to dispense
            at_dispense[txn] = sim.position
    journal.after_step = after_step

    result = run(first)
    disarm()
    first_steps = journal.steps(first.txn)
    failed = isinstance(result, Exception) or "card_taken" in first_steps
    assert failed, f"the fault never struck: {first_steps}"         # no cell passes by luck
    # the citizen is told in words, or has a finished card
    if isinstance(result, Exception):
        assert isinstance(result, DeviceError) and result.zh and result.en, repr(result)
    # the card is in the bin or a hand, nowhere else
    assert sim.position == "none" and station.card is None
    assert {id(c) for c in seen} <= {id(c) for c in station.in_bin + station.in_hand}
    # its number: sealed when the citizen has it, void otherwise
    if first.card_number is not None:
        in_hand = [number_on(c) for c in station.in_hand]
        assert service.card(first.card_number)["state"] == ("sealed" if first.card_number in in_hand else "void")
        assert (first.card_number in in_hand) == (not isinstance(result, Exception) and result.taken)
    # the journal is closed with an outcome
    assert [r["outcome"] is not None for r in journal.transactions("issuance")] == [True]

    # the next citizen
    if citizen == "away":
        citizen_takes_cards(kiosk)
    before = list(seen)
    second = first_card(kiosk)
    outcome = run(second)
    assert not isinstance(outcome, Exception) and outcome.taken, outcome
    assert list(at_dispense.values()) == ["none"]               # started from an empty module
    given = station.in_hand[-1]
    assert all(given is not c for c in before)                 # a fresh blank, never a card written before
    assert number_on(given) == outcome.card_number != first.card_number
    numbers = [number_on(c) for c in station.in_bin + station.in_hand if number_on(c)]
    assert len(numbers) == len(set(numbers))                    # no number on two cards
    if first.card_number is not None and first.card_number not in numbers:
        assert service.card(first.card_number)["state"] == "void"   # allocated, never finished: void
    assert service.card(outcome.card_number)["state"] == "sealed"
    assert all(r["outcome"] is not None for r in journal.transactions("issuance"))
