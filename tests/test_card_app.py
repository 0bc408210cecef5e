"""The card application against the virtual card, through both paths the kiosk uses: pyscard → pcscd →
vpcd → card model, and the same model in process."""
import pytest

from kiosk import demo
from kiosk.hw.cardreader.apdu import CardStatusError, PinBlocked, PinWrong
from kiosk.hw.cardreader.inprocess import InProcessReader
from kiosk.hw.cardreader.readers import CardMute, CardRemoved, PcscReader
from kiosk.hw.cardreader.ssse import KEY_UPDATE, SFI_EF06, CardNotGenuine, SocialSecurityCard
from kiosk.hw.cardreader.virtualcard import VirtualCard, personalise
from kiosk.hw.cardreader.vpcd import VpcdBridge
from kiosk.pin import PinBuffer
from kiosk.security.module import SecurityModuleMissing, SoftSecurityModule, demo_masters

ISSUER = SoftSecurityModule(demo_masters(), name="test issuer")
STRANGER = SoftSecurityModule({p: bytes(reversed(k)) for p, k in demo_masters().items()}, name="another issuer")


pin = PinBuffer.typed


class Slot:
    """Insert a card, get a connection; the same calls for both paths."""

    def __init__(self, kind, reader_name=None):
        self.kind = kind
        if kind == "pcsc":
            self.bridge, self.reader = VpcdBridge(), PcscReader(reader_name)
        else:
            self.reader = InProcessReader()

    def insert(self, card):
        (self.bridge if self.kind == "pcsc" else self.reader).insert(card)
        # pcscd polls the virtual reader: on a loaded 2-core machine its first sight of a card can take seconds
        self.connection = self.reader.wait_for_card(15)
        assert self.connection is not None
        return self.connection

    def close(self):
        if self.kind == "pcsc":
            if getattr(self, "connection", None):
                self.connection.disconnect()
            self.bridge.remove()
            # as with a citizen, the next card comes after pcscd has seen this one leave
            self.reader.monitor.wait(lambda m: not m.present, 5)
            self.reader.close()
        else:
            self.reader.remove()


@pytest.fixture(params=["pcsc", "inprocess"])
def slot(request):
    name = request.getfixturevalue("vpcd_reader") if request.param == "pcsc" else None
    s = Slot(request.param, name)
    yield s
    s.close()


def card_of(key, **changes):
    profile = demo.by_key(key).card_profile()
    for k, v in changes.items():
        setattr(profile, k, v)
    return personalise(profile, ISSUER)


def test_second_generation_card_is_read_without_a_security_module(slot):
    info = SocialSecurityCard(slot.insert(card_of("gen2"))).read_info()
    assert (info.name, info.spec_version, info.algorithm) == ("周建华", "2.00", "3DES")


def test_third_generation_holder_data_needs_the_security_module(slot):
    with pytest.raises(SecurityModuleMissing):
        SocialSecurityCard(slot.insert(card_of("normal"))).read_info()


def test_third_generation_card_is_authenticated_then_read(slot):
    card = card_of("normal")
    info = SocialSecurityCard(slot.insert(card), ISSUER).read_info()
    assert (info.name, info.ssn, info.algorithm, info.generation) == \
        ("王小明", demo.by_key("normal").id_number, "SM4", 3)


def test_reading_ef06_without_key_0a_is_refused_by_the_card(slot):
    app = SocialSecurityCard(slot.insert(card_of("normal")), ISSUER)
    app.identify()
    with pytest.raises(CardStatusError) as refused:
        app.read_item(SFI_EF06, 0x08, 18, "ssn")
    assert refused.value.sw == 0x6982


def test_a_card_from_another_issuer_is_not_genuine(slot):
    with pytest.raises(CardNotGenuine):
        SocialSecurityCard(slot.insert(card_of("normal")), STRANGER).read_info()


def test_verify_counts_down_to_the_block(slot):
    app = SocialSecurityCard(slot.insert(card_of("gen2")))
    app.select()
    for left in (5, 4, 3, 2, 1):
        with pytest.raises(PinWrong) as wrong:
            app.verify_pin(pin("000000"))
        assert wrong.value.tries_left == left
    with pytest.raises(PinBlocked):
        app.verify_pin(pin("000000"))
    with pytest.raises(PinBlocked):
        app.verify_pin(pin("123456"))          # blocked even for the right PIN


def test_change_pin(slot):
    card = card_of("gen2")
    app = SocialSecurityCard(slot.insert(card))
    app.select()
    app.verify_pin(pin("123456"))
    app.change_pin(pin("123456"), pin("802468"))
    assert card.pin_is("802468") and not card.pin_is("123456")


@pytest.mark.parametrize("key", ["gen2", "normal"])          # 3DES and SM4
def test_reload_sets_a_forgotten_pin_with_a_good_mac(slot, key):
    card = card_of(key)
    app = SocialSecurityCard(slot.insert(card), ISSUER)
    app.reload_pin(pin("802468"))
    assert card.pin_is("802468")


def test_reload_with_a_bad_mac_is_refused(slot):
    card = card_of("gen2")
    with pytest.raises(CardStatusError) as refused:
        SocialSecurityCard(slot.insert(card), STRANGER).reload_pin(pin("802468"))
    assert refused.value.sw == 0x6988 and card.pin_is("123456")


@pytest.mark.parametrize("key", ["gen2", "pin_locked"])      # 3DES and SM4
def test_unblock_a_blocked_pin_with_a_good_mac(slot, key):
    card = card_of(key, pin_tries_left=0)
    app = SocialSecurityCard(slot.insert(card), ISSUER)
    app.unblock_pin(pin("802468"))
    assert card.pin_tries_left == 6 and card.pin_is("802468")
    app.select()
    app.verify_pin(pin("802468"))


def test_unblock_with_a_bad_mac_leaves_the_pin_blocked(slot):
    card = card_of("pin_locked")
    with pytest.raises(CardStatusError) as refused:
        SocialSecurityCard(slot.insert(card), STRANGER).unblock_pin(pin("802468"))
    assert refused.value.sw == 0x6988 and card.pin_tries_left == 0


def test_card_rejecting_a_mac_on_demand(slot):
    card = card_of("gen2")
    card.inject("reject_mac")
    with pytest.raises(CardStatusError) as refused:
        SocialSecurityCard(slot.insert(card), ISSUER).reload_pin(pin("802468"))
    assert refused.value.sw == 0x6988


def test_mac_protected_command_without_a_fresh_challenge_is_refused(slot):
    app = SocialSecurityCard(slot.insert(card_of("gen2")), ISSUER)
    app.select()
    with pytest.raises(CardStatusError) as refused:
        app.channel.send(bytes.fromhex("805E000007123456") + b"\x00" * 4, "RELOAD PIN")
    assert refused.value.sw == 0x6984


def test_update_record_needs_external_authentication_with_key_04(slot):
    card = card_of("normal")
    app = SocialSecurityCard(slot.insert(card), ISSUER)
    app.identify()
    with pytest.raises(CardStatusError) as refused:
        app.write_item(SFI_EF06, 0x0B, b"\x02")
    assert refused.value.sw == 0x6982
    app.external_authenticate(KEY_UPDATE)
    app.write_item(SFI_EF06, 0x0B, b"\x02")
    app.external_authenticate(0x0A)
    assert app.read_info().nation == "02"


def test_card_removed_mid_command(slot):
    card = card_of("gen2")
    app = SocialSecurityCard(slot.insert(card))
    app.select()
    card.inject("remove_mid_command")
    with pytest.raises(CardRemoved):
        app.verify_pin(pin("123456"))
    assert card.pin_tries_left == 6           # nothing was counted against the citizen


def test_mute_card_is_a_typed_error(slot):
    card = card_of("gen2")
    app = SocialSecurityCard(slot.insert(card))
    card.inject("mute")
    with pytest.raises((CardMute, CardRemoved)) as failure:
        app.select()
    assert failure.value.zh


def test_card_state_persists_to_a_file_without_the_pin(tmp_path):
    path = str(tmp_path / "card.json")
    card = personalise(demo.by_key("gen2").card_profile(), ISSUER, path=path)
    reader = InProcessReader()
    reader.insert(card)
    app = SocialSecurityCard(reader.wait_for_card(1))
    app.select()
    with pytest.raises(PinWrong):
        app.verify_pin(pin("000000"))
    app.change_pin(pin("123456"), pin("802468"))
    text = open(path, encoding="utf-8").read()
    assert "802468" not in text and "123456" not in text and bytes.fromhex("802468").hex() not in text
    again = VirtualCard.load(path)
    assert again.pin_is("802468") and again.pin_tries_left == 6


def test_wrong_le_is_corrected_and_long_answers_fetched_through_the_reader(slot):
    app = SocialSecurityCard(slot.insert(card_of("gen2")))
    app.select()                                             # the FCI arrives as 61xx + GET RESPONSE
    record = app.channel.send(bytes.fromhex("00B2083000"), "READ RECORD with Le 00")   # card: 6C14
    assert record[:2] == b"\x08\x12" and record[2:].decode() == demo.by_key("gen2").id_number
