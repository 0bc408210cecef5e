"""A card operating system model of a social security card, strict the way a T=0 COS is.

It answers raw command APDUs with raw response APDUs (data‖SW1‖SW2), so the same model sits behind pcscd
through the vpcd bridge or directly behind the in-process reader. It does what a card does, not what a
driver hopes: a SELECT's FCI comes back as 61xx and must be fetched with GET RESPONSE, a wrong Le gets 6Cxx,
reads need the application selected, and the PIN try counter blocks at zero with 6983.
"""
from __future__ import annotations

import datetime as dt
import os
import threading
from dataclasses import dataclass, field

from kiosk.hw.cardreader.ssse import SSSE_AID, SFI_EF05, SFI_EF06

SW_OK = b"\x90\x00"
MF_FID = b"\x3F\x00"
PIN_TRIES = 6     # domain.md: 6 consecutive wrong entries lock the PIN


def _sw(value: int) -> bytes:
    return value.to_bytes(2, "big")


def bcd_digits(text: str, size: int) -> bytes:
    return bytes.fromhex(text.ljust(size * 2, "F"))


def tlv(tag: int, value: bytes) -> bytes:
    return bytes([tag, len(value)]) + value


@dataclass
class CardProfile:
    """Everything personalised onto one card (what a card factory writes)."""
    card_id_code: str          # 16 cn digits-ish, e.g. "610100D156000005..."
    card_number: str           # 9 ASCII
    ssn: str                   # 18 ASCII = ID number
    name: str
    gender: str                # '1'/'2'
    nation: str                # 2 digits
    birthplace: str            # 6-digit region code
    birth_date: dt.date
    issue_date: dt.date
    expiry_date: dt.date
    pin: str                   # initial or current PIN digits, the card's secret
    pin_tries_left: int = PIN_TRIES
    spec_version: str = "3.00"
    card_type: str = "1"
    init_org: str = "610100000000"
    algorithm: int = 0x03      # SM4
    atr: bytes = field(default=bytes.fromhex("3B6C00000A0B0C0D0E0F0102030405060708"))

    def records(self) -> dict[int, dict[int, bytes]]:
        name = self.name.encode("gbk")
        ef06 = {0x08: self.ssn.encode("ascii"), 0x09: name[:30].ljust(30, b"\x00"),
                0x0A: self.gender.encode("ascii"), 0x0B: bcd_digits(self.nation, 1),
                0x0C: bcd_digits(self.birthplace, 3), 0x0D: bcd_digits(self.birth_date.strftime("%Y%m%d"), 4)}
        if len(name) > 30:                       # name extension only when the name needs it
            ef06[0x4E] = name[30:50].ljust(20, b"\x00")
        ef05 = {0x01: bcd_digits(self.card_id_code, 16)[:16], 0x02: self.card_type.encode("ascii"),
                0x03: self.spec_version.encode("ascii"), 0x04: bcd_digits(self.init_org, 12)[:12],
                0x05: bcd_digits(self.issue_date.strftime("%Y%m%d"), 4),
                0x06: bcd_digits(self.expiry_date.strftime("%Y%m%d"), 4),
                0x07: self.card_number.encode("ascii")}
        return {SFI_EF05: ef05, SFI_EF06: ef06}


class VirtualCard:
    """One card: feed it command APDUs with :meth:`process`. Thread-safe."""

    def __init__(self, profile: CardProfile):
        self.profile = profile
        self._records = profile.records()
        self._lock = threading.Lock()
        self.apdus_seen = 0
        self.reset()

    # -- power -------------------------------------------------------------------------------
    def reset(self) -> bytes:
        self._selected_app = False
        self._current_ef: int | None = None
        self._pending = b""          # response data waiting for GET RESPONSE
        self._pin_verified = False
        return self.profile.atr

    @property
    def atr(self) -> bytes:
        return self.profile.atr

    # -- commands ----------------------------------------------------------------------------
    def process(self, apdu: bytes) -> bytes:
        with self._lock:
            self.apdus_seen += 1
            if len(apdu) < 4:
                return _sw(0x6700)
            cla, ins, p1, p2 = apdu[:4]
            body = apdu[4:]
            if ins == 0xC0 and cla == 0x00:
                return self._get_response(body)
            self._pending = b""
            handler = {(0x00, 0xA4): self._select, (0x00, 0xB2): self._read_record,
                       (0x00, 0x20): self._verify, (0x80, 0x5E): self._change_pin,
                       (0x00, 0x84): self._get_challenge}.get((cla, ins))
            if handler is None:
                return _sw(0x6E00) if cla not in (0x00, 0x80, 0x84) else _sw(0x6D00)
            return handler(p1, p2, body)

    def _get_response(self, body: bytes) -> bytes:
        if not self._pending or len(body) != 1:
            return _sw(0x6985)
        le = body[0] or 256
        if le != len(self._pending):
            return _sw(0x6C00 | len(self._pending))
        out, self._pending = self._pending, b""
        return out + SW_OK

    @staticmethod
    def _lc_data(body: bytes) -> bytes | None:
        if not body or len(body) < 1 + body[0]:
            return None
        return body[1:1 + body[0]]

    def _select(self, p1: int, p2: int, body: bytes) -> bytes:
        data = self._lc_data(body)
        if data is None:
            return _sw(0x6700)
        if p1 == 0x04:                               # by AID
            if data != SSSE_AID:
                return _sw(0x6A82)
            self._selected_app, self._current_ef, self._pin_verified = True, None, False
            name = tlv(0x84, SSSE_AID)
            prop = tlv(0xA5, bytes.fromhex("9F0C03") + bytes([0x86, 0x01, self.profile.algorithm]))
            fci = tlv(0x6F, name + prop)
            self._pending = fci
            return _sw(0x6100 | len(fci))            # T=0: the FCI must be fetched with GET RESPONSE
        if p1 in (0x00, 0x02) and len(data) == 2:    # by file id
            if data == MF_FID:
                self._selected_app, self._current_ef = False, None
                return SW_OK
            if not self._selected_app:
                return _sw(0x6A82)
            fid = int.from_bytes(data, "big")
            sfi = {0xEF05: SFI_EF05, 0xEF06: SFI_EF06}.get(fid)
            if sfi is None:
                return _sw(0x6A82)
            self._current_ef = sfi
            return SW_OK
        return _sw(0x6A86)

    def _read_record(self, p1: int, p2: int, body: bytes) -> bytes:
        if len(body) != 1:
            return _sw(0x6700)
        if not self._selected_app:
            return _sw(0x6986)
        sfi = p2 >> 3
        if p2 & 0x07 not in (0x00, 0x04):
            return _sw(0x6A86)
        if sfi == 0:
            if self._current_ef is None:
                return _sw(0x6986)
            sfi = self._current_ef
        records = self._records.get(sfi)
        if records is None:
            return _sw(0x6A82)
        if p2 & 0x07 == 0x00:                        # P1 is the record identifier (tag)
            value = records.get(p1)
        else:                                        # P1 is a record number, in file order
            ordered = list(records.values())
            value = ordered[p1 - 1] if 1 <= p1 <= len(ordered) else None
            p1 = list(records.keys())[p1 - 1] if value is not None else p1
        if value is None:
            return _sw(0x6A83)
        record = tlv(p1, value)
        le = body[0] or 256
        if le != len(record):
            return _sw(0x6C00 | len(record))
        return record + SW_OK

    def _pin_matches(self, digits: bytes) -> bool:
        return digits == bcd_digits(self.profile.pin, (len(self.profile.pin) + 1) // 2)

    def _count_failure(self) -> bytes:
        self.profile.pin_tries_left = max(0, self.profile.pin_tries_left - 1)
        if self.profile.pin_tries_left == 0:
            return _sw(0x6983)
        return _sw(0x63C0 | self.profile.pin_tries_left)

    def _verify(self, p1: int, p2: int, body: bytes) -> bytes:
        if not self._selected_app:
            return _sw(0x6985)
        if p1 != 0x00 or p2 != 0x00:
            return _sw(0x6A86)
        if self.profile.pin_tries_left == 0:
            return _sw(0x6983)
        if len(body) == 0:                           # ISO 7816-4: VERIFY without data asks the counter
            return _sw(0x63C0 | self.profile.pin_tries_left)
        data = self._lc_data(body)
        if data is None or not 2 <= len(data) <= 8:
            return _sw(0x6700)
        if not self._pin_matches(data):
            self._pin_verified = False
            return self._count_failure()
        self.profile.pin_tries_left = PIN_TRIES
        self._pin_verified = True
        return SW_OK

    def _change_pin(self, p1: int, p2: int, body: bytes) -> bytes:
        if not self._selected_app:
            return _sw(0x6985)
        if p1 != 0x01 or p2 != 0x00:
            return _sw(0x6A86)
        data = self._lc_data(body)
        if data is None or b"\xFF" not in data:
            return _sw(0x6A80)
        if self.profile.pin_tries_left == 0:
            return _sw(0x6983)
        split = data.index(b"\xFF")
        old, new = data[:split], data[split + 1:]
        if not 2 <= len(new) <= 8 or any(((b >> 4) > 9) or ((b & 0xF) > 9 and (b & 0xF) != 0xF) for b in new):
            return _sw(0x6A80)
        if not self._pin_matches(old):
            return self._count_failure()
        self.profile.pin = new.hex().upper().rstrip("F")
        self.profile.pin_tries_left = PIN_TRIES
        return SW_OK

    def _get_challenge(self, p1: int, p2: int, body: bytes) -> bytes:
        if len(body) != 1 or body[0] not in (4, 8, 16):
            return _sw(0x6700)
        return os.urandom(body[0]) + SW_OK
