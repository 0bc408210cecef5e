"""CRT-591 codec against the acceptance vectors of hardware.md §1.7."""
import pytest
from hypothesis import given, settings, strategies as st

from kiosk.hw.cardissuer import codec
from kiosk.hw.cardissuer.codec import CardPosition, Command, FrameError, Hopper, RejectBin

COMMANDS = [
    (Command.INIT_TO_GATE, b"", 0, "F2 00 00 03 43 30 30 03 B1"),
    (Command.INIT_CAPTURE, b"", 0, "F2 00 00 03 43 30 31 03 B0"),
    (Command.INIT_NO_MOVE, b"", 0, "F2 00 00 03 43 30 33 03 B2"),
    (Command.STATUS, b"", 0, "F2 00 00 03 43 31 30 03 B0"),
    (Command.SENSOR_STATUS, b"", 0, "F2 00 00 03 43 31 31 03 B1"),
    (Command.MOVE_TO_GATE, b"", 0, "F2 00 00 03 43 32 30 03 B3"),
    (Command.MOVE_TO_IC, b"", 0, "F2 00 00 03 43 32 31 03 B2"),
    (Command.MOVE_TO_RF, b"", 0, "F2 00 00 03 43 32 32 03 B1"),
    (Command.CAPTURE, b"", 0, "F2 00 00 03 43 32 33 03 B0"),
    (Command.EJECT, b"", 0, "F2 00 00 03 43 32 39 03 BA"),
    (Command.GATE_ENTRY_ENABLE, b"", 0, "F2 00 00 03 43 33 30 03 B2"),
    (Command.GATE_ENTRY_DISABLE, b"", 0, "F2 00 00 03 43 33 31 03 B3"),
    (Command.CPU_COLD_RESET, b"\x30", 0, "F2 00 00 04 43 51 30 30 03 E7"),
    (Command.CPU_POWER_OFF, b"", 0, "F2 00 00 03 43 51 31 03 D1"),
    (Command.CPU_APDU, bytes.fromhex("00A40000023F00"), 0, "F2 00 00 0A 43 51 39 00 A4 00 00 02 3F 00 03 49"),
    (Command.READ_BIN_COUNTER, b"", 0, "F2 00 00 03 43 A5 30 03 24"),
    (Command.RESET_PCSC_READER, b"", 0, "F2 00 00 03 43 A6 30 03 27"),
    (Command.STATUS, b"", 1, "F2 01 00 03 43 31 30 03 B1"),
]


@pytest.mark.parametrize("command,data,addr,expected", COMMANDS, ids=lambda v: getattr(v, "name", None))
def test_commands_encode_to_the_acceptance_vectors(command, data, addr, expected):
    assert codec.encode_command(command, data, addr).hex(" ").upper() == expected
    request = codec.decode_request(bytes.fromhex(expected))
    assert (request.command, request.data, request.addr) == (command, data, addr)


@pytest.mark.parametrize("frame,position,hopper,bin_", [
    ("F2 00 00 06 50 31 30 30 32 30 03 94", CardPosition.NONE, Hopper.OK, RejectBin.OK),
    ("F2 00 00 06 50 32 31 32 31 30 03 97", CardPosition.INSIDE, Hopper.LOW, RejectBin.OK),
])
def test_positive_replies(frame, position, hopper, bin_):
    reply = codec.decode_reply(bytes.fromhex(frame))
    assert reply.ok and (reply.status.position, reply.status.hopper, reply.status.reject_bin) == (position, hopper, bin_)


@pytest.mark.parametrize("frame,error", [("F2 00 00 05 4E 32 31 41 30 03 C8", "A0"),
                                         ("F2 00 00 05 4E 32 33 41 31 03 CB", "A1"),
                                         ("F2 00 00 05 4E 32 39 31 30 03 B0", "10")])
def test_negative_replies(frame, error):
    reply = codec.decode_reply(bytes.fromhex(frame))
    assert not reply.ok and reply.error == error and reply.meaning[1]


def test_both_negative_headers_are_accepted():
    for emt in (0x4E, 0x45):
        reply = codec.decode_reply(codec.encode_negative(0x32, 0x31, "A0", emt=emt))
        assert reply.error == "A0"


@pytest.mark.parametrize("st,expected", [(b"000", (CardPosition.NONE, Hopper.EMPTY, RejectBin.OK)),
                                         (b"111", (CardPosition.GATE, Hopper.LOW, RejectBin.FULL)),
                                         (b"220", (CardPosition.INSIDE, Hopper.OK, RejectBin.OK))])
def test_every_status_value(st, expected):
    status = codec.parse_status(st)
    assert (status.position, status.hopper, status.reject_bin) == expected


def test_every_error_code_has_words_and_an_actor():
    for code, (detail, zh, en, action) in codec.ERRORS.items():
        assert detail and zh and en and action


def test_bad_bcc_and_length_are_typed_errors():
    frame = bytearray.fromhex("F2 00 00 06 50 31 30 30 32 30 03 94")
    frame[-1] ^= 1
    with pytest.raises(FrameError, match="BCC"):
        codec.decode_reply(bytes(frame))
    with pytest.raises(FrameError):
        codec.decode_reply(bytes.fromhex("F2 00 00 09 50 31 30 30 32 30 03 94"))


def test_decoder_separates_control_bytes_frames_and_noise():
    decoder = codec.FrameDecoder()
    decoder.feed(b"\x06\x99" + bytes.fromhex("F2 00 00 06 50 31 30 30 32 30 03 94") + b"\x15")
    assert decoder.next() == codec.ACK
    assert codec.decode_reply(decoder.next()).ok
    assert decoder.next() == codec.NAK and decoder.skipped == 1


@settings(max_examples=400, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=10))
def test_random_bytes_give_only_frame_errors(chunks):
    decoder = codec.FrameDecoder()
    for chunk in chunks:
        decoder.feed(chunk)
        for _ in range(20):
            item = decoder.next()
            if item is None:
                break
            if isinstance(item, bytes):
                for decode in (codec.decode_reply, codec.decode_request):
                    try:
                        decode(item)
                    except FrameError:
                        pass
