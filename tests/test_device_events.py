"""Device events (hopper low/empty, reject bin near full/full, a leftover card captured, receipt paper
low/out): from the real drivers, through the wiring, to one sink in the core. On the embedded default (the
CRT-591 simulator on a pty, opened by the real driver through pyserial)."""
import datetime as dt

from kiosk.config import Config
from kiosk.wiring import build_devices


def built(tmp_path, **config):
    return build_devices(Config(state_dir=str(tmp_path / "state"), issuer_timing=0, **config))


def test_a_module_whose_hopper_runs_low_tells_the_sink(tmp_path):
    wiring = built(tmp_path)
    try:
        module, sink = wiring.hands.issuer_sim, wiring.devices.events
        wiring.devices.cardissuer.initialize()              # as at start-up: a full hopper, nothing to say
        assert sink.pending() == []
        module.hopper = module.low                          # ten blanks left: the module reports "low"
        wiring.devices.cardissuer.status()
        [event] = sink.pending()
        assert (event.device, event.kind) == ("cardissuer", "hopper_low")
        assert dt.datetime.fromisoformat(event.at).tzinfo is not None      # a time, with its zone
        assert event.detail is None or event.detail.replace("_", "").isalnum()  # words, never a person
    finally:
        wiring.close()


def test_a_leftover_card_captured_at_start_and_receipt_paper_running_low_reach_the_sink_once(tmp_path):
    from kiosk.startup import recover_at_start
    wiring = built(tmp_path)
    try:
        hands, sink, devices = wiring.hands, wiring.devices.events, wiring.devices
        hands.issuer_sim.position = "ic"                   # a card left inside across a power cut
        recover_at_start(devices)
        hands.printer_sim.paper = "low"
        devices.printer.status()
        devices.printer.status()                           # still low: not a new event
        hands.printer_sim.paper = "out"
        devices.printer.status()
        assert [(e.device, e.kind) for e in sink.pending()] == [
            ("cardissuer", "leftover_card_captured"), ("printer", "paper_low"), ("printer", "paper_out")]
    finally:
        wiring.close()


def test_what_is_not_a_device_event_is_not_kept(tmp_path):
    from kiosk.deviceevents import DeviceEvents
    sink = DeviceEvents(str(tmp_path / "q.jsonl"))
    reader = sink.listener("cardreader", kinds=("reader_offline",))
    reader("inserted")                                     # a citizen's doing, not the device's
    assert sink.emit("printer", "paper_low", "张三") is None     # no room for a name
    assert sink.emit("printer", "paper_low", "610113197001011234x") is None    # nor for an ID number
    assert sink.emit("printer", "made_up") is None
    reader("reader_offline")
    assert [(e.device, e.kind) for e in sink.pending()] == [("cardreader", "reader_offline")]


# -- to the service: signed, in order, each once, kept while the service is down ------------------------------
import json  # noqa: E402
import time  # noqa: E402

import pytest  # noqa: E402

from kiosk.backend.client import ServiceClient, ServiceRefused  # noqa: E402
from kiosk.backend.server import ServiceThread  # noqa: E402
from kiosk.deviceevents import KINDS, DeviceEvents  # noqa: E402
from kiosk.policy import profile  # noqa: E402
from tests.service_tools import enrolled  # noqa: E402


@pytest.fixture
def service(service_db):
    svc = ServiceThread(service_db.location, profile("shaanxi"), key_file=service_db.key_file).start()
    yield svc
    svc.stop()


def device_events_listed(client) -> list[tuple]:
    return [(e["device"], e["kind"], e["at"], e["note"]) for e in client.staff_events(client.kiosk_id)["events"]
            if e["device"]]


def test_events_wait_while_the_service_is_down_then_go_in_order_each_once(tmp_path, service):
    client = enrolled(service, "EVT-01")
    down = ServiceClient("http://127.0.0.1:9", "EVT-01", key=client.key, timeout=(0.3, 0.3), retries=0)
    sink = DeviceEvents(str(tmp_path / "device-events.jsonl"))
    low = sink.emit("cardissuer", "hopper_low")
    empty = sink.emit("cardissuer", "hopper_empty")
    paper = sink.emit("printer", "paper_out", "cover_sensor")
    assert sink.deliver(down) == 0 and len(sink.pending()) == 3          # kept, not lost
    queue = open(sink.queue_path, encoding="utf-8").read()

    assert sink.deliver(client) == 3 and sink.pending() == []
    expected = [("cardissuer", "hopper_low", low.at, None), ("cardissuer", "hopper_empty", empty.at, None),
                ("printer", "paper_out", paper.at, "cover_sensor")]
    assert device_events_listed(client) == expected                    # the kiosk's time, in order

    # a power cut after the service took them but before the queue was rewritten: sent again, kept once
    open(sink.queue_path, "w", encoding="utf-8").write(queue)
    assert sink.deliver(client) == 3
    assert device_events_listed(client) == expected


def test_the_sender_delivers_as_events_happen(tmp_path, service):
    client = enrolled(service, "EVT-02")
    sink = DeviceEvents(str(tmp_path / "device-events.jsonl")).start_sending(client)
    try:
        sink.emit("cardissuer", "reject_bin_full")
        deadline = time.monotonic() + 5
        while not device_events_listed(client) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [e[:2] for e in device_events_listed(client)] == [("cardissuer", "reject_bin_full")]
        assert sink.pending() == []
    finally:
        sink.stop()


def test_the_service_has_no_room_for_personal_data_in_a_device_event(service):
    client = enrolled(service, "EVT-03")
    for device, kind, detail in [("printer", "paper_low", "张三"), ("printer", "paper_low", "610113197001011234x"),
                                 ("printer", "pin_typed", None), ("somebody", "paper_low", None)]:
        with pytest.raises(ServiceRefused) as refused:
            client.device_event("2026-01-01T08:00:00+00:00", device, kind, detail)
        assert refused.value.status == 422 and refused.value.definite
    with pytest.raises(ServiceRefused):
        client._post("/v1/kiosks/EVT-03/device-events", {"at": "2026-01-01T08:00:00+00:00", "device": "printer",
                                                         "kind": "paper_low", "name": "张三"})
    assert device_events_listed(client) == []


def test_the_kiosk_and_the_service_know_the_same_kinds():
    from kiosk.backend.service import DeviceEvent
    assert set(DeviceEvent.model_fields["kind"].annotation.__args__) == set(KINDS)


def test_the_running_kiosk_reports_a_card_captured_at_start_to_the_service(tmp_path):
    from kiosk.runtime import Kiosk
    from kiosk.startup import recover_at_start
    kiosk = Kiosk(Config(state_dir=str(tmp_path), issuer_timing=0), recover=False)
    try:
        kiosk.hands.issuer_sim.position = "ic"              # a card left inside across a power cut
        recover_at_start(kiosk.devices)
        deadline = time.monotonic() + 5
        while not device_events_listed(kiosk.devices.service) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [e[:2] for e in device_events_listed(kiosk.devices.service)] == [
            ("cardissuer", "leftover_card_captured")]
    finally:
        kiosk.close()
