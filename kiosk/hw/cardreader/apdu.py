"""The one seam between the card application and a reader, with T=0 details handled here.

``61xx`` is answered with GET RESPONSE and ``6Cxx`` by resending with the right Le (protocols.md §1.4), so
the card application above sees one response per command. Every status word of protocols.md §1.6 maps to
a typed :class:`CardStatusError` that carries a citizen-facing message.
"""
from __future__ import annotations

from typing import Protocol

from kiosk.hw.base import Action, DeviceError


class CardConnection(Protocol):
    """What a reader gives the card application (shaped after pyscard's CardConnection)."""

    def transmit(self, apdu: bytes) -> tuple[bytes, int, int]: ...
    def atr(self) -> bytes: ...
    def disconnect(self) -> None: ...


# SW → (technician text, zh, en, who acts). Citizen texts say what to do next.
_CARD_PROBLEM = ("社保卡无法读取，请到窗口办理", "The card cannot be read; please go to a counter")
STATUS_WORDS: dict[int, tuple[str, str, str, Action]] = {
    0x6281: ("returned data may be corrupt", *_CARD_PROBLEM, Action.RETRY),
    0x6282: ("file shorter than Le", *_CARD_PROBLEM, Action.RETRY),
    0x6283: ("selected file invalidated", "社保卡应用已失效，请到窗口办理",
             "The card application is disabled; please go to a counter", Action.CLEAR),
    0x6284: ("FCI not formatted as asked", *_CARD_PROBLEM, Action.RETRY),
    0x6300: ("authentication failed", "卡片认证失败", "Card authentication failed", Action.RETRY),
    0x6581: ("EEPROM damaged, card locked", "社保卡已损坏，请到窗口补换卡",
             "The card is damaged; please replace it at a counter", Action.CLEAR),
    0x6700: ("wrong Lc/Le", *_CARD_PROBLEM, Action.RETRY),
    0x6901: ("command not accepted in this state", *_CARD_PROBLEM, Action.RETRY),
    0x6981: ("command incompatible with file structure", *_CARD_PROBLEM, Action.RETRY),
    0x6982: ("security status not satisfied", "卡片安全条件不满足", "Card security condition not met", Action.RETRY),
    0x6983: ("authentication method blocked", "社保卡密码已锁定，请持身份证和社保卡办理密码解锁",
             "The card PIN is locked; unlock it with your ID card and social security card", Action.CLEAR),
    0x6984: ("referenced data invalid", *_CARD_PROBLEM, Action.RETRY),
    0x6985: ("conditions of use not satisfied", *_CARD_PROBLEM, Action.RETRY),
    0x6986: ("no current file selected", *_CARD_PROBLEM, Action.RETRY),
    0x6988: ("secure-messaging data object wrong", *_CARD_PROBLEM, Action.RETRY),
    0x6A80: ("wrong data field", *_CARD_PROBLEM, Action.RETRY),
    0x6A81: ("function not supported / application locked", "社保卡应用已锁定，请到窗口办理",
             "The card application is locked; please go to a counter", Action.CLEAR),
    0x6A82: ("file not found", "这不是社保卡，请插入社会保障卡",
             "This is not a social security card; please insert your social security card", Action.RETRY),
    0x6A83: ("record not found", *_CARD_PROBLEM, Action.RETRY),
    0x6A84: ("record space full", *_CARD_PROBLEM, Action.CLEAR),
    0x6A85: ("Lc inconsistent with TLV", *_CARD_PROBLEM, Action.RETRY),
    0x6A86: ("wrong P1-P2", *_CARD_PROBLEM, Action.RETRY),
    0x6A88: ("referenced key not found", *_CARD_PROBLEM, Action.RETRY),
    0x6B00: ("wrong parameters", *_CARD_PROBLEM, Action.RETRY),
    0x6D00: ("INS not supported", *_CARD_PROBLEM, Action.RETRY),
    0x6E00: ("CLA not supported", *_CARD_PROBLEM, Action.RETRY),
    0x6F00: ("data invalid", *_CARD_PROBLEM, Action.RETRY),
    0x9302: ("MAC invalid", *_CARD_PROBLEM, Action.RETRY),
    0x9303: ("application permanently locked", "社保卡应用已永久锁定，请到窗口补换卡",
             "The card application is permanently locked; please replace the card at a counter", Action.CLEAR),
    0x9401: ("insufficient funds", *_CARD_PROBLEM, Action.RETRY),
    0x9402: ("counter at maximum", *_CARD_PROBLEM, Action.RETRY),
    0x9403: ("key index not supported", *_CARD_PROBLEM, Action.RETRY),
    0x9406: ("MAC not available", *_CARD_PROBLEM, Action.RETRY),
}


def meaning(sw: int) -> tuple[str, str, str, Action]:
    """(technician text, zh, en, who acts) for a status word; 63Cx is a wrong PIN with x tries left."""
    if sw & 0xFFF0 == 0x63C0:
        tries = sw & 0x0F
        if tries == 0:     # the last try failed: the card answers 6983 from now on
            return ("wrong PIN, 0 tries left", "密码错误，社保卡密码已锁定，请持身份证和社保卡办理密码解锁",
                    "Wrong PIN; the card PIN is now locked: unlock it with your ID card and social security card",
                    Action.CLEAR)
        return (f"wrong PIN, {tries} tries left", f"密码错误，还可以再试{tries}次", f"Wrong PIN; {tries} tries left",
                Action.RETRY)
    return STATUS_WORDS.get(sw, ("unknown status word", *_CARD_PROBLEM, Action.RETRY))


class CardStatusError(DeviceError):
    def __init__(self, command: str, sw: int):
        detail, zh, en, action = meaning(sw)
        super().__init__(f"{command}: SW {sw:04X} {detail}", zh=zh, en=en, vendor_code=f"SW={sw:04X}",
                         action=action)
        self.sw = sw


class CardAnswerMismatch(CardStatusError):
    """The card's answer does not fit the command asked: longer than its Le, a GET RESPONSE answer not of the
    length the card announced, or not the length the item has. Never taken as the answer."""

    def __init__(self, command: str, detail: str):
        super().__init__(command, 0x6F00)
        self.detail = f"{command}: {detail}"
        self.vendor_code = "ANSWER_MISMATCH"
        self.zh = "社保卡应答异常，请取出社保卡后重新插入；仍不行请到窗口办理"
        self.en = "The card answered out of order; please take it out and insert it again, or go to a counter"


class PinWrong(CardStatusError):
    """63Cx: the PIN did not match; ``tries_left`` more attempts before the PIN locks."""

    def __init__(self, command: str, sw: int):
        super().__init__(command, sw)     # texts from meaning(): plain, with the tries left
        self.tries_left = sw & 0x0F


class PinBlocked(CardStatusError):
    """6983: the PIN is blocked after too many wrong entries."""


def error_for(command: str, sw: int) -> CardStatusError:
    if sw & 0xFFF0 == 0x63C0:
        return PinWrong(command, sw)
    if sw == 0x6983:
        return PinBlocked(command, sw)
    return CardStatusError(command, sw)


def with_le(apdu: bytes | bytearray, le: int) -> bytes:
    """The same command with its Le set to ``le`` (added when the command had none)."""
    apdu = bytes(apdu)
    if len(apdu) <= 4:
        return apdu[:4] + bytes([le])
    if len(apdu) == 5:                                  # case 2: CLA INS P1 P2 Le
        return apdu[:4] + bytes([le])
    lc = apdu[4]
    body = apdu[:5 + lc]                                # case 3 or 4: drop any old Le
    return body + bytes([le])


def asked_le(apdu: bytes) -> int | None:
    """How many answer bytes the command asks for at most (its Le; 00 is 256), None when it has no Le."""
    if len(apdu) == 5:                                  # case 2
        return apdu[4] or 256
    if len(apdu) > 5 and len(apdu) == 6 + apdu[4]:      # case 4
        return apdu[-1] or 256
    return None


class ApduChannel:
    """Sends command APDUs through a :class:`CardConnection`, hiding GET RESPONSE and Le retries."""

    MAX_CHAINED = 16   # bound on GET RESPONSE rounds so a misbehaving card cannot loop us forever

    def __init__(self, connection: CardConnection):
        self.connection = connection

    def send(self, apdu: bytes | bytearray, name: str, length: int | None = None) -> bytes:
        """Send one command; return its data on 9000, else raise the typed status error. An answer longer
        than the command's Le, a GET RESPONSE answer not of the length the card announced, or (with
        ``length``) an answer not of that exact length raises :class:`CardAnswerMismatch`."""
        asked = asked_le(bytes(apdu))
        data, sw1, sw2 = self.connection.transmit(bytes(apdu))
        if sw1 == 0x6C:                               # wrong Le: resend with the length the card wants
            asked = sw2 or 256
            data, sw1, sw2 = self.connection.transmit(with_le(apdu, sw2))
        out = bytearray(data)
        rounds = 0
        while sw1 == 0x61:                            # more data waiting: GET RESPONSE
            rounds += 1
            if rounds > self.MAX_CHAINED:
                raise CardStatusError(name + " (GET RESPONSE loop)", 0x6F00)
            announced = sw2 or 256
            data, sw1, sw2 = self.connection.transmit(bytes([0x00, 0xC0, 0x00, 0x00, sw2]))
            # T=0: 61xx says exactly xx bytes wait; fewer are allowed only when the card says more follow
            if len(data) > announced or (len(data) < announced and (sw1, sw2) == (0x90, 0x00)):
                raise CardAnswerMismatch(name, f"GET RESPONSE answered {len(data)} bytes, {announced} announced")
            out += data
        sw = (sw1 << 8) | sw2
        if sw != 0x9000:
            raise error_for(name, sw)
        if asked is not None and len(out) > asked:
            raise CardAnswerMismatch(name, f"answer of {len(out)} bytes to a command asking at most {asked}")
        if length is not None and len(out) != length:
            raise CardAnswerMismatch(name, f"answer of {len(out)} bytes, expected {length}")
        return bytes(out)
