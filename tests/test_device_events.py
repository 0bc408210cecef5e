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
    assert sink.emit("printer", "paper_low", "张三 6101") is None     # no room for a name or a number
    assert sink.emit("printer", "made_up") is None
    reader("reader_offline")
    assert [(e.device, e.kind) for e in sink.pending()] == [("cardreader", "reader_offline")]
