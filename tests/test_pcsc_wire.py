"""The card application through pyscard and a real pcscd, with the virtual card in the vpcd reader."""
import os
import subprocess

import pytest

from kiosk import demo
from kiosk.hw.base import DeviceError, DeviceState
from kiosk.hw.cardreader.apdu import PinWrong
from kiosk.hw.cardreader.readers import PcscReader
from kiosk.hw.cardreader.ssse import SocialSecurityCard
from kiosk.hw.cardreader.virtualcard import personalise
from kiosk.security.module import SoftSecurityModule, demo_masters
from kiosk.hw.cardreader.vpcd import VpcdBridge
from kiosk.pin import PinBuffer


ISSUER = SoftSecurityModule(demo_masters())


@pytest.fixture
def slot(vpcd_reader):
    bridge, reader = VpcdBridge(), PcscReader(vpcd_reader)
    yield reader, bridge
    bridge.remove()
    reader.monitor.wait(lambda m: not m.present, 5)
    reader.close()


pin = PinBuffer.typed


def test_reader_is_online_and_empty_until_a_card_is_inserted(slot):
    reader, bridge = slot
    assert reader.status().state is DeviceState.ONLINE
    assert reader.wait_for_card(0.5) is None
    bridge.insert(personalise(demo.by_key("sealed").card_profile(), ISSUER))
    connection = reader.wait_for_card(5)
    assert connection is not None
    connection.disconnect()


def test_read_verify_and_change_through_pcscd(slot):
    reader, bridge = slot
    card = personalise(demo.by_key("sealed").card_profile(), ISSUER)
    bridge.insert(card)
    app = SocialSecurityCard(reader.wait_for_card(5), ISSUER)
    info = app.read_info()
    assert (info.name, info.card_number) == ("李秀兰", "A00000002")
    assert info.atr == card.atr
    with pytest.raises(PinWrong) as wrong:
        app.verify_pin(pin("123123"))
    assert wrong.value.tries_left == 5
    app.verify_pin(pin("666666"))
    app.change_pin(pin("666666"), pin("802468"))
    assert card.pin_is("802468")
    app.connection.disconnect()


def test_unknown_reader_is_offline_with_a_reason(vpcd_reader):
    reader = PcscReader("No Such Reader 99")
    status = reader.status()
    reader.close()
    assert status.state is DeviceState.OFFLINE and "No Such Reader" in status.detail


def _start_pcscd():
    return subprocess.Popen(["pcscd", "--foreground"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_pcscd_restart_during_a_session_is_survived(vpcd_reader):
    if os.environ.get("KIOSK_PCSCD_OWNED") != "1" or os.geteuid() != 0:
        pytest.skip("restarting pcscd needs root and a pcscd this test run started (make test)")
    events = []
    reader, bridge = PcscReader(vpcd_reader, on_event=events.append), VpcdBridge()
    card = personalise(demo.by_key("gen2").card_profile(), ISSUER)
    try:
        bridge.insert(card)
        app = SocialSecurityCard(reader.wait_for_card(5))
        app.select()
        subprocess.run(["pkill", "-x", "pcscd"], check=True)           # pcscd dies mid-session
        assert reader.monitor.wait(lambda m: not m.online, 10)
        assert reader.status().state is DeviceState.OFFLINE
        with pytest.raises(DeviceError):                                # the session ends with a typed error
            app.verify_pin(pin("123456"))
        _start_pcscd()                                                   # back again (stopped by make test)
        assert reader.monitor.wait(lambda m: m.online, 15), reader.monitor.detail
        bridge.insert(card)                                              # the citizen re-inserts the card
        again = reader.wait_for_card(10)
        assert again is not None and SocialSecurityCard(again).read_info().name == "周建华"
        assert "reader_offline" in events and events.count("reader_online") >= 2 and reader.monitor.rebuilds >= 1
        again.disconnect()
    finally:
        bridge.remove()
        reader.monitor.wait(lambda m: not m.present, 5)
        reader.close()
