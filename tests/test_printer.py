"""Receipt building (GBK, FS &, rare characters as images) and the printer over TCP to the simulator."""
import time

import pytest

from kiosk.hw.base import DeviceState
from kiosk.hw.printer import builder
from kiosk.hw.printer.driver import PrinterError, ReceiptPrinter, open_transport, paper_from_dle_eot4
from kiosk.hw.printer.escpos_decode import decode
from kiosk.hw.printer.receipt import Receipt
from kiosk.hw.printer.simulator import PrinterSimulator
from tests.receipt_tools import qr_texts


def test_chinese_mode_is_selected_and_lines_are_gbk():
    data = builder.build(Receipt().add("社保卡"))
    assert data.startswith(b"\x1b@\x1c&")
    assert "社保卡".encode("gbk") + b"\n" in data


def test_yen_sign_is_sent_as_the_two_byte_fullwidth_form():
    data = builder.build(Receipt().add("费用 ¥20"))
    assert "费用 ￥20".encode("gbk") in data and b"\x81\x30\x84\x36" not in data


def test_punctuation_only_lines_survive():
    assert "，：" in decode(builder.build(Receipt().add("，："))).text()


def test_rare_name_character_is_printed_as_an_image_line():
    decoded = decode(builder.build(Receipt().add("姓名：刘*䶮").add("下一行")))
    kinds = [item[0] for item in decoded.items]
    assert "image" in kinds and "下一行" in decoded.text() and "䶮" not in decoded.text()


def test_long_lines_wrap_at_the_paper_width():
    decoded = decode(builder.build(Receipt().add("社" * 30)))
    assert [len(t) for t in decoded.text().split("\n") if t][:2] == [24, 6]


def test_dle_eot_paper_replies():
    assert [paper_from_dle_eot4(bytes([b])) for b in (0x12, 0x1E, 0x72, 0x7E)] == ["ok", "low", "out", "out"]
    assert paper_from_dle_eot4(b"") == "unknown"


@pytest.mark.parametrize("spec", ["net:127.0.0.1", "usb:zz:01", "serial:", "lpt:1", "file:"])
def test_bad_transport_strings_are_refused(spec):
    with pytest.raises(ValueError):
        open_transport(spec)


@pytest.fixture
def sim(tmp_path):
    simulator = PrinterSimulator(out_dir=str(tmp_path))
    yield simulator
    simulator.close()


def wait_for_jobs(sim, n):
    deadline = time.monotonic() + 5
    while len(sim.jobs) < n and time.monotonic() < deadline:
        time.sleep(0.02)
    return sim.jobs


def test_receipt_reaches_the_simulator_with_a_preview_and_qr(sim):
    receipt = Receipt(qr="SIM-0001-20261122-ABC123").add("社会保障卡自助服务凭条", align="center", large=True)
    ReceiptPrinter(sim.transport).print_receipt(receipt)
    job = wait_for_jobs(sim, 1)[0]
    assert "社会保障卡自助服务凭条" in job.decoded.text()
    assert ("cut",) in job.decoded.items and any(i[0] == "image" for i in job.decoded.items)   # the QR
    assert job.png and job.png.endswith(".png") and not job.decoded.unknown
    assert qr_texts(job.decoded) == ["SIM-0001-20261122-ABC123"]


@pytest.mark.parametrize("paper,state", [("ok", DeviceState.ONLINE), ("low", DeviceState.ONLINE),
                                         ("out", DeviceState.OFFLINE)])
def test_status_reports_the_paper_sensor(sim, paper, state):
    sim.paper = paper
    status = ReceiptPrinter(sim.transport).status()
    assert status.media["paper"] == paper and status.state is state


def test_offline_printer_is_offline_and_printing_fails_clearly(sim):
    sim.offline = True
    printer = ReceiptPrinter(sim.transport, timeout=0.5)
    status = printer.status()
    assert status.state is DeviceState.OFFLINE and status.media["paper"] == "unknown"
    sim.close()
    with pytest.raises(PrinterError) as failure:
        printer.print_receipt(Receipt().add("x"))
    assert "工作人员" in failure.value.zh


# -- property: nothing printed or received crashes the ESC/POS decoder ---------------------------------
from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=600))
def test_random_bytes_decode_without_raising(data):
    decoded = decode(data)
    decoded.text()


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=4000))
def test_a_receipt_cut_short_decodes_without_raising(cut):
    data = builder.build(Receipt(qr="T-1").add("社保卡状态查询", large=True).add("姓名：刘*䶮"))
    decoded = decode(data[:cut])
    assert isinstance(decoded.text(), str)


def test_usb_printer_that_is_not_plugged_in_is_offline_with_a_reason():
    status = ReceiptPrinter("usb:0416:5011").status()
    assert status.state is DeviceState.OFFLINE and "not found" in status.detail and "\n" not in status.detail


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([b"\x1dv0", b"\x1d(k", b"\x1dV", b"\x10\x04", b"\x1b!", b"\x1c&"]), st.binary(max_size=64))
def test_commands_with_random_parameters_decode_without_raising(prefix, tail):
    decode(prefix + tail).text()
