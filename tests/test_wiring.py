"""kiosk.wiring.build_devices: the config decides what runs, and building opens devices and does nothing else.
On the embedded default (simulators on ptys and TCP, the real reference service over HTTP)."""
import threading
import time

from kiosk import demo
from kiosk.config import Config
from kiosk.flows.issuance import IssuanceFlow
from kiosk.hw.base import DeviceState
from kiosk.ports import (CameraPort, CardIssuerPort, CardReaderPort, FacePrinterPort, IdReaderPort,
                         KeyTransportPort, PhotoDecoderPort, ReceiptPrinterPort, SecurityModulePort)
from kiosk.security.module import KeyServiceModule, SoftSecurityModule
from kiosk.startup import recover_at_start
from kiosk.wiring import build_devices


def built(tmp_path, **config):
    return build_devices(Config(state_dir=str(tmp_path / "state"), issuer_timing=0, **config))


def test_every_device_stands_behind_its_port(tmp_path):
    wiring = built(tmp_path)
    try:
        d = wiring.devices
        ports = {"idreader": IdReaderPort, "cardreader": CardReaderPort, "printer": ReceiptPrinterPort,
                 "cardissuer": CardIssuerPort, "issuer_reader": CardReaderPort, "faceprinter": FacePrinterPort,
                 "camera": CameraPort, "security": SecurityModulePort, "key_transport": KeyTransportPort,
                 "photo": PhotoDecoderPort}
        assert {name: isinstance(getattr(d, name), port) for name, port in ports.items()} == dict.fromkeys(ports, True)
    finally:
        wiring.close()


def test_the_camera_is_what_config_says(tmp_path):
    wiring = built(tmp_path)
    try:
        assert wiring.devices.status("camera").detail == "simulated camera (showing: holder)"
    finally:
        wiring.close()
    wiring = built(tmp_path, camera="none")
    try:
        assert wiring.devices.camera is None
        assert wiring.devices.status("camera").state is DeviceState.NO_DEVICE
    finally:
        wiring.close()


def test_building_leaves_a_card_in_the_module_and_recovery_at_start_captures_it(tmp_path):
    wiring = built(tmp_path)
    try:
        module = wiring.hands.issuer_sim
        assert module.requests == []                        # building told the module nothing
        module.position = "ic"                              # a card left inside across a power cut
        recover_at_start(wiring.devices)                    # the kiosk's start-up step: Initialize, capturing
        assert module.position == "none" and module.bin_count == 1
    finally:
        wiring.close()


def test_the_key_transport_session_is_the_key_service_when_that_is_the_security_module(tmp_path):
    wiring = built(tmp_path)
    try:
        assert wiring.devices.key_transport is wiring.devices.security
        assert isinstance(wiring.devices.security, KeyServiceModule)
    finally:
        wiring.close()


def test_with_demo_keys_issuance_still_opens_the_service_s_sealed_data_through_its_own_session(tmp_path):
    wiring = built(tmp_path, security="demo")
    d = wiring.devices
    try:
        assert isinstance(d.security, SoftSecurityModule) and isinstance(d.key_transport, KeyServiceModule)
        person = demo.by_key("normal")
        d.service.report_loss(person.card_number, "formal", id_verified=True)
        application = d.service.apply(person.id_number, "replacement", reason="lost")
        d.service.pay(application["fee_order"]["id"])
        module = wiring.hands.issuer_sim
        recover_at_start(d)

        def citizen_takes_the_card():
            deadline = time.monotonic() + 10
            while not module.take_card() and time.monotonic() < deadline:
                time.sleep(0.05)
        threading.Thread(target=citizen_takes_the_card, daemon=True).start()
        outcome = IssuanceFlow(d, application["id"], person.name, person.id_number).run(take_timeout=5)
        assert outcome.taken and d.service.card(outcome.card_number)["state"] == "sealed"
    finally:
        wiring.close()
