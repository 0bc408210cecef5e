"""Issue 11 item 1: whatever fails while a card is made, the card ends in the reject bin (or the citizen's
hand), its number is void (or confirmed), the journal is closed, the citizen is told in words, and the next
issuance starts from an empty module: never with the last citizen's card, never writing a card that
already carries a number. On the embedded default: the module over its pty simulator, the real service."""
import subprocess

import pytest
from PIL import Image

from kiosk import demo
from kiosk.config import Config
from kiosk.hw.base import DeviceError
from kiosk.hw.cardissuer.faceprinter import CupsFacePrinter
from kiosk.hw.cardreader.virtualcard import personalise
from kiosk.runtime import Kiosk
from tests.fakecups import FakeCups
from tests.issuance_tools import (citizen_takes_cards, first_card, journal_outcomes, number_on, replacement_paid, run,
                                  watch_chip_station)


@pytest.fixture
def kiosk(tmp_path):
    k = Kiosk(Config(state_dir=str(tmp_path / "state"), issuer_timing=0))
    yield k
    k.close()


class TimingOutFacePrinter:
    """The face printer port as CupsFacePrinter behaved when ``lp`` hung: subprocess.TimeoutExpired, raw."""

    def __init__(self, inner, failures: int = 1):
        self.inner, self.failures = inner, failures

    def status(self):
        return self.inner.status()

    def print_face(self, face):
        if self.failures:
            self.failures -= 1
            raise subprocess.TimeoutExpired(["lp", "-d", "cards"], 60)
        self.inner.print_face(face)


def test_an_untyped_face_printer_failure_never_hands_the_card_to_the_next_citizen(kiosk):
    station, service = kiosk.hands.station, kiosk.devices.service
    kiosk.devices.faceprinter = TimingOutFacePrinter(kiosk.hands.faceprinter_sim)
    seen = watch_chip_station(kiosk)
    first = replacement_paid(kiosk)
    failure = run(first, take_timeout=1)
    citizen_takes_cards(kiosk)
    second = first_card(kiosk)
    outcome = run(second)

    assert {
        "first citizen told": type(failure).__name__ if not isinstance(failure, DeviceError) else "in words",
        "first number at the service": service.card(first.card_number)["state"],
        "second citizen's card": "the first citizen's, rewritten" if station.in_hand[0] is seen[0] else "a fresh blank",
        "numbers on the cards": [number_on(c) for c in seen],
        "cards in the bin": [number_on(c) for c in station.in_bin],
        "journal": journal_outcomes(kiosk),
    } == {
        "first citizen told": "in words",
        "first number at the service": "void",
        "second citizen's card": "a fresh blank",
        "numbers on the cards": [first.card_number, outcome.card_number],
        "cards in the bin": [first.card_number],
        "journal": ["failed", "issued"],
    }
    assert failure.zh and failure.en and "TimeoutExpired" not in failure.zh + failure.en
    assert service.card(outcome.card_number)["state"] == "sealed"


def test_a_card_left_in_the_module_is_captured_before_the_next_dispense(kiosk):
    """A card inside when an issuance starts (here a citizen's old card no flow captured) goes to the bin;
    it is never moved to the chip station and written over."""
    station, sim = kiosk.hands.station, kiosk.hands.issuer_sim
    old = personalise(demo.by_key("gen2").card_profile(), kiosk.hands.card_factory)
    station.card = old
    sim.position = "ic"
    citizen_takes_cards(kiosk)
    outcome = run(first_card(kiosk))
    assert not isinstance(outcome, Exception), outcome
    assert (number_on(old), old in station.in_bin) == (demo.by_key("gen2").card_number, True), \
        "the old card was written over" if number_on(old) == outcome.card_number else "not captured"
    assert number_on(station.in_hand[0]) == outcome.card_number and station.in_hand[0] is not old
    steps = kiosk.devices.journal.steps(kiosk.devices.journal.transactions("issuance")[0]["txn"])
    assert steps.index("leftover_captured") < steps.index("dispensing")


def test_a_dispensed_card_that_already_carries_a_number_is_never_written(kiosk):
    station = kiosk.hands.station
    written = personalise(demo.by_key("gen2").card_profile(), kiosk.hands.card_factory)
    station.card = written                      # in the hopper, as if it were blank
    issuance = first_card(kiosk)
    failure = run(issuance)
    assert number_on(written) == demo.by_key("gen2").card_number, "written over"
    assert isinstance(failure, DeviceError) and failure.zh and failure.en
    assert issuance.card_number is None          # no number was even asked for
    assert station.in_bin == [written] and number_on(written) == demo.by_key("gen2").card_number
    assert journal_outcomes(kiosk) == ["failed"]


def test_a_card_the_failure_path_could_not_capture_is_captured_before_the_next_dispense(kiosk):
    station, sim, service = kiosk.hands.station, kiosk.hands.issuer_sim, kiosk.devices.service
    kiosk.hands.faceprinter_sim.inject("jam")
    sim.inject("bin_full")                       # so the capture after the jam fails too
    first = replacement_paid(kiosk)
    failure = run(first)
    assert isinstance(failure, DeviceError) and sim.position == "ic"
    assert service.card(first.card_number)["state"] == "void"
    left = station.card
    sim.empty_bin()                              # staff empty the bin; the card is still inside
    citizen_takes_cards(kiosk)
    outcome = run(first_card(kiosk))
    assert not isinstance(outcome, Exception), outcome
    assert (number_on(left), left in station.in_bin) == (first.card_number, True), \
        "the first citizen's card was written over" if number_on(left) == outcome.card_number else "not captured"
    assert station.in_hand[0] is not left and number_on(station.in_hand[0]) == outcome.card_number


@pytest.fixture
def cups(tmp_path, monkeypatch):
    return FakeCups(tmp_path / "cups", monkeypatch)


def test_cups_lp_that_hangs_is_a_typed_face_print_error(cups):
    printer = CupsFacePrinter("cards")
    printer.timeout = 0.5
    cups.behave("hang")
    with pytest.raises(DeviceError) as failure:
        printer.print_face(Image.new("RGB", (100, 63), "white"))
    assert "lp" in failure.value.detail and failure.value.zh and failure.value.en


def test_a_cups_job_that_never_completes_is_cancelled_and_reported(cups):
    printer = CupsFacePrinter("cards")
    printer.job_timeout, printer.poll = 0.5, 0.05
    cups.behave("stuck")
    with pytest.raises(DeviceError) as failure:
        printer.print_face(Image.new("RGB", (100, 63), "white"))
    assert "cards-1" in failure.value.detail and cups.cancelled == ["cards-1"] and cups.pending == []
    cups.behave("ok")
    printer.print_face(Image.new("RGB", (100, 63), "white"))
    assert cups.printed == ["printed-2.png"]
