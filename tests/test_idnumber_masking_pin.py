import pytest

from kiosk import idnumber, masking
from kiosk.pin import PinBuffer


@pytest.mark.parametrize("number,valid", [("11010519491231002X", True), ("440524188001010014", True),
                                          ("360426199101010071", True), ("110101197608056896", False),
                                          ("11010519491331002X", False), ("1101051949123100", False)])
def test_id_number_check(number, valid):
    assert idnumber.is_valid(number) is valid


def test_masks():
    assert masking.id_number("610113195603080016") == "6101**********0016"
    assert masking.name("王小明") == "王*明"
    assert masking.name("刘䶮") == "刘*"
    assert masking.card_number("A00000001") == "A0****001"


pin = PinBuffer.typed


def test_pin_buffer_never_shows_its_digits():
    buf = pin("802468")
    assert "802468" not in repr(buf) and "802468" not in str(buf)


def test_pin_is_packed_bcd_and_clears_in_place():
    buf = pin("802468")
    assert bytes(buf.bcd()) == bytes.fromhex("802468")
    buf.clear()
    assert len(buf) == 0 and not buf.complete


def test_pin_holds_at_most_six_digits():
    buf = pin("123456")
    assert buf.push("7") is False and len(buf) == 6


@pytest.mark.parametrize("digits,weak", [("111111", "all_same"), ("123456", "straight_run"),
                                         ("654321", "straight_run"), ("802468", None), ("135790", None)])
def test_weak_pins(digits, weak):
    assert pin(digits).weakness() == weak
