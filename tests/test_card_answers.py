"""A card answer that does not fit the command asked is never taken as its answer (issue 11, Build 5).

The real virtual card in process (InProcessReader + VirtualCard) behind the connection seam, with one answer
changed on its way back, as a faulty card or reader would. PC/SC itself is request/answer (SCardTransmit
returns the answer to the APDU it sent), so a stale answer from an earlier command cannot be left waiting
as on a serial line; what remains is an answer whose shape is not the one asked for."""
import pytest

from kiosk import demo
from kiosk.hw.base import DeviceError
from kiosk.hw.cardreader.apdu import CardAnswerMismatch, CardStatusError
from kiosk.hw.cardreader.inprocess import InProcessReader
from kiosk.hw.cardreader.ssse import SFI_EF06, CardDataError, SocialSecurityCard
from kiosk.hw.cardreader.virtualcard import personalise
from kiosk.security.module import SoftSecurityModule, demo_masters

ISSUER = SoftSecurityModule(demo_masters())


class Tampered:
    """The connection seam around a real connection: ``tamper(apdu, data, sw1, sw2)`` may change an answer."""

    def __init__(self, connection, tamper):
        self.connection, self.tamper = connection, tamper

    def transmit(self, apdu):
        data, sw1, sw2 = self.connection.transmit(apdu)
        return self.tamper(bytes(apdu), data, sw1, sw2)

    def atr(self):
        return self.connection.atr()

    def disconnect(self):
        self.connection.disconnect()


def app_with(tamper, key="gen2"):
    reader = InProcessReader()
    reader.insert(personalise(demo.by_key(key).card_profile(), ISSUER))
    return SocialSecurityCard(Tampered(reader.wait_for_card(1), tamper), ISSUER)


def record_of(tag):
    return lambda apdu: apdu[1] == 0xB2 and apdu[2] == tag and apdu[3] == SFI_EF06 << 3


def test_untampered_card_reads():
    assert app_with(lambda apdu, *answer: answer).read_info().ssn == demo.by_key("gen2").id_number


def test_a_get_response_answer_longer_than_announced_is_refused():
    def tamper(apdu, data, sw1, sw2):
        return (data + b"\x90\x00" if apdu[:2] == b"\x00\xC0" else data), sw1, sw2
    with pytest.raises(CardAnswerMismatch) as refused:
        app_with(tamper).select()
    assert refused.value.zh and refused.value.en and refused.value.vendor_code == "ANSWER_MISMATCH"


def test_a_get_response_answer_shorter_than_announced_is_refused():
    def tamper(apdu, data, sw1, sw2):
        return (data[:-1] if apdu[:2] == b"\x00\xC0" else data), sw1, sw2
    with pytest.raises(CardAnswerMismatch):
        app_with(tamper).select()


def test_a_record_answer_with_another_records_tag_is_refused():
    """Already safe before issue 11: the tag of a READ RECORD answer is checked (tlv_value)."""
    is_ssn = record_of(0x08)

    def tamper(apdu, data, sw1, sw2):        # the name record (09) given for the SSN record (08)
        return (bytes([0x09, 18]) + data[2:] if is_ssn(apdu) and sw1 == 0x90 else data), sw1, sw2
    with pytest.raises(CardDataError):
        app_with(tamper).read_info()


def test_a_record_answer_shorter_than_the_item_is_refused():
    is_ssn = record_of(0x08)

    def tamper(apdu, data, sw1, sw2):        # a well-formed but short record: 08 0A and ten digits
        return (bytes([0x08, 10]) + data[2:12] if is_ssn(apdu) and sw1 == 0x90 else data), sw1, sw2
    with pytest.raises(CardStatusError):
        app_with(tamper).read_info()


def test_an_answer_longer_than_le_is_refused():
    is_ssn = record_of(0x08)

    def tamper(apdu, data, sw1, sw2):        # the record, then bytes nobody asked for
        return (data + b"\x00" * 4 if is_ssn(apdu) and sw1 == 0x90 else data), sw1, sw2
    with pytest.raises(CardAnswerMismatch):
        app_with(tamper).read_info()


def test_a_challenge_of_the_wrong_length_is_refused():
    def tamper(apdu, data, sw1, sw2):
        return (data[:4] if apdu[:2] == b"\x00\x84" else data), sw1, sw2
    app = app_with(tamper, key="normal")
    app.identify()
    with pytest.raises(CardAnswerMismatch):
        app.challenge()


def test_only_typed_errors_whatever_the_tampering():
    for cut in range(0, 6):
        def tamper(apdu, data, sw1, sw2, cut=cut):
            return data[cut:], sw1, sw2
        try:
            app_with(tamper).read_info()
        except DeviceError:
            pass
