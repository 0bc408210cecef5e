"""APDU layer and the SSSE application against the virtual card model (in process)."""
import pytest

from kiosk import demo
from kiosk.hw.cardreader.apdu import ApduChannel, CardStatusError, PinBlocked, PinWrong, error_for, with_le
from kiosk.hw.cardreader.inprocess import InProcessReader
from kiosk.hw.cardreader.ssse import SocialSecurityCard, algorithm_from_fci, bcd_date, cn
from kiosk.hw.cardreader.virtualcard import personalise
from kiosk.security.module import SoftSecurityModule, demo_masters
from kiosk.pin import PinBuffer


ISSUER = SoftSecurityModule(demo_masters())


class Scripted:
    """A connection that answers from a list and records what was sent (for the T=0 rules only)."""

    def __init__(self, answers):
        self.answers, self.sent = list(answers), []

    def transmit(self, apdu):
        self.sent.append(bytes(apdu).hex().upper())
        data, sw = self.answers.pop(0)
        return bytes.fromhex(data), sw >> 8, sw & 0xFF

    def atr(self):
        return b""

    def disconnect(self):
        pass


pin = PinBuffer.typed


def test_61xx_is_fetched_with_get_response():
    conn = Scripted([("", 0x6105), ("6F03840100", 0x9000)])
    assert ApduChannel(conn).send(bytes.fromhex("00A404000F7378312E73682EC9E7BBE1B1A3D5CF"), "SELECT") \
        == bytes.fromhex("6F03840100")
    assert conn.sent[1] == "00C0000005"


def test_6cxx_resends_with_the_right_le():
    conn = Scripted([("", 0x6C14), ("0812" + "31" * 18, 0x9000)])
    ApduChannel(conn).send(bytes.fromhex("00B2083000"), "READ")
    assert conn.sent == ["00B2083000", "00B2083014"]


def test_with_le_handles_every_case():
    assert with_le(bytes.fromhex("00B20830"), 0x14).hex() == "00b2083014"
    assert with_le(bytes.fromhex("00B2083000"), 0x14).hex() == "00b2083014"
    assert with_le(bytes.fromhex("0020000003123456"), 0x00).hex() == "002000000312345600"
    assert with_le(bytes.fromhex("002000000312345600"), 0x10).hex() == "002000000312345610"


@pytest.mark.parametrize("sw,kind,tries", [(0x63C5, PinWrong, 5), (0x63C1, PinWrong, 1),
                                           (0x6983, PinBlocked, None), (0x6A82, CardStatusError, None)])
def test_status_words_map_to_typed_errors(sw, kind, tries):
    error = error_for("VERIFY", sw)
    assert type(error) is kind
    if tries is not None:
        assert error.tries_left == tries and str(tries) in error.zh


def test_every_error_text_is_free_of_the_command_data():
    error = error_for("VERIFY", 0x63C2)
    assert "123456" not in str(error) and "123456" not in error.zh


def test_fci_names_the_algorithm():
    assert algorithm_from_fci(bytes.fromhex("6F0AA5089F0C03860103")) == "SM4"
    assert algorithm_from_fci(bytes.fromhex("6F00")) == "3DES"


def test_field_formats():
    assert cn(bytes.fromhex("610113FF")) == "610113"
    assert bcd_date(bytes.fromhex("20310601")).isoformat() == "2031-06-01"


@pytest.fixture
def card_and_app():
    reader = InProcessReader()
    card = personalise(demo.by_key("normal").card_profile(), ISSUER)
    reader.insert(card)
    return card, SocialSecurityCard(reader.wait_for_card(1), ISSUER)


def test_long_name_is_joined_with_its_extension():
    profile = demo.by_key("normal").card_profile()
    profile.name = "阿不都热合曼·买买提明·艾力江·吐尔逊托合提"   # longer than 30 GBK bytes
    reader = InProcessReader()
    reader.insert(personalise(profile, ISSUER))
    assert SocialSecurityCard(reader.wait_for_card(1), ISSUER).read_info().name == profile.name


def test_right_pin_resets_the_counter_and_change_takes_effect(card_and_app):
    card, app = card_and_app
    app.select()
    with pytest.raises(PinWrong):
        app.verify_pin(pin("000000"))
    app.verify_pin(pin("135790"))
    assert card.pin_tries_left == 6
    app.change_pin(pin("135790"), pin("802468"))
    app.verify_pin(pin("802468"))
    with pytest.raises(PinWrong):
        app.verify_pin(pin("135790"))


def test_reading_before_selecting_the_application_is_refused(card_and_app):
    card, _ = card_and_app
    assert card.process(bytes.fromhex("00B2083014"))[-2:] == b"\x69\x86"


def test_non_social_security_card_says_so():
    assert error_for("SELECT SSSE", 0x6A82).zh.startswith("这不是社保卡")


def test_removed_card_is_a_clear_error(card_and_app):
    from kiosk.hw.cardreader.readers import CardRemoved
    card, app = card_and_app
    reader = InProcessReader()
    reader.insert(card)
    connection = reader.wait_for_card(1)
    reader.remove()
    with pytest.raises(CardRemoved):
        SocialSecurityCard(connection).select()


# -- fuzz: whatever a card answers, only typed errors come out -----------------------------------------
from hypothesis import given, settings, strategies as st  # noqa: E402

from kiosk.hw.base import DeviceError  # noqa: E402
from kiosk.hw.cardreader.ssse import SocialSecurityCard as _App  # noqa: E402

ANSWER = st.tuples(st.binary(max_size=40), st.integers(0, 255), st.integers(0, 255))


class Random:
    def __init__(self, answers):
        self.answers = list(answers)

    def transmit(self, apdu):
        if not self.answers:
            return b"", 0x6F, 0x00
        data, sw1, sw2 = self.answers.pop(0)
        return data, sw1, sw2

    def atr(self):
        return b"\x3b\x00"

    def disconnect(self):
        pass


@settings(max_examples=500, deadline=None)
@given(st.lists(ANSWER, max_size=40))
def test_random_card_answers_give_only_typed_errors(answers):
    try:
        _App(Random(answers), ISSUER).read_info()
    except DeviceError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.binary(max_size=300), st.sampled_from([0x61, 0x6C, 0x90, 0x63, 0x69]),
                          st.integers(0, 255)), max_size=30))
def test_chained_and_wrong_length_answers_give_only_typed_errors(answers):
    channel = ApduChannel(Random(answers))
    for _ in range(3):
        try:
            channel.send(bytes.fromhex("00B2083014"), "READ")
        except DeviceError:
            pass


def test_an_ssf33_card_is_refused_in_words_not_a_crash():
    from kiosk.hw.cardreader.ssse import CardAlgorithmUnsupported
    profile = demo.by_key("normal").card_profile()
    profile.algorithm = 0x03
    card = personalise(profile, ISSUER)
    card.algorithm_code = 0x02                  # the FCI now announces SSF33
    reader = InProcessReader()
    reader.insert(card)
    with pytest.raises(CardAlgorithmUnsupported) as refused:
        SocialSecurityCard(reader.wait_for_card(1), ISSUER).read_info()
    assert "不支持" in refused.value.zh


@pytest.mark.parametrize("command", ["VERIFY", "CHANGE PIN", "RELOAD PIN", "UNBLOCK PIN"])
@pytest.mark.parametrize("x", range(16))
def test_every_63cx_is_a_plain_wrong_pin_with_the_tries_left(command, x):
    """Issue 11: a wrong PIN read "SW 63C5 unknown status word" (the technician text of every PinWrong,
    logged by the flows): 63Cx had no entry in the status-word table."""
    error = error_for(command, 0x63C0 | x)
    assert type(error) is PinWrong and error.tries_left == x
    assert "unknown" not in error.detail and f"wrong PIN, {x} tries left" in error.detail
    assert error.zh.startswith("密码错误") and error.en.startswith("Wrong PIN")
    if x == 0:
        assert "锁定" in error.zh and "locked" in error.en


def test_a_wrong_old_pin_in_change_pin_is_a_plain_wrong_pin(card_and_app):
    _, app = card_and_app
    app.select()
    with pytest.raises(PinWrong) as wrong:
        app.change_pin(pin("000000"), pin("802468"))
    assert wrong.value.tries_left == 5 and "unknown" not in str(wrong.value)
    assert wrong.value.zh == "密码错误，还可以再试5次"
