"""Pure codec of the Creator CRT-591 card-issuing module protocol (hardware.md §1.2-1.7).

Command:  F2 ADDR LENH LENL 'C' CM PM DATA 03 BCC
Positive: F2 ADDR LENH LENL 'P' CM PM st0 st1 st2 DATA 03 BCC
Negative: F2 ADDR LENH LENL EMT CM PM e1 e0 DATA 03 BCC     (EMT 'N' 0x4E or 'E' 0x45: both are seen)
LEN counts from the header byte through DATA; BCC is the XOR of every byte from STX through ETX.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import reduce

from kiosk.hw.base import Action

STX, ETX, ACK, NAK, EOT = 0xF2, 0x03, 0x06, 0x15, 0x04
CMT, PMT = 0x43, 0x50
EMTS = (0x4E, 0x45)
MAX_TEXT = 1024 - 6


class Command(enum.Enum):
    INIT_TO_GATE = (0x30, 0x30)
    INIT_CAPTURE = (0x30, 0x31)
    INIT_NO_MOVE = (0x30, 0x33)
    INIT_TO_GATE_COUNT = (0x30, 0x34)
    INIT_CAPTURE_COUNT = (0x30, 0x35)
    INIT_NO_MOVE_COUNT = (0x30, 0x37)
    STATUS = (0x31, 0x30)
    SENSOR_STATUS = (0x31, 0x31)
    MOVE_TO_GATE = (0x32, 0x30)          # card-holding position at the gate
    MOVE_TO_IC = (0x32, 0x31)            # dispenses from the hopper when no card is inside
    MOVE_TO_RF = (0x32, 0x32)
    CAPTURE = (0x32, 0x33)               # to the reject ("error card") bin
    EJECT = (0x32, 0x39)                 # out of the gate
    GATE_ENTRY_ENABLE = (0x33, 0x30)
    GATE_ENTRY_DISABLE = (0x33, 0x31)
    CARD_TYPE = (0x50, 0x30)
    CPU_COLD_RESET = (0x51, 0x30)
    CPU_POWER_OFF = (0x51, 0x31)
    CPU_STATUS = (0x51, 0x32)
    CPU_APDU_T0 = (0x51, 0x33)
    CPU_APDU_T1 = (0x51, 0x34)
    CPU_WARM_RESET = (0x51, 0x38)
    CPU_APDU = (0x51, 0x39)
    SAM_COLD_RESET = (0x52, 0x30)
    SAM_POWER_OFF = (0x52, 0x31)
    SAM_STATUS = (0x52, 0x32)
    SAM_APDU_T0 = (0x52, 0x33)
    SAM_APDU_T1 = (0x52, 0x34)
    SAM_WARM_RESET = (0x52, 0x38)
    SAM_APDU = (0x52, 0x39)
    SAM_SELECT = (0x52, 0x40)
    RF_ACTIVATE = (0x60, 0x30)
    RF_POWER_DOWN = (0x60, 0x31)
    RF_STATUS = (0x60, 0x32)
    RF_TYPE_A_APDU = (0x60, 0x34)
    RF_TYPE_B_APDU = (0x60, 0x35)
    READ_SERIAL = (0xA2, 0x30)
    READ_CONFIG = (0xA3, 0x30)
    READ_VERSION = (0xA4, 0x30)
    READ_BIN_COUNTER = (0xA5, 0x30)
    SET_BIN_COUNTER = (0xA5, 0x31)
    RESET_PCSC_READER = (0xA6, 0x30)

    @classmethod
    def of(cls, cm: int, pm: int) -> "Command | None":
        for command in cls:
            if command.value == (cm, pm):
                return command
        return None


class CardPosition(enum.Enum):       # st0
    NONE = "none"
    GATE = "gate"
    INSIDE = "ic"                     # at the RF/IC position; which one the host knows from its last move


class Hopper(enum.Enum):             # st1
    EMPTY = "empty"
    LOW = "low"
    OK = "ok"


class RejectBin(enum.Enum):          # st2
    OK = "ok"
    FULL = "full"


ST0 = {0x30: CardPosition.NONE, 0x31: CardPosition.GATE, 0x32: CardPosition.INSIDE}
ST1 = {0x30: Hopper.EMPTY, 0x31: Hopper.LOW, 0x32: Hopper.OK}
ST2 = {0x30: RejectBin.OK, 0x31: RejectBin.FULL}

# e1e0 → (technician text, citizen zh, citizen en, who acts); hardware.md §1.6
ERRORS: dict[str, tuple[str, str, str, Action]] = {
    "00": ("undefined command", "制卡模块通信错误", "Card module communication error", Action.RESET),
    "01": ("command parameter error", "制卡模块通信错误", "Card module communication error", Action.RESET),
    "02": ("command sequence error", "制卡模块操作顺序错误", "Card module sequence error", Action.RESET),
    "03": ("command not supported by hardware", "制卡模块不支持此操作", "The card module cannot do this",
           Action.CONFIGURATION),
    "04": ("command data error", "制卡模块通信错误", "Card module communication error", Action.RESET),
    "05": ("IC contact not released", "制卡模块故障，请联系工作人员", "Card module fault; please call staff",
           Action.MAINTENANCE),
    "10": ("card jam", "卡片卡住，请联系工作人员", "A card is jammed; please call staff", Action.CLEAR),
    "12": ("sensor error", "制卡模块故障，请联系工作人员", "Card module fault; please call staff", Action.MAINTENANCE),
    "13": ("card too long", "卡片规格不符，请联系工作人员", "Wrong card size; please call staff", Action.CLEAR),
    "14": ("card too short", "卡片规格不符，请联系工作人员", "Wrong card size; please call staff", Action.CLEAR),
    "40": ("capture failed", "回收卡片失败，请联系工作人员", "The card could not be captured; please call staff",
           Action.CLEAR),
    "41": ("IC card magnet error", "制卡模块故障，请联系工作人员", "Card module fault; please call staff",
           Action.MAINTENANCE),
    "43": ("cannot move card to IC position", "卡片无法到达读写位置，请联系工作人员",
           "The card cannot reach the chip position; please call staff", Action.CLEAR),
    "45": ("card moved manually", "请勿拉动卡片", "Please do not pull the card", Action.RETRY),
    "50": ("reject counter overflow", "回收箱计数溢出，请联系工作人员", "Reject bin counter overflow; please call staff",
           Action.CLEAR),
    "51": ("motor error", "制卡模块电机故障，请联系工作人员", "Card module motor fault; please call staff",
           Action.MAINTENANCE),
    "60": ("IC supply short circuit", "卡片芯片故障", "Card chip fault", Action.CLEAR),
    "61": ("card activation failure", "卡片芯片无法启动", "The card chip does not start", Action.CLEAR),
    "62": ("command not supported by the card", "卡片不支持此操作", "The card does not support this", Action.CLEAR),
    "63": ("no answer within WWT", "卡片芯片无响应", "The card chip does not answer", Action.CLEAR),
    "64": ("card protocol error", "卡片芯片通信错误", "Card chip communication error", Action.CLEAR),
    "65": ("IC card not activated", "卡片芯片未启动", "The card chip is not started", Action.RESET),
    "66": ("command not supported by current card", "卡片不支持此操作", "The card does not support this",
           Action.CLEAR),
    "67": ("IC transmission error", "卡片芯片通信错误", "Card chip communication error", Action.RETRY),
    "68": ("IC transmission timeout", "卡片芯片通信超时", "Card chip timeout", Action.RETRY),
    "69": ("card not EMV compliant", "卡片不符合规范", "The card is not compliant", Action.CLEAR),
    "A0": ("stacker empty", "空白卡已用完，暂停制卡，请联系工作人员补卡", "No blank cards left; please call staff",
           Action.CLEAR),
    "A1": ("reject bin full", "回收箱已满，暂停制卡，请联系工作人员", "The reject bin is full; please call staff",
           Action.CLEAR),
    "B0": ("not initialised", "制卡模块未初始化", "The card module is not initialised", Action.RESET),
}


class FrameError(ValueError):
    pass


def bcc(data: bytes) -> int:
    return reduce(lambda a, b: a ^ b, data, 0)


def _frame(addr: int, text: bytes) -> bytes:
    if not 0 <= addr <= 0x0F:
        raise FrameError(f"address {addr} is outside 0-15")
    if len(text) > MAX_TEXT:
        raise FrameError(f"text of {len(text)} bytes is longer than a frame allows")
    body = bytes([STX, addr]) + len(text).to_bytes(2, "big") + text + bytes([ETX])
    return body + bytes([bcc(body)])


def encode_command(command: Command, data: bytes = b"", addr: int = 0) -> bytes:
    cm, pm = command.value
    return _frame(addr, bytes([CMT, cm, pm]) + data)


def encode_positive(cm: int, pm: int, status: bytes, data: bytes = b"", addr: int = 0) -> bytes:
    return _frame(addr, bytes([PMT, cm, pm]) + status + data)


def encode_negative(cm: int, pm: int, error: str, data: bytes = b"", addr: int = 0, emt: int = 0x4E) -> bytes:
    return _frame(addr, bytes([emt, cm, pm]) + error.encode("ascii") + data)


@dataclass(frozen=True)
class Status:
    position: CardPosition
    hopper: Hopper
    reject_bin: RejectBin


@dataclass(frozen=True)
class Reply:
    addr: int
    cm: int
    pm: int
    ok: bool
    status: Status | None      # positive replies
    error: str | None          # negative replies: e1e0 as two characters
    data: bytes

    @property
    def meaning(self) -> tuple[str, str, str, Action]:
        return ERRORS.get(self.error or "", (f"error {self.error}", "制卡模块故障，请联系工作人员",
                                             "Card module fault; please call staff", Action.MAINTENANCE))


@dataclass(frozen=True)
class Request:
    addr: int
    command: Command | None
    cm: int
    pm: int
    data: bytes


def parse_status(raw: bytes) -> Status:
    try:
        return Status(ST0[raw[0]], ST1[raw[1]], ST2[raw[2]])
    except (KeyError, IndexError):
        raise FrameError(f"status bytes {raw[:3].hex()} are not st0 st1 st2") from None


def decode_text(frame: bytes) -> tuple[int, bytes]:
    """(address, text) of a whole checked frame."""
    if len(frame) < 7 or frame[0] != STX:
        raise FrameError("not a frame")
    length = int.from_bytes(frame[2:4], "big")
    if len(frame) != length + 6 or frame[-2] != ETX:
        raise FrameError(f"frame of {len(frame)} bytes does not match LEN {length}")
    if bcc(frame[:-1]) != frame[-1]:
        raise FrameError(f"BCC {frame[-1]:02X} does not match {bcc(frame[:-1]):02X}")
    return frame[1], frame[4:-2]


def decode_reply(frame: bytes) -> Reply:
    addr, text = decode_text(frame)
    if len(text) < 3:
        raise FrameError("reply text too short")
    head, cm, pm = text[0], text[1], text[2]
    if head == PMT:
        if len(text) < 6:
            raise FrameError("positive reply without st0 st1 st2")
        return Reply(addr, cm, pm, True, parse_status(text[3:6]), None, bytes(text[6:]))
    if head in EMTS:
        if len(text) < 5:
            raise FrameError("negative reply without e1 e0")
        error = text[3:5].decode("ascii", errors="replace")
        return Reply(addr, cm, pm, False, None, error, bytes(text[5:]))
    raise FrameError(f"reply header {head:02X} is neither P nor N/E")


def decode_request(frame: bytes) -> Request:
    addr, text = decode_text(frame)
    if len(text) < 3 or text[0] != CMT:
        raise FrameError("not a command frame")
    return Request(addr, Command.of(text[1], text[2]), text[1], text[2], bytes(text[3:]))


class FrameDecoder:
    """Incremental: single control bytes (ACK, NAK, EOT) and whole frames, in arrival order."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self.skipped = 0

    def feed(self, data: bytes) -> None:
        self._buf += data

    def next(self) -> int | bytes | None:
        """A control byte (int), a whole frame (bytes, BCC not yet checked), or None."""
        while self._buf:
            first = self._buf[0]
            if first in (ACK, NAK, EOT):
                del self._buf[0]
                return first
            if first != STX:
                del self._buf[0]
                self.skipped += 1
                continue
            if len(self._buf) < 4:
                return None
            length = int.from_bytes(self._buf[2:4], "big")
            if length > MAX_TEXT:
                del self._buf[0]              # not a real frame start: resynchronise
                self.skipped += 1
                continue
            total = length + 6
            if len(self._buf) < total:
                return None
            frame = bytes(self._buf[:total])
            del self._buf[:total]
            return frame
        return None
