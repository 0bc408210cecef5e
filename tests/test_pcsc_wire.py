"""The card application through pyscard and a real pcscd, with the virtual card in the vpcd reader."""
import pytest

from kiosk import demo
from kiosk.hw.base import DeviceState
from kiosk.hw.cardreader.apdu import PinWrong
from kiosk.hw.cardreader.readers import PcscReader
from kiosk.hw.cardreader.ssse import SocialSecurityCard
from kiosk.hw.cardreader.virtualcard import VirtualCard
from kiosk.hw.cardreader.vpcd import VpcdBridge
from kiosk.pin import PinBuffer


@pytest.fixture
def slot(vpcd_reader):
    bridge = VpcdBridge()
    yield PcscReader(vpcd_reader), bridge
    bridge.remove()


def pin(digits):
    buf = PinBuffer()
    for d in digits:
        buf.push(d)
    return buf


def test_reader_is_online_and_empty_until_a_card_is_inserted(slot):
    reader, bridge = slot
    assert reader.status().state is DeviceState.ONLINE
    assert reader.wait_for_card(0.5) is None
    bridge.insert(VirtualCard(demo.by_key("sealed").card_profile()))
    assert reader.wait_for_card(5) is not None


def test_read_verify_and_change_through_pcscd(slot):
    reader, bridge = slot
    card = VirtualCard(demo.by_key("sealed").card_profile())
    bridge.insert(card)
    app = SocialSecurityCard(reader.wait_for_card(5))
    info = app.read_info()
    assert (info.name, info.card_number) == ("李秀兰", "A00000002")
    assert info.atr == card.atr
    with pytest.raises(PinWrong) as wrong:
        app.verify_pin(pin("123123"))
    assert wrong.value.tries_left == 5
    app.verify_pin(pin("666666"))
    app.change_pin(pin("666666"), pin("802468"))
    assert card.profile.pin == "802468"


def test_unknown_reader_is_offline_with_a_reason(vpcd_reader):
    status = PcscReader("No Such Reader 99").status()
    assert status.state is DeviceState.OFFLINE and "No Such Reader" in status.detail
