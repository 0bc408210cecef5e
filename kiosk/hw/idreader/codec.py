"""Pure GA 467 frame codec: bytes ⇄ typed messages. No I/O here.

Frame (protocols.md §2.2): ``AA AA AA 96 69 | LEN_H LEN_L | body | CHK`` where LEN counts the body and
CHK, and CHK is the XOR of every byte from LEN_H to the byte before CHK.
Request body: CMD PARA [data]. Response body: SW1 SW2 SW3 [data].
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import reduce

PREAMBLE = b"\xAA\xAA\xAA\x96\x69"
HEADER_LEN = len(PREAMBLE) + 2
# The longest legal answer is text+photo+fingerprint: LEN 0x090A (protocols.md §2.4). Anything longer is
# garbage that happens to contain a preamble; refusing it keeps a corrupted length from stalling the link.
MAX_LEN = 0x0A00


class Command(enum.Enum):
    RESET_SAM = (0x10, 0xFF)
    SAM_STATUS = (0x11, 0xFF)
    READ_SAM_ID = (0x12, 0xFF)
    FIND_CARD = (0x20, 0x01)
    SELECT_CARD = (0x20, 0x02)
    READ_TEXT_PHOTO = (0x30, 0x01)
    READ_APPENDED_ADDRESS = (0x30, 0x03)
    READ_CHIP_SN = (0x30, 0x05)
    READ_TEXT_PHOTO_FINGERPRINT = (0x30, 0x10)


class Sw3(enum.IntEnum):
    """SW3 result codes, protocols.md §2.5."""
    OK = 0x90
    FOUND = 0x9F
    NO_CONTENT = 0x91
    CHECKSUM_ERROR = 0x10
    LENGTH_ERROR = 0x11
    COMMAND_ERROR = 0x21
    UNAUTHORISED = 0x23
    UNRECOGNISED_ERROR = 0x24
    CARD_REJECTED_SAM = 0x31
    SAM_REJECTED_CARD = 0x32
    VERIFICATION_ERROR = 0x33
    NO_CARD_YET = 0x34
    UNKNOWN_CARD_TYPE = 0x40
    READ_FAILED = 0x41
    RANDOM_FAILED = 0x47
    WRITE_FAILED = 0x50
    SAM_SELF_TEST_FAILED = 0x60
    LOGIN_FAILED = 0x61
    SAM_NOT_AUTHORISED = 0x66
    FIND_FAILED = 0x80
    SELECT_FAILED = 0x81


# (technician text, citizen text zh, citizen text en) for each SW3.
SW3_MEANINGS: dict[int, tuple[str, str, str]] = {
    0x90: ("operation succeeded", "操作成功", "Done"),
    0x9F: ("find card succeeded", "已找到身份证", "ID card found"),
    0x91: ("card has no content for this item", "证件无此项信息", "The card has no such item"),
    0x10: ("checksum error in data received by the SAM", "读卡器通信校验错误，请重试",
           "Reader communication error, please try again"),
    0x11: ("length error in data received by the SAM", "读卡器通信长度错误，请重试",
           "Reader communication error, please try again"),
    0x21: ("command error", "读卡器命令错误", "Reader command error"),
    0x23: ("unauthorised operation", "读卡器拒绝操作", "The reader refused the operation"),
    0x24: ("unrecognised error", "读卡器未知错误", "Unknown reader error"),
    0x31: ("card failed to authenticate the SAM", "证件认证失败，请重新放置身份证",
           "Card authentication failed, please place the ID card again"),
    0x32: ("SAM failed to authenticate the card", "无法验证此证件，请重新放置身份证",
           "The card could not be verified, please place it again"),
    0x33: ("information verification error", "证件信息校验错误", "Card data verification error"),
    0x34: ("no card found yet", "未找到身份证", "No ID card found"),
    0x40: ("unrecognised card type", "无法识别的证件类型", "This card type is not recognised"),
    0x41: ("read card failed", "读取身份证失败，请不要移动证件", "Reading failed, please keep the card still"),
    0x47: ("get-random failed", "读卡器内部错误", "Reader internal error"),
    0x50: ("write card failed", "读卡器写卡失败", "Reader write error"),
    0x60: ("SAM self-test failed", "身份证读卡器故障，请联系工作人员",
           "The ID card reader is faulty, please call staff"),
    0x61: ("user login failed", "读卡器登录失败", "Reader login failed"),
    0x66: ("SAM not authorised", "身份证读卡器未授权，请联系工作人员",
           "The ID card reader is not authorised, please call staff"),
    0x80: ("find card failed (no card)", "未检测到身份证", "No ID card on the reader"),
    0x81: ("select card failed", "选卡失败，请重新放置身份证", "Please place the ID card again"),
}
SW3_OK = Sw3.OK
SW3_FOUND = Sw3.FOUND


class FrameError(ValueError):
    """A frame that cannot be trusted: bad length, bad checksum, bad preamble."""


@dataclass(frozen=True)
class Response:
    sw1: int
    sw2: int
    sw3: int
    data: bytes

    @property
    def ok(self) -> bool:
        return self.sw3 in (SW3_OK, SW3_FOUND)

    @property
    def result(self) -> Sw3 | None:
        """The typed result, or None for a code outside GA 467's table."""
        try:
            return Sw3(self.sw3)
        except ValueError:
            return None

    @property
    def meaning(self) -> tuple[str, str, str]:
        return SW3_MEANINGS.get(self.sw3, (f"unknown SW3 0x{self.sw3:02X}", "读卡器未知错误", "Unknown reader error"))


# What each command's answers carry (protocols.md §2.4): for each SW3 it may answer with, the data lengths.
# A failure SW3 (any other) carries no data. GA 467 answers have no sequence number, so this shape is all
# that tells a late answer to an earlier command from this command's own.
_FP_READ = (4 + 2 + 256 + 1024, 4 + 2 + 256 + 1024 + 1024)      # without / with the two fingerprint templates
ANSWER_SHAPES: dict[Command, dict[int, tuple[int, ...]]] = {
    Command.RESET_SAM: {0x90: (0,)},
    Command.SAM_STATUS: {0x90: (0,)},
    Command.READ_SAM_ID: {0x90: (16,)},
    Command.FIND_CARD: {0x9F: (4,)},
    Command.SELECT_CARD: {0x90: (8,)},
    Command.READ_TEXT_PHOTO: {0x90: (4 + 256 + 1024,)},
    Command.READ_TEXT_PHOTO_FINGERPRINT: {0x90: _FP_READ},
    Command.READ_APPENDED_ADDRESS: {0x90: (70,), 0x91: (0,)},
    Command.READ_CHIP_SN: {0x90: (8,)},
}
_SUCCESS_SW3 = (0x90, 0x9F, 0x91)


def foreign(command: Command, response: Response) -> str | None:
    """Why ``response`` cannot be an answer to ``command`` (an answer to another command, or not an answer
    at all), or None when it can be. Names codes and lengths only, never the data."""
    if (response.sw1, response.sw2) != (0, 0):
        return f"SW1 SW2 {response.sw1:02X} {response.sw2:02X} (a GA 467 answer has 00 00)"
    shapes = ANSWER_SHAPES[command]
    if response.sw3 in shapes:
        if len(response.data) not in shapes[response.sw3]:
            return (f"SW3 {response.sw3:02X} with {len(response.data)} data bytes; {command.name} answers it with "
                    f"{' or '.join(map(str, shapes[response.sw3]))}")
        return None
    if response.sw3 in _SUCCESS_SW3:
        return f"SW3 {response.sw3:02X} is not an answer to {command.name}"
    if response.data:
        return f"failure SW3 {response.sw3:02X} with {len(response.data)} data bytes"
    return None


def checksum(length_and_body: bytes) -> int:
    return reduce(lambda a, b: a ^ b, length_and_body, 0)


def encode_frame(body: bytes) -> bytes:
    length = len(body) + 1
    if length > MAX_LEN:
        raise FrameError(f"body of {len(body)} bytes is longer than GA 467 allows")
    head = length.to_bytes(2, "big") + body
    return PREAMBLE + head + bytes([checksum(head)])


def encode_request(command: Command, data: bytes = b"") -> bytes:
    cmd, para = command.value
    return encode_frame(bytes([cmd, para]) + data)


def encode_response(sw3: int, data: bytes = b"") -> bytes:
    return encode_frame(bytes([0x00, 0x00, sw3]) + data)


def decode_response_body(body: bytes) -> Response:
    if len(body) < 3:
        raise FrameError(f"response body of {len(body)} bytes has no SW1 SW2 SW3")
    return Response(body[0], body[1], body[2], bytes(body[3:]))


def decode_request_body(body: bytes) -> tuple[Command | None, int, int, bytes]:
    if len(body) < 2:
        raise FrameError(f"request body of {len(body)} bytes has no CMD PARA")
    for command in Command:
        if command.value == (body[0], body[1]):
            return command, body[0], body[1], bytes(body[2:])
    return None, body[0], body[1], bytes(body[2:])


class FrameDecoder:
    """Incremental decoder: feed bytes as they arrive (real readers stream the 1295-byte answer in
    pieces), take whole frame bodies out. Garbage before a preamble is skipped and counted; a frame with
    a bad length or checksum raises :class:`FrameError` once and the decoder resynchronises after it."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self.skipped = 0

    def feed(self, data: bytes) -> None:
        self._buf += data

    def pending(self) -> int:
        return len(self._buf)

    def reset(self) -> None:
        self._buf.clear()

    def next_body(self) -> bytes | None:
        """The next complete, checked frame body, or None when more bytes are needed."""
        start = self._buf.find(PREAMBLE)
        if start < 0:
            # keep a tail that may be the start of a preamble split across reads
            keep = next((k for k in range(len(PREAMBLE) - 1, 0, -1)
                         if self._buf.endswith(PREAMBLE[:k])), 0)
            self.skipped += len(self._buf) - keep
            del self._buf[:len(self._buf) - keep]
            return None
        if start:
            self.skipped += start
            del self._buf[:start]
        if len(self._buf) < HEADER_LEN:
            return None
        length = int.from_bytes(self._buf[5:7], "big")
        if length < 2 or length > MAX_LEN:
            del self._buf[:len(PREAMBLE)]       # resynchronise on the next preamble
            raise FrameError(f"frame length {length} is outside 2..{MAX_LEN}")
        total = HEADER_LEN + length
        if len(self._buf) < total:
            return None
        frame = bytes(self._buf[:total])
        del self._buf[:total]
        if checksum(frame[5:-1]) != frame[-1]:
            raise FrameError(f"checksum 0x{frame[-1]:02X} does not match 0x{checksum(frame[5:-1]):02X}")
        return frame[HEADER_LEN:-1]
