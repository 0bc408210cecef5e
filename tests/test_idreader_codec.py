"""GA 467 frame codec against the byte vectors of research/protocols.md §4.1."""
import datetime as dt
import hashlib

import pytest

from kiosk.hw.idreader import codec
from kiosk.hw.idreader.codec import Command, FrameDecoder, FrameError
from kiosk.hw.idreader.idcard import IdCard, IdCardRefused, decode_text, encode_text

REQUESTS = {
    Command.FIND_CARD: "AAAAAA96690003200122",
    Command.SELECT_CARD: "AAAAAA96690003200221",
    Command.READ_TEXT_PHOTO: "AAAAAA96690003300132",
    Command.READ_TEXT_PHOTO_FINGERPRINT: "AAAAAA96690003301023",
    Command.READ_APPENDED_ADDRESS: "AAAAAA96690003300330",
    Command.READ_SAM_ID: "AAAAAA9669000312FFEE",
    Command.SAM_STATUS: "AAAAAA9669000311FFED",
    Command.RESET_SAM: "AAAAAA9669000310FFEC",
}


@pytest.mark.parametrize("command,expected", REQUESTS.items(), ids=lambda v: getattr(v, "name", ""))
def test_requests_encode_to_the_published_frames(command, expected):
    assert codec.encode_request(command).hex().upper() == expected


@pytest.mark.parametrize("frame,sw3,data", [
    ("AAAAAA9669000800009F0000000097", 0x9F, b"\0" * 4),
    ("AAAAAA9669000400008084", 0x80, b""),
    ("AAAAAA9669000C00009000000000000000009C", 0x90, b"\0" * 8),
    ("AAAAAA9669000400008185", 0x81, b""),
    ("AAAAAA9669000400004145", 0x41, b""),
    ("AAAAAA9669000400009094", 0x90, b""),
])
def test_published_responses_decode(frame, sw3, data):
    decoder = FrameDecoder()
    decoder.feed(bytes.fromhex(frame))
    response = codec.decode_response_body(decoder.next_body())
    assert (response.sw3, response.data) == (sw3, data)


def synthetic_card():
    return IdCard("resident", "张三", "1", "01", dt.date(1949, 12, 31), "北京市东城区", "11010519491231002X",
                  "北京市公安局东城分局", dt.date(2015, 1, 1), dt.date(2035, 1, 1))


def test_synthetic_text_block_matches_the_research_vector():
    text = encode_text(synthetic_card())
    assert text[0:36].hex().upper() == "205F094E2000200020002000200020002000200020002000200020002000310030003100"
    assert text[122:158].hex().upper() == "310031003000310030003500310039003400390031003200330031003000300032005800"
    frame = codec.encode_response(0x90, b"\x01\x00\x04\x00" + text + b"\0" * 1024)
    assert len(frame) == 1295
    assert frame[:14].hex().upper() == "AAAAAA9669050800009001000400"
    assert frame[-1] == 0x0E
    assert hashlib.sha256(frame).hexdigest() == "aaa14e40a163e3ad247c7d9f6fc2c08b463f89ab0fa27d9d3d3b7772f651572c"


def test_answer_fed_byte_by_byte_decodes_once_complete():
    frame = codec.encode_response(0x90, b"\x01\x00\x04\x00" + encode_text(synthetic_card()) + b"\0" * 1024)
    decoder = FrameDecoder()
    for i, byte in enumerate(frame):
        decoder.feed(bytes([byte]))
        body = decoder.next_body()
        assert (body is None) == (i < len(frame) - 1)
    card = decode_text(body[7:263], today=dt.date(2026, 1, 1))
    assert (card.name, card.id_number, card.nation_name, card.gender_name) == ("张三", "11010519491231002X", "汉", "男")


def test_garbage_before_a_frame_is_skipped_and_counted():
    decoder = FrameDecoder()
    decoder.feed(b"\x00\x13\xAA\x96" + bytes.fromhex("AAAAAA9669000400009094"))
    assert codec.decode_response_body(decoder.next_body()).sw3 == 0x90
    assert decoder.skipped == 4


def test_bad_checksum_is_rejected_and_the_next_frame_still_decodes():
    good = bytes.fromhex("AAAAAA9669000400009094")
    decoder = FrameDecoder()
    decoder.feed(good[:-1] + b"\x00" + good)
    with pytest.raises(FrameError, match="checksum"):
        decoder.next_body()
    assert codec.decode_response_body(decoder.next_body()).sw3 == 0x90


def test_impossible_length_is_rejected_without_waiting_for_the_bytes():
    decoder = FrameDecoder()
    decoder.feed(bytes.fromhex("AAAAAA9669FFFF"))
    with pytest.raises(FrameError, match="length"):
        decoder.next_body()


def test_long_term_validity_decodes_as_no_end_date():
    card = synthetic_card()
    card.valid_to = None
    assert decode_text(encode_text(card)).valid_to is None


def test_expired_card_is_refused_with_the_date():
    with pytest.raises(IdCardRefused) as refused:
        decode_text(encode_text(synthetic_card()), today=dt.date(2035, 1, 2))
    assert "2035年01月01日" in refused.value.zh


def test_bad_check_digit_is_refused():
    card = synthetic_card()
    card.id_number = "110101197608056896"
    with pytest.raises(IdCardRefused, match="GB 11643"):
        decode_text(encode_text(card), today=dt.date(2026, 1, 1))


def test_foreign_card_type_is_refused_not_misread():
    text = bytearray(encode_text(synthetic_card()))
    text[248:250] = "I".encode("utf-16-le")
    with pytest.raises(IdCardRefused, match="foreign"):
        decode_text(bytes(text))
