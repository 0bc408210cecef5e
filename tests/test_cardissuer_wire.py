"""The real CRT-591 link and issuer driver over pyserial against the simulator on a pseudo-terminal."""
import pytest

from kiosk.hw.base import Action, DeviceError, DeviceOffline, DeviceState, DeviceTimeout
from kiosk.hw.cardissuer.codec import CardPosition, Command
from kiosk.hw.cardissuer.issuer import CardIssuer, IssuerError
from kiosk.hw.cardissuer.link import Crt591Link
from kiosk.hw.cardissuer.simulator import IssuerSimulator


@pytest.fixture
def sim(tmp_path):
    simulator = IssuerSimulator(hopper=20, bin_capacity=5, low=10, link=str(tmp_path / "ttyISSUER"))
    yield simulator
    simulator.close()


@pytest.fixture
def events():
    return []


@pytest.fixture
def issuer(sim, tmp_path, events):
    link = Crt591Link(sim.link)
    driver = CardIssuer(link, str(tmp_path / "counts.json"), bin_capacity=5, bin_warning=4, on_event=events.append)
    yield driver
    link.close()


def test_nothing_works_before_initialize_then_everything_is_online(sim, issuer):
    status = issuer.status()
    assert status.state is DeviceState.OFFLINE and status.vendor_code == "EB0"
    assert issuer.initialize() == "CRT-591-M001"
    status = issuer.status()
    assert status.state is DeviceState.ONLINE
    assert status.media == {"reject_count": 0, "hopper": "ok", "reject_bin": "ok", "card_position": "none"}


def test_a_card_taken_at_the_gate(sim, issuer):
    issuer.initialize()
    issuer.dispense_to_chip()
    assert issuer.status().media["card_position"] == "ic" and sim.hopper == 19
    issuer.present()
    assert issuer.status().media["card_position"] == "gate"
    sim.take_card()
    assert issuer.wait_taken(2) is True and issuer.counts["issued"] == 1


def test_a_card_left_at_the_gate_is_captured(sim, issuer):
    issuer.initialize()
    issuer.dispense_to_chip()
    issuer.present()
    assert issuer.wait_taken(0.4, poll=0.1) is False
    issuer.capture()
    assert sim.bin_count == 1 and issuer.counts["reject_count"] == 1 and sim.counter == 1


def test_a_card_left_inside_by_a_power_cut_is_captured_at_start_up(sim, issuer, events):
    sim.position = "ic"                       # what a power cut mid-issuance leaves behind
    issuer.initialize()
    assert sim.position == "none" and sim.bin_count == 1
    assert issuer.counts["reject_count"] == 1 and "leftover_card_captured" in events


def test_empty_hopper(sim, issuer, events):
    issuer.initialize()
    sim.inject("hopper_empty")
    with pytest.raises(IssuerError) as failure:
        issuer.dispense_to_chip()
    assert failure.value.vendor_code == "EA0" and "补卡" in failure.value.zh
    assert issuer.status().media["hopper"] == "empty" and "hopper_empty" in events


def test_low_hopper_raises_an_event(sim, issuer, events):
    sim.bin_capacity = 50
    issuer.initialize()
    for _ in range(10):
        issuer.dispense_to_chip()
        issuer.capture()
    assert "hopper_low" in events and "reject_bin_near_full" in events


@pytest.mark.parametrize("fault,step", [("jam_dispense", "dispense_to_chip"), ("jam_eject", "present")])
def test_jams_are_typed_errors_for_staff(sim, issuer, fault, step):
    issuer.initialize()
    if step == "present":
        issuer.dispense_to_chip()
    sim.inject(fault)
    with pytest.raises(IssuerError) as failure:
        getattr(issuer, step)()
    assert failure.value.vendor_code == "E10" and failure.value.action.value == "clear"


def test_full_reject_bin(sim, issuer, events):
    issuer.initialize()
    issuer.dispense_to_chip()
    sim.inject("bin_full")
    with pytest.raises(IssuerError) as failure:
        issuer.capture()
    assert failure.value.vendor_code == "EA1"
    status = issuer.status()
    assert status.state is DeviceState.HARDWARE_ERROR and status.media["reject_bin"] == "full"
    assert "reject_bin_full" in events


def test_unacknowledged_command_is_resent_after_300_ms(sim, issuer):
    issuer.initialize()
    sim.inject("no_ack")
    assert issuer.status().state is DeviceState.ONLINE and issuer.link.resends == 1


def test_garbled_reply_is_nakked_and_resent(sim, issuer):
    issuer.initialize()
    sim.inject("garbled_reply")
    assert issuer.status().state is DeviceState.ONLINE and issuer.link.naks_sent == 1


def test_power_cut_then_replug(sim, issuer):
    issuer.initialize()
    issuer.dispense_to_chip()
    sim.inject("power_cut")
    with pytest.raises(DeviceOffline):
        issuer.present()
    assert issuer.status().state is DeviceState.OFFLINE
    sim.plug()
    replugged = issuer.status()
    assert replugged.vendor_code == "EB0", replugged            # back, but not initialised
    issuer.initialize()                                    # the card still inside goes to the bin
    assert sim.bin_count == 1 and issuer.status().state is DeviceState.ONLINE


def test_counts_persist_and_the_staff_exchange_resets_them(sim, issuer, tmp_path):
    issuer.initialize()
    issuer.dispense_to_chip()
    issuer.capture()
    again = CardIssuer(issuer.link, str(tmp_path / "counts.json"))
    assert again.counts["reject_count"] == 1 and again.counts["dispensed"] == 1
    again.start_exchange()
    assert again.status().state is DeviceState.BUSY
    sim.empty_bin()
    sim.refill(30)
    again.end_exchange(bin_emptied=True)
    assert again.counts["reject_count"] == 0 and sim.counter == 0 and again.status().state is DeviceState.ONLINE


def test_cancel_is_confirmed_with_eot(sim, issuer):
    assert issuer.link.cancel() is True


def test_a_module_answering_every_command_for_another_is_a_typed_fault(sim, issuer):
    """Issue 11 item 7: a module answering each command with a STATUS reply made initialise, dispense,
    capture and present all "succeed" while nothing moved."""
    issuer.initialize()
    sim.inject("wrong_replies")
    for operation in (issuer.initialize, issuer.dispense_to_chip, issuer.capture, issuer.present):
        with pytest.raises(DeviceError) as failure:
            operation()
        fault = failure.value
        assert "another command" in fault.detail and fault.zh and fault.en
        assert fault.action is Action.MAINTENANCE
    assert sim.hopper == 20 and sim.position == "none"
    sent = sim.requests.count(Command.MOVE_TO_IC)
    assert sent == 3, f"the command is sent three times in all (two resends), not {sent}"


def test_one_reply_for_another_command_is_resent_and_the_command_then_done(sim, issuer):
    issuer.initialize()
    sim.inject("wrong_reply")
    issuer.dispense_to_chip()
    assert sim.position == "ic" and sim.hopper == 19 and issuer.link.mismatches == 1


def test_a_reply_that_never_comes_ends_at_the_deadline(sim, tmp_path):
    link = Crt591Link(sim.link, deadline_scale=0.05)
    issuer = CardIssuer(link, str(tmp_path / "counts.json"))
    issuer.initialize()
    sim.inject("no_reply")
    with pytest.raises(DeviceTimeout):
        issuer.dispense_to_chip()
    assert sim.position == "ic"              # carried out: the host must find the card and capture it
    assert issuer.card_position() is CardPosition.INSIDE
    link.close()
