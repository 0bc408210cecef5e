"""Technician tools, run as a technician runs them: separate processes talking to the simulators."""
import json
import time
import subprocess
import sys

import pytest

from kiosk.hw.idreader.samples import SCRIPTED
from kiosk.hw.printer.escpos_decode import decode
from kiosk.hw.printer.simulator import PrinterSimulator
from provisioning.__main__ import main
from tests.receipt_tools import qr_texts

CLI = [sys.executable, "-m", "provisioning"]


class SimulatedReader:
    def __init__(self, *args):
        self.process = subprocess.Popen(CLI + ["simulate", "idreader", *args], stdout=subprocess.PIPE, text=True)
        self.port = self.process.stdout.readline().strip()

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.process.terminate()
        self.process.wait(timeout=5)


def probe(port, *extra):
    return subprocess.run(CLI + ["probe", "idreader", "--port", port, "--wait", "1.5", *extra],
                          capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("card", ["resident", "foreign_2017", "foreign_2023", "hk_mo_tw"])
def test_probe_reads_every_card_type_as_json(card):
    with SimulatedReader("--card", card) as sim:
        assert sim.port.startswith("/dev/pts/")
        result = probe(sim.port, "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    expected = SCRIPTED[card]()
    assert out["card_type"] == expected.card_type and out["id_number"] == expected.id_number
    assert out["id_number_valid"] is True
    for key in ("card_type", "name", "name_en", "sex", "nation", "birth_date", "address", "id_number", "issuer",
                "valid_from", "valid_until", "id_number_valid"):
        assert key in out
    assert out["birth_date"] == expected.birth_date.isoformat()


def test_probe_reports_an_expired_card_and_long_term_validity():
    with SimulatedReader("--card", "expired") as sim:
        out = json.loads(probe(sim.port, "--json").stdout)
    assert out["valid_until"] == "2015-01-01"
    with SimulatedReader("--card", "normal") as sim:     # a demo citizen: 长期
        out = json.loads(probe(sim.port, "--json").stdout)
    assert out["valid_until"] == "long-term" and out["name"] == "王小明"


def test_a_reader_without_the_appended_address_command_still_gives_the_card_and_says_what_it_lacks():
    # such a reader answers SW3 0x21 ("command not known") to 30 03; the probe used to exit 3 and print nothing
    with SimulatedReader("--card", "resident", "--without", "appended_address") as sim:
        as_json = probe(sim.port, "--json")
        as_text = probe(sim.port)
    assert as_json.returncode == 0, as_json.stderr
    out = json.loads(as_json.stdout)
    assert out["id_number"] == SCRIPTED["resident"]().id_number
    assert out["appended_address"] is None and out["unavailable"] == ["appended_address"]
    assert as_text.returncode == 0 and "appended address: unavailable" in as_text.stdout


def test_a_reader_without_fingerprint_reading_gives_the_card_without_the_templates():
    with SimulatedReader("--card", "resident", "--without", "fingerprint") as sim:
        result = probe(sim.port, "--json", "--fingerprint")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["unavailable"] == ["fingerprint"] and "fingerprint_bytes" not in out and out["name"]


def test_probe_exit_2_when_no_card():
    with SimulatedReader() as sim:
        result = probe(sim.port, "--json")
    assert result.returncode == 2 and result.stdout == "" and "no ID card" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_probe_exit_3_on_a_device_error():
    with SimulatedReader("--card", "resident", "--fault", "sam_fault") as sim:
        result = probe(sim.port, "--json")
    assert result.returncode == 3 and "hardware_error" in result.stderr
    result = probe("/dev/does-not-exist")
    assert result.returncode == 3 and "offline" in result.stderr


def test_test_receipt_into_a_file_decodes(tmp_path):
    target = tmp_path / "receipt.bin"
    assert main(["probe", "printer", "--device", f"file:{target}", "--test-receipt"]) == 0
    data = target.read_bytes()
    assert data.startswith(b"\x1b@\x1c&")                       # init, then Chinese mode
    decoded = decode(data)
    assert "社会保障卡自助服务终端" in decoded.text() and "￥20.00" in decoded.text()
    assert ("cut",) in decoded.items and qr_texts(decoded)[0].startswith("PROBE-")


def test_probe_printer_status_over_the_network(tmp_path, capsys):
    sim = PrinterSimulator(out_dir=str(tmp_path))
    sim.paper = "low"
    try:
        assert main(["probe", "printer", "--device", sim.transport]) == 0
    finally:
        sim.close()
    assert "paper: low" in capsys.readouterr().out


def test_selftest_of_the_embedded_default_reports_every_device(tmp_path, capsys):
    config = tmp_path / "k.toml"
    config.write_text(f'state_dir = "{tmp_path / "state"}"\n', encoding="utf-8")
    assert main(["selftest", "--config", str(config)]) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    for name in ("idreader", "cardreader", "printer", "issuer_reader", "faceprinter", "camera", "security",
                 "key_transport", "service"):
        assert rows[name].split()[1] == "online", rows[name]
    # a module just powered on answers "not initialised": the kiosk's start-up initialises it, a check does not
    assert "not initialised" in rows["cardissuer"]
    assert rows["id"].split()[2] == "installed" and "simulated ID photos" in rows["id"]   # the demo cards' photos


def test_selftest_leaves_a_card_in_the_module_where_it_is(tmp_path, capsys):
    """A card left in the card-issuing module (a power cut mid-issuance): the technician's selftest reports it
    and leaves it there. Initialise-with-capture, or any recovery, is the kiosk's start-up, not a check."""
    from kiosk.hw.cardissuer.codec import Command
    from kiosk.hw.cardissuer.issuer import CardIssuer
    from kiosk.hw.cardissuer.link import Crt591Link
    from kiosk.hw.cardissuer.simulator import IssuerSimulator
    module = IssuerSimulator(hopper=20, link=str(tmp_path / "ttyCRT591"))
    try:
        link = Crt591Link(module.link)           # the kiosk ran before: the module is initialised
        CardIssuer(link, str(tmp_path / "counts.json")).initialize()
        link.close()
        module.position = "ic"                   # and a card was left at the chip station
        before = len(module.requests)
        config = tmp_path / "k.toml"
        config.write_text(f'state_dir = "{tmp_path / "state"}"\n'
                          f'[cardissuer]\nport = "{module.link}"\n', encoding="utf-8")
        assert main(["selftest", "--config", str(config)]) == 0
        rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
        assert module.position == "ic" and module.bin_count == 0 and module.hopper == 20
        assert set(module.requests[before:]) == {Command.STATUS}     # asked, never told
        assert "card_position=ic" in rows["cardissuer"] and rows["cardissuer"].split()[1] == "online"
    finally:
        module.close()


# -- the social security card -------------------------------------------------------------------------
class SimulatedCard:
    def __init__(self, *args):
        self.process = subprocess.Popen(CLI + ["simulate", "card", *args], stdout=subprocess.PIPE, text=True)
        self.line = self.process.stdout.readline().strip()

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.process.terminate()
        self.process.wait(timeout=5)
        time.sleep(0.6)        # pcscd notices the card leaving on its next poll


def probe_card(*extra):
    return subprocess.run(CLI + ["probe", "card", "--reader", "Virtual PCD 00 00", "--wait", "3", *extra],
                          capture_output=True, text=True, timeout=30)


def test_probe_reads_the_second_generation_demo_card(vpcd_reader):
    with SimulatedCard() as sim:
        assert "inserted" in sim.line
        result = probe_card("--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert (out["spec_version"], out["name"], out["algorithm"], out["pin_tries_left"]) == ("2.00", "周建华", "3DES", 6)
    for key in ("card_id", "card_number", "issue_date", "expiry_date", "ssn", "sex", "nation", "birth_date"):
        assert out[key]


def test_probe_third_generation_needs_a_security_module(vpcd_reader):
    with SimulatedCard("--demo", "normal") as sim:
        refused = probe_card("--json")
        allowed = probe_card("--json", "--security", "demo")
    assert refused.returncode == 4 and "security module" in refused.stderr and refused.stdout == ""
    assert allowed.returncode == 0 and json.loads(allowed.stdout)["algorithm"] == "SM4"


def test_probe_card_exit_codes_for_no_card_and_no_reader(vpcd_reader):
    result = probe_card("--json")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    result = subprocess.run(CLI + ["probe", "card", "--reader", "No Such Reader"], capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 3 and "No Such Reader" in result.stderr


def test_simulated_card_keeps_its_state_between_runs(vpcd_reader, tmp_path):
    state = str(tmp_path / "card.json")
    with SimulatedCard("--state", state):
        pass
    from kiosk.hw.cardreader.virtualcard import VirtualCard
    card = VirtualCard.load(state)
    card.pin_tries_left = 2
    card._save()
    with SimulatedCard("--state", state):
        out = json.loads(probe_card("--json").stdout)
    assert out["pin_tries_left"] == 2


# -- enrolment with the card-management service ---------------------------------------------------------
def test_enroll_makes_openssl_readable_keys_and_probe_backend_verifies(tmp_path):
    import os
    from kiosk.backend.server import ServiceThread
    from kiosk.policy import profile
    svc = ServiceThread(str(tmp_path / "svc.db"), profile("shaanxi")).start()
    keys = tmp_path / "keys"
    try:
        result = subprocess.run(CLI + ["enroll", "--backend", svc.url, "--kiosk-id", "XA-0009", "--code",
                                       svc.enrolment_code, "--dir", str(keys)], capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == 0, result.stderr
        public = result.stdout.strip().splitlines()[-1]
        assert public.endswith("kiosk-key.pub.pem") and os.path.exists(public)
        assert subprocess.run(["openssl", "pkey", "-pubin", "-in", public, "-noout"]).returncode == 0
        private = str(keys / "kiosk-key.pem")
        assert subprocess.run(["openssl", "pkey", "-in", private, "-noout"]).returncode == 0
        assert os.stat(private).st_mode & 0o777 == 0o600
        probe = subprocess.run(CLI + ["probe", "backend", "--backend", svc.url, "--dir", str(keys)],
                               capture_output=True, text=True, timeout=60)
        assert probe.returncode == 0 and "verified" in probe.stdout, probe.stderr
        # a pinned key that is not the service's: the answer does not verify
        from kiosk.security.sm2 import PrivateKey
        (keys / "service-key.pem").write_text(PrivateKey.generate().public.to_pem())
        probe = subprocess.run(CLI + ["probe", "backend", "--backend", svc.url, "--dir", str(keys)],
                               capture_output=True, text=True, timeout=60)
        assert probe.returncode == 3 and "signature" in probe.stderr
    finally:
        svc.stop()


# -- the card-issuing module ----------------------------------------------------------------------------
def test_probe_issuer_initialises_and_reports_json(tmp_path):
    sim = subprocess.Popen(CLI + ["simulate", "issuer", "--hopper", "5", "--timing", "0"], stdout=subprocess.PIPE,
                           text=True)
    try:
        port = sim.stdout.readline().strip()
        result = subprocess.run(CLI + ["probe", "issuer", "--port", port, "--json", "--counts",
                                       str(tmp_path / "c.json")], capture_output=True, text=True, timeout=30)
    finally:
        sim.terminate()
        sim.wait(timeout=5)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"device": "online", "card_position": "none", "hopper": "low",
                                         "reject_bin": "ok", "reject_count": 0, "version": "CRT-591-M001"}


def test_probe_issuer_exit_3_when_the_module_is_absent(tmp_path):
    result = subprocess.run(CLI + ["probe", "issuer", "--port", str(tmp_path / "nothing"), "--json", "--counts",
                                   str(tmp_path / "c.json")], capture_output=True, text=True, timeout=30)
    assert result.returncode == 3 and len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
