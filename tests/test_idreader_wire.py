"""The real GA 467 driver over pyserial against the simulator on a pseudo-terminal, paced at 115200 baud."""
import datetime as dt

import pytest

from kiosk.hw.base import DeviceOffline, DeviceState, DeviceTimeout
from kiosk.hw.idreader.codec import Command, Sw3
from kiosk.hw.idreader.driver import IdReader, IdReaderError
from kiosk.hw.idreader.idcard import IdCardRefused
from kiosk.hw.idreader.simulator import CHIP_SN, IdReaderSimulator, SimCard
from kiosk.hw.idreader.samples import SAMPLES, resident

TODAY = dt.date(2026, 1, 1)


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


@pytest.mark.parametrize("key", SAMPLES)
def test_reads_every_card_type(sim, reader, key):
    card = SAMPLES[key]()
    sim.place(card)
    assert reader.card_present() is True
    read = reader.read_card(today=TODAY)
    assert (read.card_type, read.name, read.name_en, read.id_number) == \
        (card.card_type, card.name, card.name_en, card.id_number)


def test_no_card_is_not_an_error(sim, reader):
    assert reader.card_present() is False
    assert reader.wait_for_card(0.5) is None


def test_sam_commands(sim, reader):
    assert reader.status().state is DeviceState.ONLINE
    assert reader.sam_id() == "05.00-67305985-0000000001-0000000002"
    reader.reset_sam()
    sim.place(resident())
    reader.card_present()
    reader.read_card(today=TODAY)
    assert reader.chip_serial() == CHIP_SN.hex().upper()
    assert sim.requests[:3] == [Command.SAM_STATUS, Command.READ_SAM_ID, Command.RESET_SAM]


def test_fingerprint_variant_returns_both_templates(sim, reader):
    templates = bytes(range(256)) * 4
    sim.place(SimCard(resident(), fingerprint=templates))
    reader.card_present()
    card = reader.read_card(today=TODAY, fingerprint=True)
    assert card.fingerprint == templates and card.name == "张三"


def test_appended_address_present_and_absent(sim, reader):
    sim.place(SimCard(resident(), appended_address="北京市朝阳区建国路1号"))
    reader.card_present()
    reader.read_card(today=TODAY)
    assert reader.appended_address() == "北京市朝阳区建国路1号"
    sim.place(resident())
    reader.card_present()
    reader.read_card(today=TODAY)
    assert reader.appended_address() == ""


def test_expired_card_is_refused_over_the_wire(sim, reader):
    sim.place(resident(valid_until=dt.date(2020, 1, 1)))
    reader.card_present()
    with pytest.raises(IdCardRefused, match="expired"):
        reader.read_card(today=TODAY)
    assert reader.read_card(today=TODAY, check=False).valid_until == dt.date(2020, 1, 1)


@pytest.mark.parametrize("sw3", list(Sw3), ids=lambda s: s.name)
def test_every_sw3_code_reaches_the_caller_typed(sim, reader, sw3):
    sim.inject_sw3(sw3)
    if sw3 in (Sw3.FOUND,):
        assert reader.card_present() is True
    elif sw3 in (Sw3.FIND_FAILED, Sw3.NO_CARD_YET):
        assert reader.card_present() is False
    elif sw3 in (Sw3.OK, Sw3.NO_CONTENT):      # success codes of other commands: not an answer to FIND
        assert reader.card_present() is False    # skipped; the try after it is answered
        assert reader.answers_foreign == 1
    else:
        with pytest.raises(IdReaderError) as failure:
            reader.card_present()
        assert failure.value.vendor_code == f"SW3={sw3:02X}" and failure.value.zh


def test_answer_streamed_in_pieces_is_assembled(sim, reader):
    sim.place(resident())
    reader.card_present()
    sim.inject("split_answer")
    sim.inject("split_answer")
    assert reader.read_card(today=TODAY).name == "张三"


def test_slow_answer_within_the_deadline_is_waited_for(sim, reader):
    sim.place(resident())
    sim.inject("slow_answer")
    assert reader.card_present() is True


def test_corrupted_answer_is_retried(sim, reader):
    sim.place(resident())
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
    assert "工作人员" in failure.value.zh and failure.value.action.value == "maintenance"


def test_card_removed_between_select_and_read_is_a_clear_error(sim, reader):
    sim.place(resident())
    reader.card_present()
    sim.inject("remove_after_select")
    with pytest.raises(IdReaderError) as failure:
        reader.read_card(today=TODAY)
    assert failure.value.vendor_code == "SW3=41" and "不要移动" in failure.value.zh


def test_port_closed_mid_answer_is_offline_then_recovers_on_replug(tmp_path):
    link = str(tmp_path / "ttyIDR")           # a stable udev-style name pointing at the current device
    sim = IdReaderSimulator(link=link)
    reader = IdReader(link)
    try:
        sim.place(resident())
        assert reader.card_present() is True
        sim.inject("close_mid_answer")
        with pytest.raises(DeviceOffline):
            reader.read_card(today=TODAY)
        assert reader.status().state is DeviceState.OFFLINE
        sim.plug()                            # plugged back in: udev points the name at the new node
        assert reader.status().state is DeviceState.ONLINE
        assert reader.card_present() is True and reader.read_card(today=TODAY).name == "张三"
    finally:
        reader.close()
        sim.close()


def test_answers_the_reader_owes_from_a_timed_out_command_are_not_taken_as_the_next_ones(sim, reader):
    """A busy reader answers SELECT only after every try gave up; those three answers (SW3 90 and 8 bytes) look
    exactly like a chip serial answer, so they must be drained, not taken as the answer to READ_CHIP_SN."""
    sim.place(resident())
    assert reader.card_present() is True
    sim.inject_delay(1.7)                      # > 3 tries x 0.5 s: the driver gives SELECT up
    with pytest.raises(DeviceTimeout):
        reader.read_card(today=TODAY)
    assert reader.chip_serial() == CHIP_SN.hex().upper()


def test_a_late_answer_to_another_command_is_never_taken_as_this_ones(sim, reader):
    """The reader is busy longer than the driver waits for what it owes: FIND's late answers (SW3 9F) arrive
    while the driver waits for SELECT's; they do not fit SELECT (9F answers only FIND) and are skipped."""
    sim.place(resident())
    sim.inject_delay(2.8)                      # after FIND's 3 tries and the wait for what it owes (0.5 s)
    with pytest.raises(DeviceTimeout):
        reader.card_present()
    assert reader.read_card(today=TODAY).name == "张三"
    assert reader.answers_foreign >= 1


def test_only_foreign_answers_is_a_typed_error_never_an_answer(sim, reader):
    from kiosk.hw.idreader.driver import ForeignAnswer
    for _ in range(3):
        sim.inject_sw3(Sw3.OK)                 # SAM_STATUS-like answers to every FIND try
    with pytest.raises(ForeignAnswer) as failure:
        reader.card_present()
    assert failure.value.vendor_code == "FOREIGN_ANSWER" and failure.value.zh and failure.value.en
    assert reader.card_present() is False      # the link is in step again
