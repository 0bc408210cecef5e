"""GA 467 frame codec and text-block layouts, against the byte vectors of research/protocols.md §4.1."""
import datetime as dt
import hashlib

import pytest
from hypothesis import given, settings, strategies as st

from kiosk.hw.idreader import codec
from kiosk.hw.idreader.codec import SW3_MEANINGS, Command, FrameDecoder, FrameError, Sw3
from kiosk.hw.idreader.idcard import (FOREIGN_2017, FOREIGN_2023, HK_MO_TW, RESIDENT, IdCard, IdCardRefused,
                                      card_type_of, decode_text, encode_text)
from kiosk.hw.idreader.samples import SAMPLES, resident

REQUESTS = {
    Command.FIND_CARD: "AAAAAA96690003200122",
    Command.SELECT_CARD: "AAAAAA96690003200221",
    Command.READ_TEXT_PHOTO: "AAAAAA96690003300132",
    Command.READ_TEXT_PHOTO_FINGERPRINT: "AAAAAA96690003301023",
    Command.READ_APPENDED_ADDRESS: "AAAAAA96690003300330",
    Command.READ_CHIP_SN: "AAAAAA96690003300536",
    Command.READ_SAM_ID: "AAAAAA9669000312FFEE",
    Command.SAM_STATUS: "AAAAAA9669000311FFED",
    Command.RESET_SAM: "AAAAAA9669000310FFEC",
}


def test_every_command_has_a_published_frame():
    assert set(REQUESTS) == set(Command)


@pytest.mark.parametrize("command,expected", REQUESTS.items(), ids=lambda v: getattr(v, "name", ""))
def test_requests_encode_to_the_published_frames(command, expected):
    assert codec.encode_request(command).hex().upper() == expected


@pytest.mark.parametrize("frame,sw3,data", [
    ("AAAAAA9669000800009F0000000097", Sw3.FOUND, b"\0" * 4),
    ("AAAAAA9669000400008084", Sw3.FIND_FAILED, b""),
    ("AAAAAA9669000C00009000000000000000009C", Sw3.OK, b"\0" * 8),
    ("AAAAAA9669000400008185", Sw3.SELECT_FAILED, b""),
    ("AAAAAA9669000400004145", Sw3.READ_FAILED, b""),
    ("AAAAAA9669000400009094", Sw3.OK, b""),
])
def test_published_responses_decode(frame, sw3, data):
    decoder = FrameDecoder()
    decoder.feed(bytes.fromhex(frame))
    response = codec.decode_response_body(decoder.next_body())
    assert (response.result, response.data) == (sw3, data)


@pytest.mark.parametrize("sw3", list(Sw3), ids=lambda s: s.name)
def test_every_sw3_code_has_messages_in_both_languages(sw3):
    technician, zh, en = SW3_MEANINGS[sw3]
    assert technician and zh and en and zh != en
    response = codec.decode_response_body(bytes([0, 0, sw3]))
    assert response.result is sw3 and response.ok == (sw3 in (Sw3.OK, Sw3.FOUND))


def test_unknown_sw3_is_reported_not_crashed():
    response = codec.decode_response_body(b"\x00\x00\x55")
    assert response.result is None and "0x55" in response.meaning[0]


def test_synthetic_text_block_matches_the_research_vector():
    text = encode_text(resident(valid_until=dt.date(2035, 1, 1)))
    assert text[0:36].hex().upper() == "205F094E2000200020002000200020002000200020002000200020002000310030003100"
    assert text[122:158].hex().upper() == "310031003000310030003500310039003400390031003200330031003000300032005800"
    frame = codec.encode_response(0x90, b"\x01\x00\x04\x00" + text + b"\0" * 1024)
    assert len(frame) == 1295
    assert frame[:14].hex().upper() == "AAAAAA9669050800009001000400"
    assert frame[-1] == 0x0E
    assert hashlib.sha256(frame).hexdigest() == "aaa14e40a163e3ad247c7d9f6fc2c08b463f89ab0fa27d9d3d3b7772f651572c"


def test_fingerprint_answer_has_the_published_size():
    frame = codec.encode_response(0x90, b"\x01\x00\x04\x00\x04\x00" + b"\x20\x00" * 128 + b"\0" * 2048)
    assert len(frame) == 2321 and frame[5:7] == b"\x09\x0A"


def test_answer_fed_byte_by_byte_decodes_once_complete():
    frame = codec.encode_response(0x90, b"\x01\x00\x04\x00" + encode_text(resident()) + b"\0" * 1024)
    decoder = FrameDecoder()
    for i, byte in enumerate(frame):
        decoder.feed(bytes([byte]))
        body = decoder.next_body()
        assert (body is None) == (i < len(frame) - 1)
    card = decode_text(body[7:263])
    assert (card.name, card.id_number, card.nation_name, card.sex_name) == ("张三", "11010519491231002X", "汉", "男")


def test_garbage_before_a_frame_is_skipped_and_counted():
    decoder = FrameDecoder()
    decoder.feed(b"\x00\x13\xAA\x96" + bytes.fromhex("AAAAAA9669000400009094"))
    assert codec.decode_response_body(decoder.next_body()).sw3 == 0x90
    assert decoder.skipped == 4


def test_preamble_split_across_reads_is_kept():
    frame = bytes.fromhex("AAAAAA9669000400009094")
    decoder = FrameDecoder()
    decoder.feed(b"\x01\x02" + frame[:3])
    assert decoder.next_body() is None
    decoder.feed(frame[3:])
    assert codec.decode_response_body(decoder.next_body()).ok


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


def test_short_bodies_are_typed_errors():
    with pytest.raises(FrameError):
        codec.decode_response_body(b"\x00\x00")
    with pytest.raises(FrameError):
        codec.decode_request_body(b"\x20")


# -- layouts ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", SAMPLES)
def test_every_layout_round_trips(key):
    card = SAMPLES[key]()
    decoded = decode_text(encode_text(card))
    for name in ("card_type", "name", "name_en", "sex", "nation", "birth_date", "address", "id_number",
                 "issuer", "valid_from", "valid_until", "long_term", "nationality", "pass_number"):
        assert getattr(decoded, name) == getattr(card, name), name
    assert decoded.problems == []


@pytest.mark.parametrize("flag,card_type", [(" ", RESIDENT), ("I", FOREIGN_2017), ("Y", FOREIGN_2023),
                                            ("J", HK_MO_TW), ("Q", RESIDENT)])
def test_type_byte_at_offset_248_selects_the_layout(flag, card_type):
    text = bytearray(encode_text(resident()))
    text[248:250] = flag.encode("utf-16-le")
    assert card_type_of(bytes(text)) == card_type


def test_foreign_2023_english_name_spans_both_fields():
    card = SAMPLES["foreign_2023"]()
    assert len(card.name_en) > 35
    assert decode_text(encode_text(card)).name_en == card.name_en


def test_long_term_validity_is_not_an_expiry():
    card = decode_text(encode_text(resident(valid_until=None, long_term=True)))
    assert card.long_term and card.valid_until is None
    assert card.refusal(dt.date(2090, 1, 1)) is None
    assert card.to_json()["valid_until"] == "long-term"


def test_expired_card_is_refused_with_the_date():
    refusal = resident(valid_until=dt.date(2035, 1, 1)).refusal(dt.date(2035, 1, 2))
    assert isinstance(refusal, IdCardRefused) and "2035年01月01日" in refusal.zh


@pytest.mark.parametrize("key,number", [
    ("resident", "110101197608056896"),            # wrong check character
    ("foreign_2017", "CAN12345678901"),            # 14 characters
    ("foreign_2023", "110101194912310021"),        # right check, but a citizen's number (not 9…)
    ("hk_mo_tw", "11010519491231002X"),            # a mainland number on a residence permit
])
def test_malformed_numbers_are_refused(key, number):
    card = SAMPLES[key]()
    card.id_number = number
    assert not card.id_number_valid
    assert "校验" in card.refusal(dt.date(2026, 1, 1)).zh


def test_unreadable_date_is_a_problem_not_a_crash():
    text = bytearray(encode_text(resident()))
    text[36:52] = "2019X231".encode("utf-16-le")
    card = decode_text(bytes(text))
    assert card.birth_date is None and "birth_date" in card.problems[0]
    assert "无法识别" in card.refusal().zh


def test_nation_names_follow_gb_3304():
    assert [resident(nation=code).nation_name for code in ("20", "46", "56", "97")] == ["傈僳", "德昂", "基诺", "其他"]


# -- property: nothing from the wire crashes the codec ------------------------------------------------
@settings(max_examples=400, deadline=None)
@given(st.lists(st.binary(max_size=80), max_size=12))
def test_random_bytes_raise_only_frame_errors(chunks):
    decoder = FrameDecoder()
    for chunk in chunks:
        decoder.feed(chunk)
        for _ in range(20):
            try:
                body = decoder.next_body()
            except FrameError:
                continue
            if body is None:
                break
            try:
                codec.decode_response_body(body)
                codec.decode_request_body(body)
            except FrameError:
                pass


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=1294), st.binary(min_size=1, max_size=4))
def test_truncated_or_corrupted_answers_raise_only_frame_errors(cut, noise):
    frame = codec.encode_response(0x90, b"\x01\x00\x04\x00" + encode_text(resident()) + b"\0" * 1024)
    for data in (frame[:cut], frame[:cut] + noise + frame[cut:]):
        decoder = FrameDecoder()
        decoder.feed(data)
        try:
            while decoder.next_body() is not None:
                pass
        except FrameError:
            pass


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=256, max_size=256))
def test_any_text_block_decodes_without_raising(text):
    card = decode_text(text)
    card.refusal(dt.date(2026, 1, 1))
    card.to_json()


def test_an_answer_shaped_for_one_command_is_foreign_to_the_others():
    """GA 467 answers carry no sequence number; their SW3 and length are what tells them apart (§2.4).
    SELECT (8-byte SN) and READ_CHIP_SN (8 bytes) cannot be told apart: the driver drains answers a
    timed-out command still owes before the next command (tests/test_idreader_wire.py)."""
    from kiosk.hw.idreader.codec import ANSWER_SHAPES, Command, Response, foreign
    for shaped, shapes in ANSWER_SHAPES.items():
        for sw3, lengths in shapes.items():
            answer = Response(0, 0, sw3, bytes(lengths[0]))
            assert foreign(shaped, answer) is None
            for other in Command:
                same = sw3 in ANSWER_SHAPES[other] and lengths[0] in ANSWER_SHAPES[other][sw3]
                assert (foreign(other, answer) is None) == same, (shaped, other)
    assert foreign(Command.FIND_CARD, Response(0x90, 0x00, 0x9F, bytes(4)))   # SW1 SW2 are 00 00
    assert foreign(Command.FIND_CARD, Response(0, 0, 0x41, bytes(8)))        # a failure carries no data
    assert foreign(Command.SELECT_CARD, Response(0, 0, 0x41, b"")) is None


def teen(**changes):
    """A 15-year-old at issue (born 2009-03-01, card from 2024-07-01); the number matches the birth date."""
    from kiosk import idnumber
    base = dict(birth_date=dt.date(2009, 3, 1), id_number=idnumber.with_check("61011320090301001"),
                valid_from=dt.date(2024, 7, 1))
    return resident(**(base | changes))


@pytest.mark.parametrize("card", [
    teen(valid_until=None, long_term=True),                                   # 长期 at 15
    teen(valid_until=dt.date(2044, 7, 1)),                                    # 20 years at 15
    teen(birth_date=dt.date(1990, 3, 1), valid_from=dt.date(2020, 5, 1), valid_until=None, long_term=True),
], ids=["long_term_at_15", "20_years_at_15", "long_term_at_30"])
def test_a_validity_longer_than_the_age_at_issue_allows_is_refused(card):
    """Issue 11: a 15-year-old's card marked 长期 was accepted. 居民身份证法 art. 5: under 16, 5 years;
    16-25, 10 years; 26-45, 20 years; long-term only from 46 (age when the card was issued)."""
    from kiosk import idnumber
    from kiosk.hw.idreader.idcard import IdCardValidityInconsistent
    card.id_number = idnumber.with_check(f"610113{card.birth_date:%Y%m%d}001")
    refusal = decode_text(encode_text(card)).refusal(dt.date(2025, 1, 1))
    assert isinstance(refusal, IdCardValidityInconsistent)
    assert "有效期" in refusal.zh and "窗口" in refusal.zh and "validity" in refusal.en
    assert card.id_number not in str(refusal) + refusal.zh + refusal.en


@pytest.mark.parametrize("card", [
    teen(valid_until=dt.date(2029, 7, 1)),                                    # 5 years at 15
    teen(birth_date=dt.date(2004, 3, 1), valid_until=dt.date(2034, 7, 1)),   # 10 years at 20
    teen(birth_date=dt.date(1990, 3, 1), valid_until=dt.date(2044, 7, 1)),   # 20 years at 34
    teen(birth_date=dt.date(1970, 3, 1), valid_until=None, long_term=True),  # 长期 at 54
], ids=["5_at_15", "10_at_20", "20_at_34", "long_term_at_54"])
def test_a_validity_the_age_at_issue_allows_is_accepted(card):
    from kiosk import idnumber
    card.id_number = idnumber.with_check(f"610113{card.birth_date:%Y%m%d}001")
    assert decode_text(encode_text(card)).refusal(dt.date(2025, 1, 1)) is None
