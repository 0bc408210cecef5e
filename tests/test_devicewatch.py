"""The start screen's view of which services are paused, from real device statuses."""
from kiosk.backend.client import ServiceClient
from kiosk.config import Config
from kiosk.devicewatch import DeviceWatch
from kiosk.runtime import Kiosk


def test_a_down_service_pauses_both_tiles_and_a_down_reader_only_its_own(tmp_path):
    kiosk = Kiosk(Config(state_dir=str(tmp_path)))
    try:
        watch = DeviceWatch(kiosk.devices)
        watch.poll_once()
        assert watch.unavailable("status") == [] and watch.unavailable("change_pin") == []
        row = kiosk.service.store.query("SELECT devices FROM kiosks WHERE kiosk_id = 'SIM-0001'")[0]
        assert '"printer"' in row["devices"] and '"paper": "ok"' in row["devices"]     # the heartbeat arrived
        kiosk.hands.idreader_sim.unplug()
        watch.poll_once()
        assert watch.unavailable("status") == ["身份证读卡器"] and watch.unavailable("change_pin") == []
        kiosk.devices.service = ServiceClient("http://127.0.0.1:9", "T", timeout=(0.3, 0.3), retries=0)
        watch.poll_once()
        assert "社保卡管理系统" in watch.unavailable("change_pin")
    finally:
        kiosk.close()


def test_a_device_event_pauses_the_issuing_services_with_words_before_the_next_poll(tmp_path):
    """The module dispenses its last blank: its own reply says the hopper is empty, and the start screen says
    so at once (no Kivy here: the watch is what the menu reads every second)."""
    kiosk = Kiosk(Config(state_dir=str(tmp_path), issuer_timing=0))
    try:
        watch = DeviceWatch(kiosk.devices, interval=3600)        # its next poll is an hour away
        watch.poll_once()
        assert watch.unavailable("issue") == [] and watch.unavailable("replace") == []
        module = kiosk.hands.issuer_sim
        module.hopper = 1
        kiosk.devices.cardissuer.dispense_to_chip()              # the last blank: the reply says "empty"
        assert watch.unavailable("issue") == ["制卡模块（空白卡已用完）"]
        assert watch.unavailable("issue")[0].in_("en") == "card-issuing module (out of blank cards)"
        assert watch.unavailable("replace") == ["制卡模块（空白卡已用完）"] and watch.unavailable("status") == []
        module.refill(50)                                        # staff refill: the next poll clears it
        watch.poll_once()
        assert watch.unavailable("issue") == []
    finally:
        kiosk.close()


def test_the_heartbeat_reports_a_low_hopper_the_modules_counts_and_a_staff_pause(tmp_path):
    kiosk = Kiosk(Config(state_dir=str(tmp_path)))
    try:
        watch = DeviceWatch(kiosk.devices)
        kiosk.hands.issuer_sim.hopper = 3                       # below the module's low mark
        kiosk.devices.cardissuer.counts.update(loaded=200, since_refill=197)
        watch.service_paused = lambda: True
        watch.poll_once()
        row = kiosk.service.store.query("SELECT devices, counters, paused FROM kiosks WHERE kiosk_id = 'SIM-0001'")[0]
        assert '"hopper": "low"' in row["devices"]
        assert '"loaded": 200' in row["counters"] and '"since_refill": 197' in row["counters"] and row["paused"] == 1
    finally:
        kiosk.close()
