"""The real GA 467 driver over pyserial against the simulator on a pseudo-terminal."""
import os

import pytest

from kiosk import demo
from kiosk.hw.base import DeviceOffline, DeviceState, DeviceTimeout
from kiosk.hw.idreader.driver import IdReader, IdReaderError
from kiosk.hw.idreader.simulator import IdReaderSimulator


@pytest.fixture
def sim():
    simulator = IdReaderSimulator()
    yield simulator
    simulator.close()


@pytest.fixture
def reader(sim):
    driver = IdReader(sim.port)
    yield driver
    driver.close()


def test_reads_a_placed_card(sim, reader):
    assert reader.card_present() is False
    sim.place(demo.by_key("normal").id_card())
    assert reader.card_present() is True
    card = reader.read_card()
    assert (card.name, card.id_number) == ("王小明", demo.by_key("normal").id_number)


def test_answer_streamed_in_pieces_is_assembled(sim, reader):
    sim.place(demo.by_key("normal").id_card())
    reader.card_present()
    sim.inject("split_answer")          # SELECT's answer comes in pieces
    sim.inject("split_answer")          # and the 1295-byte read too
    assert reader.read_card().name == "王小明"


def test_corrupted_answer_is_retried(sim, reader):
    sim.place(demo.by_key("normal").id_card())
    sim.inject("bad_checksum")
    assert reader.card_present() is True
    assert reader.frames_rejected == 1


def test_garbage_on_the_line_is_skipped(sim, reader):
    sim.inject("garbage_before")
    assert reader.card_present() is False


def test_silent_reader_times_out_after_bounded_retries(sim, reader):
    for _ in range(3):
        sim.inject("silence")
    with pytest.raises(DeviceTimeout):
        reader.card_present()
    assert reader.card_present() is False     # and the link still works afterwards


def test_sam_fault_is_a_hardware_error_for_staff(sim, reader):
    sim.inject("sam_fault")
    status = reader.status()
    assert status.state is DeviceState.HARDWARE_ERROR and status.vendor_code == "SW3=60"
    sim.inject("sam_fault")
    with pytest.raises(IdReaderError) as failure:
        reader.card_present()
    assert "工作人员" in failure.value.zh


def test_card_removed_between_select_and_read_is_a_clear_error(sim, reader):
    sim.place(demo.by_key("normal").id_card())
    reader.card_present()
    original = sim._answer

    def answer_then_remove(command):
        frame = original(command)
        if command is not None and command.name == "SELECT_CARD":
            sim.remove()
        return frame
    sim._answer = answer_then_remove
    with pytest.raises(IdReaderError) as failure:
        reader.read_card()
    assert failure.value.vendor_code == "SW3=41"


def test_unplugged_port_is_offline_then_recovers_on_replug(tmp_path):
    link = tmp_path / "ttyIDR"            # a stable udev-style name pointing at the current device
    first = IdReaderSimulator()
    os.symlink(first.port, link)
    reader = IdReader(str(link))
    try:
        assert reader.status().state is DeviceState.ONLINE
        first.close()                     # unplugged
        os.unlink(link)
        assert reader.status().state is DeviceState.OFFLINE
        with pytest.raises(DeviceOffline):
            reader.card_present()
        second = IdReaderSimulator()      # plugged back in: udev points the name at the new node
        os.symlink(second.port, link)
        try:
            assert reader.status().state is DeviceState.ONLINE
            assert reader.card_present() is False
        finally:
            second.close()
    finally:
        reader.close()
