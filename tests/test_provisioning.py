"""Technician tools against the simulators."""
from kiosk import demo
from kiosk.hw.idreader.simulator import IdReaderSimulator
from kiosk.hw.printer.simulator import PrinterSimulator
from provisioning.__main__ import main


def test_probe_idreader_reads_the_sam_and_a_card_masked(capsys):
    sim = IdReaderSimulator()
    sim.place(demo.by_key("normal").id_card())
    try:
        assert main(["probe-idreader", sim.port, "--wait", "2"]) == 0
    finally:
        sim.close()
    out = capsys.readouterr().out
    assert "SAM id: 05.00-" in out and "王*明" in out and demo.by_key("normal").id_number not in out


def test_probe_printer_prints_a_test_page(tmp_path, capsys):
    sim = PrinterSimulator(out_dir=str(tmp_path))
    try:
        assert main(["probe-printer", sim.transport, "--test-page"]) == 0
    finally:
        sim.close()
    assert "paper: ok" in capsys.readouterr().out


def test_selftest_of_the_embedded_default_is_all_online(tmp_path, capsys):
    config = tmp_path / "k.toml"
    config.write_text(f'state_dir = "{tmp_path / "state"}"\n', encoding="utf-8")
    assert main(["selftest", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert out.count("online") == 4


def test_bad_port_is_an_error_line_not_a_traceback(capsys):
    assert main(["probe-idreader", "/dev/does-not-exist"]) == 1
    assert "offline" in capsys.readouterr().out
