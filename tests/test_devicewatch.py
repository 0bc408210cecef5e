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
