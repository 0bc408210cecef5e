"""A card handed in at the CRT-591's gate, through the real link and driver against the simulator on a pty:
entry only while enabled (and never after Initialize), the inserted card reaches the module's chip
reader, and is captured or handed back."""
import threading

import pytest

from kiosk import demo
from kiosk.hw.cardissuer.codec import CardPosition, Command
from kiosk.hw.cardissuer.issuer import CardIssuer, IssuerError
from kiosk.hw.cardissuer.link import Crt591Link
from kiosk.hw.cardissuer.simulator import IssuerSimulator
from kiosk.hw.cardissuer.station import SimulatedStation
from kiosk.hw.cardreader.inprocess import InProcessReader
from kiosk.hw.cardreader.ssse import SocialSecurityCard
from kiosk.hw.cardreader.virtualcard import personalise
from kiosk.security.module import SoftSecurityModule, demo_masters

FACTORY = SoftSecurityModule(demo_masters())


@pytest.fixture
def reader():
    return InProcessReader()


@pytest.fixture
def station(reader):
    return SimulatedStation(reader, FACTORY, "610100", "666666")


@pytest.fixture
def sim(tmp_path, station):
    simulator = IssuerSimulator(hopper=20, link=str(tmp_path / "ttyISSUER"), on_move=station.on_move)
    yield simulator
    simulator.close()


@pytest.fixture
def issuer(sim, tmp_path):
    link = Crt591Link(sim.link)
    driver = CardIssuer(link, str(tmp_path / "counts.json"))
    driver.initialize()
    yield driver
    link.close()


@pytest.fixture
def old_card():
    return personalise(demo.by_key("gen2").card_profile(), FACTORY)


def test_a_closed_gate_takes_no_card_and_initialize_closes_it(sim, issuer, old_card):
    assert sim.insert_at_gate(old_card) is False
    issuer.link.transact(Command.GATE_ENTRY_ENABLE)
    issuer.initialize()
    assert sim.insert_at_gate(old_card) is False and sim.position == "none"


def test_an_inserted_card_waits_at_rf_and_the_chip_reader_sees_it_at_ic(sim, issuer, reader, old_card):
    accepted = issuer.accept_card(2, on_open=lambda: sim.insert_at_gate(old_card))
    assert accepted and sim.position == "ic" and reader.card is old_card
    assert sim.entry_enabled is False and Command.GATE_ENTRY_DISABLE in sim.requests
    info = SocialSecurityCard(reader.wait_for_card(1)).read_info()
    assert info.card_number == demo.by_key("gen2").card_number and info.generation == 2
    assert sim.hopper == 20                     # nothing was dispensed


def test_the_status_shows_an_inserted_card_inside_before_it_is_moved(sim, issuer, reader, old_card):
    issuer.link.transact(Command.GATE_ENTRY_ENABLE)
    assert sim.insert_at_gate(old_card) is True
    assert issuer.link.transact(Command.STATUS).status.position is CardPosition.INSIDE and sim.position == "rf"
    assert reader.card is None                  # at the RF position, not in the contact station
    assert sim.insert_at_gate(old_card) is False    # the channel is not empty


def test_a_captured_old_card_ends_in_the_bin(sim, issuer, station, old_card):
    issuer.accept_card(2, on_open=lambda: sim.insert_at_gate(old_card))
    issuer.capture()
    assert station.in_bin == [old_card] and sim.bin_count == 1 and issuer.counts["reject_count"] == 1


def test_a_card_handed_back_is_taken_and_not_counted_as_issued(sim, issuer, station, old_card):
    issuer.accept_card(2, on_open=lambda: sim.insert_at_gate(old_card))
    arrived = threading.Event()
    inner = sim.on_move

    def on_move(position, cause, card=None):
        inner(position, cause, card)
        if position == "gate":
            arrived.set()
    sim.on_move = on_move
    threading.Thread(target=lambda: arrived.wait(5) and sim.take_card(), daemon=True).start()
    assert issuer.give_back(5, poll=0.05) is True
    assert station.in_hand == [old_card] and issuer.counts["issued"] == 0


def test_a_card_not_taken_back_stays_at_the_gate(sim, issuer, old_card):
    issuer.accept_card(2, on_open=lambda: sim.insert_at_gate(old_card))
    assert issuer.give_back(0) is False and sim.position == "gate"


def test_no_card_within_the_time_closes_the_gate_again(sim, issuer):
    assert issuer.accept_card(0.2, poll=0.05) is False
    assert sim.entry_enabled is False and sim.position == "none"


def test_a_cancel_ends_the_wait_and_closes_the_gate(sim, issuer):
    cancelled = threading.Event()
    cancelled.set()
    assert issuer.accept_card(30, cancelled) is False and sim.entry_enabled is False


def test_a_card_pushed_in_just_as_the_gate_closes_is_not_forgotten(sim, issuer, reader, old_card):
    transact = issuer.link.transact

    def late_insert(command, data=b""):
        if command is Command.GATE_ENTRY_DISABLE:
            sim.insert_at_gate(old_card)
        return transact(command, data)
    issuer.link.transact = late_insert
    assert issuer.accept_card(0) is True and reader.card is old_card


def test_no_card_is_taken_while_one_is_inside(sim, issuer):
    issuer.dispense_to_chip()
    with pytest.raises(IssuerError) as refused:
        issuer.accept_card(1)
    assert "工作人员" in refused.value.zh and sim.entry_enabled is False
