"""A card operating system model of a social security card, as strict as a T=0 COS.

It answers raw command APDUs with raw responses (data‖SW1‖SW2), so the same model sits behind pcscd
through the vpcd bridge or directly behind the in-process reader. It does what a card does, not what a
driver hopes: a SELECT's FCI and an INTERNAL AUTHENTICATE's answer come back as 61xx and must be fetched
with GET RESPONSE; a wrong Le gets 6Cxx; reads need the application selected; a 3rd-generation card shows
the holder's data (EF06) only after EXTERNAL AUTHENTICATE with key 0A; UPDATE RECORD needs key 04; the PIN
try counter blocks at zero with 6983; RELOAD and UNBLOCK check their MACs against a fresh challenge.
Keys and MACs follow kiosk/security/rules.py. The PIN itself is kept only as a salted hash.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import threading
from dataclasses import dataclass, field

from kiosk.hw.cardreader.ssse import SFI_EF05, SFI_EF06, SSSE_AID
from kiosk.security import ciphers
from kiosk.security.rules import KEY_IDS, CardIdentity, KeyRule

SW_OK = b"\x90\x00"
MF_FID = b"\x3F\x00"
PIN_TRIES = 6     # domain.md: 6 consecutive wrong entries lock the PIN
ALGORITHM_CODES = {0x01: ciphers.TDES, 0x03: ciphers.SM4}
FAULTS = ("mute", "remove_mid_command", "reject_mac",
          "garbled_write",   # the next UPDATE RECORD answers 9000 but stores its value's last byte changed
          "stale_answer")    # the next READ RECORD is answered with the previous command's answer


class CardFault(Exception):
    """Raised by the model to its transport: the card falls silent or leaves the reader mid-command."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


def _sw(value: int) -> bytes:
    return value.to_bytes(2, "big")


def bcd_digits(text: str, size: int) -> bytes:
    return bytes.fromhex(text.ljust(size * 2, "F"))


def tlv(tag: int, value: bytes) -> bytes:
    return bytes([tag, len(value)]) + value


@dataclass
class CardProfile:
    """Everything a card factory personalises onto one card."""
    card_id_code: str          # up to 32 hex digits (cn, F-padded), the first 6 the region code
    card_number: str           # 9 ASCII
    ssn: str                   # 18 ASCII = ID number
    name: str
    gender: str                # '1'/'2'
    nation: str                # 2 digits
    birthplace: str            # 6-digit region code
    birth_date: dt.date
    issue_date: dt.date
    expiry_date: dt.date
    pin: str                   # the PIN set at personalisation; the card keeps only its hash
    pin_tries_left: int = PIN_TRIES
    spec_version: str = "3.00"
    card_type: str = "1"
    init_org: str = "610100000000"
    algorithm: int = 0x03      # 9F0C: 01 3DES, 03 SM4
    atr: bytes = field(default=bytes.fromhex("3B6C00000A0B0C0D0E0F0102030405060708"))

    def records(self) -> dict[int, dict[int, bytes]]:
        name = self.name.encode("gb18030")   # GBK, and GB18030 four-byte forms for rare characters
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

    def identity(self) -> CardIdentity:
        return CardIdentity(bcd_digits(self.card_id_code, 16)[:16], self.card_id_code[:6],
                            ALGORITHM_CODES[self.algorithm])


def _pin_hash(salt: bytes, bcd: bytes) -> str:
    return hashlib.sha256(salt + bcd).hexdigest()


class VirtualCard:
    """One card: feed it command APDUs with :meth:`process`. Thread-safe. ``path`` makes it persistent."""

    def __init__(self, profile: CardProfile, keys: dict[str, bytes], path: str | None = None):
        self.atr = profile.atr
        self.spec_version = profile.spec_version
        self.algorithm = ALGORITHM_CODES[profile.algorithm]
        self.algorithm_code = profile.algorithm
        self.records = profile.records()
        self.keys = dict(keys)
        self.salt = os.urandom(8)
        self.pin_hash = _pin_hash(self.salt, self._bcd(profile.pin))
        self.pin_tries_left = profile.pin_tries_left
        self.path = path
        self.holder = profile.name
        self._lock = threading.Lock()
        self._faults: list[str] = []
        self.apdus_seen = 0
        self.reset()
        self._save()

    # -- persistence --------------------------------------------------------------------------------
    def _state(self) -> dict:
        return {"atr": self.atr.hex(), "spec_version": self.spec_version, "algorithm": self.algorithm_code,
                "records": {str(sfi): {str(t): v.hex() for t, v in recs.items()} for sfi, recs in self.records.items()},
                "keys": {p: k.hex() for p, k in self.keys.items()}, "salt": self.salt.hex(),
                "pin_hash": self.pin_hash, "pin_tries_left": self.pin_tries_left, "holder": self.holder}

    def _save(self) -> None:
        if self.path:
            tmp = self.path + ".tmp"
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(self._state(), fh)
            os.replace(tmp, self.path)       # a crash mid-write leaves the previous state, as EEPROM would

    @classmethod
    def load(cls, path: str) -> "VirtualCard":
        with open(path, encoding="utf-8") as fh:
            state = json.load(fh)
        card = cls.__new__(cls)
        card.atr = bytes.fromhex(state["atr"])
        card.spec_version = state["spec_version"]
        card.algorithm_code = state["algorithm"]
        card.algorithm = ALGORITHM_CODES[card.algorithm_code]
        card.records = {int(sfi): {int(t): bytes.fromhex(v) for t, v in recs.items()}
                        for sfi, recs in state["records"].items()}
        card.keys = {p: bytes.fromhex(k) for p, k in state["keys"].items()}
        card.salt = bytes.fromhex(state["salt"])
        card.pin_hash = state["pin_hash"]
        card.pin_tries_left = state["pin_tries_left"]
        card.holder = state.get("holder", "")
        card.path = path
        card._lock = threading.Lock()
        card._faults = []
        card.apdus_seen = 0
        card.reset()
        return card

    # -- the tester's controls ------------------------------------------------------------------------
    def inject(self, fault: str) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown card fault {fault!r}; one of {', '.join(FAULTS)}")
        self._faults.append(fault)

    @property
    def identity(self) -> CardIdentity:
        code = self.records[SFI_EF05][0x01]
        return CardIdentity(code, code.hex().upper()[:6], self.algorithm)

    @property
    def block(self) -> int:
        return ciphers.block_size(self.algorithm)

    @property
    def generation(self) -> int:
        return int(self.spec_version[0]) if self.spec_version[:1].isdigit() else 0

    def pin_is(self, digits: str) -> bool:
        """For tests and the simulator panel: does the card's PIN equal ``digits``?"""
        return hmac.compare_digest(self.pin_hash, _pin_hash(self.salt, self._bcd(digits)))

    @staticmethod
    def _bcd(digits: str) -> bytes:
        return bytes.fromhex(digits + ("F" if len(digits) % 2 else ""))

    # -- power ----------------------------------------------------------------------------------------
    def reset(self) -> bytes:
        self._selected_app = False
        self._current_ef: int | None = None
        self._pending = b""          # response data waiting for GET RESPONSE
        self._last_answer = SW_OK    # for the stale_answer fault
        self._challenge: bytes | None = None
        self._security: set[int] = set()   # key ids passed by EXTERNAL AUTHENTICATE since SELECT
        return self.atr

    # -- commands -------------------------------------------------------------------------------------
    def process(self, apdu: bytes) -> bytes:
        with self._lock:
            self.apdus_seen += 1
            if self._faults and self._faults[0] in ("mute", "remove_mid_command"):
                raise CardFault(self._faults.pop(0))
            ins = apdu[1] if len(apdu) > 1 else None
            if ins == 0xB2 and self._fault("stale_answer"):
                return self._last_answer
            if ins == 0xDC and self._fault("garbled_write") and len(apdu) > 5:
                apdu = apdu[:-1] + bytes([apdu[-1] ^ 0x01])        # stored wrong, reported right
                self._process(apdu)
                return SW_OK
            self._last_answer = self._process(apdu)
            return self._last_answer

    def _fault(self, name: str) -> bool:
        if self._faults and self._faults[0] == name:
            self._faults.pop(0)
            return True
        return False

    def _process(self, apdu: bytes) -> bytes:
        if len(apdu) < 4:
            return _sw(0x6700)
        cla, ins, p1, p2 = apdu[:4]
        body = apdu[4:]
        if ins == 0xC0 and cla == 0x00:
            return self._get_response(body)
        self._pending = b""
        challenge, self._challenge = self._challenge, None     # a challenge serves the next command only
        handler = {(0x00, 0xA4): self._select, (0x00, 0xB2): self._read_record,
                   (0x00, 0xDC): self._update_record, (0x00, 0x20): self._verify,
                   (0x80, 0x5E): self._change_or_reload, (0x84, 0x24): self._unblock,
                   (0x00, 0x84): self._get_challenge, (0x00, 0x88): self._internal_auth,
                   (0x00, 0x82): self._external_auth}.get((cla, ins))
        if handler is None:
            return _sw(0x6E00) if cla not in (0x00, 0x80, 0x84) else _sw(0x6D00)
        if handler in (self._change_or_reload, self._unblock, self._external_auth):
            return handler(p1, p2, body, challenge)
        return handler(p1, p2, body)

    def _get_response(self, body: bytes) -> bytes:
        if not self._pending or len(body) != 1:
            return _sw(0x6985)
        le = body[0] or 256
        if le != len(self._pending):
            return _sw(0x6C00 | len(self._pending))
        out, self._pending = self._pending, b""
        return out + SW_OK

    def _answer_later(self, data: bytes) -> bytes:
        self._pending = data
        return _sw(0x6100 | len(data))   # T=0: a case-4 answer is fetched with GET RESPONSE

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
            self._selected_app, self._current_ef, self._security = True, None, set()
            prop = tlv(0xA5, bytes.fromhex("9F0C03") + bytes([0x86, 0x01, self.algorithm_code]))
            return self._answer_later(tlv(0x6F, tlv(0x84, SSSE_AID) + prop))
        if p1 in (0x00, 0x02) and len(data) == 2:    # by file id
            if data == MF_FID:
                self._selected_app, self._current_ef, self._security = False, None, set()
                return SW_OK
            if not self._selected_app:
                return _sw(0x6A82)
            sfi = {0xEF05: SFI_EF05, 0xEF06: SFI_EF06}.get(int.from_bytes(data, "big"))
            if sfi is None:
                return _sw(0x6A82)
            self._current_ef = sfi
            return SW_OK
        return _sw(0x6A86)

    def _record_target(self, p2: int) -> int | bytes:
        """The SFI a READ/UPDATE RECORD addresses, or the status word refusing it."""
        if not self._selected_app:
            return _sw(0x6986)
        if p2 & 0x07 not in (0x00, 0x04):
            return _sw(0x6A86)
        sfi = p2 >> 3 or self._current_ef
        if sfi is None:
            return _sw(0x6986)
        if sfi not in self.records:
            return _sw(0x6A82)
        return sfi

    def _read_record(self, p1: int, p2: int, body: bytes) -> bytes:
        if len(body) != 1:
            return _sw(0x6700)
        sfi = self._record_target(p2)
        if isinstance(sfi, bytes):
            return sfi
        if sfi == SFI_EF06 and self.generation >= 3 and 0x0A not in self._security:
            return _sw(0x6982)                       # 3rd generation: holder data after key 0A only
        records = self.records[sfi]
        if p2 & 0x07 == 0x00:                        # P1 is the record identifier (tag)
            tag, value = p1, records.get(p1)
        else:                                        # P1 is a record number, in file order
            items = list(records.items())
            tag, value = items[p1 - 1] if 1 <= p1 <= len(items) else (p1, None)
        if value is None:
            return _sw(0x6A83)
        record = tlv(tag, value)
        le = body[0] or 256
        if le != len(record):
            return _sw(0x6C00 | len(record))
        return record + SW_OK

    def _update_record(self, p1: int, p2: int, body: bytes) -> bytes:
        data = self._lc_data(body)
        if data is None or len(data) < 2 or data[1] != len(data) - 2:
            return _sw(0x6A85)
        sfi = self._record_target(p2)
        if isinstance(sfi, bytes):
            return sfi
        if 0x04 not in self._security:
            return _sw(0x6982)
        if p2 & 0x07 != 0x00 or data[0] != p1:
            return _sw(0x6A86)
        self.records[sfi][p1] = bytes(data[2:])
        self._save()
        return SW_OK

    def _pin_matches(self, bcd: bytes) -> bool:
        return hmac.compare_digest(self.pin_hash, _pin_hash(self.salt, bytes(bcd)))

    def _set_pin(self, bcd: bytes) -> None:
        self.pin_hash = _pin_hash(self.salt, bytes(bcd))
        self.pin_tries_left = PIN_TRIES

    def _count_failure(self) -> bytes:
        self.pin_tries_left = max(0, self.pin_tries_left - 1)
        self._save()
        if self.pin_tries_left == 0:
            return _sw(0x6983)
        return _sw(0x63C0 | self.pin_tries_left)

    @staticmethod
    def _valid_pin_bcd(bcd: bytes) -> bool:
        nibbles = bcd.hex().upper()
        digits = nibbles.rstrip("F")
        return 2 <= len(bcd) <= 8 and digits.isdigit() and len(nibbles) - len(digits) <= 1

    def _verify(self, p1: int, p2: int, body: bytes) -> bytes:
        if not self._selected_app:
            return _sw(0x6985)
        if p1 != 0x00 or p2 != 0x00:
            return _sw(0x6A86)
        if self.pin_tries_left == 0:
            return _sw(0x6983)
        if len(body) == 0:                           # ISO 7816-4: VERIFY without data asks the counter
            return _sw(0x63C0 | self.pin_tries_left)
        data = self._lc_data(body)
        if data is None or not self._valid_pin_bcd(data):
            return _sw(0x6700)
        if not self._pin_matches(data):
            return self._count_failure()
        if self.pin_tries_left != PIN_TRIES:
            self.pin_tries_left = PIN_TRIES
            self._save()
        return SW_OK

    def _mac_ok(self, purpose: str, challenge: bytes | None, command: bytes, mac: bytes) -> bytes | None:
        """None when the MAC is right, else the status word to answer."""
        if challenge is None or len(challenge) != self.block:
            return _sw(0x6984)
        if self._faults and self._faults[0] == "reject_mac":
            self._faults.pop(0)
            return _sw(0x6988)
        expected = KeyRule().mac(self.keys[purpose], self.identity, challenge, command)
        return None if hmac.compare_digest(expected, mac) else _sw(0x6988)

    def _change_or_reload(self, p1: int, p2: int, body: bytes, challenge: bytes | None) -> bytes:
        if not self._selected_app:
            return _sw(0x6985)
        data = self._lc_data(body)
        if data is None:
            return _sw(0x6700)
        if p1 == 0x01 and p2 == 0x00:                # CHANGE PIN: old ‖ FF ‖ new
            if b"\xFF" not in data:
                return _sw(0x6A80)
            if self.pin_tries_left == 0:
                return _sw(0x6983)
            old, new = data[:data.index(b"\xFF")], data[data.index(b"\xFF") + 1:]
            if not self._valid_pin_bcd(new):
                return _sw(0x6A80)
            if not self._pin_matches(old):
                return self._count_failure()
            self._set_pin(new)
            self._save()
            return SW_OK
        if p1 == 0x00 and p2 == 0x00:                # RELOAD PIN: new ‖ MAC (reset a forgotten PIN)
            new, mac = data[:-4], data[-4:]
            if not self._valid_pin_bcd(new):
                return _sw(0x6A80)
            refused = self._mac_ok("reload", challenge, bytes([0x80, 0x5E, 0x00, 0x00, len(data)]) + new, mac)
            if refused:
                return refused
            self._set_pin(new)
            self._save()
            return SW_OK
        return _sw(0x6A86)

    def _unblock(self, p1: int, p2: int, body: bytes, challenge: bytes | None) -> bytes:
        if not self._selected_app:
            return _sw(0x6985)
        data = self._lc_data(body)
        if data is None or len(data) != self.block + 4 or p1 != 0x00 or p2 != 0x00:
            return _sw(0x6700)
        encrypted, mac = data[:-4], data[-4:]
        refused = self._mac_ok("unblock", challenge, bytes([0x84, 0x24, 0x00, 0x00, len(data)]) + encrypted, mac)
        if refused:
            return refused
        try:
            digits, bcd = KeyRule().decrypt_pin_block(self.keys["unblock"], self.identity, encrypted)
        except ValueError:
            return _sw(0x6A80)
        self._set_pin(bcd)
        self._save()
        return SW_OK

    def _get_challenge(self, p1: int, p2: int, body: bytes) -> bytes:
        if len(body) != 1 or body[0] not in (4, 8, 16):
            return _sw(0x6700)
        self._challenge = os.urandom(body[0])
        return self._challenge + SW_OK

    def _internal_auth(self, p1: int, p2: int, body: bytes) -> bytes:
        data = self._lc_data(body)
        if not self._selected_app:
            return _sw(0x6985)
        if data is None or len(data) != self.block:
            return _sw(0x6700)
        return self._answer_later(KeyRule().cryptogram(self.keys["internal"], self.identity, data))

    def _external_auth(self, p1: int, p2: int, body: bytes, challenge: bytes | None) -> bytes:
        data = self._lc_data(body)
        if not self._selected_app:
            return _sw(0x6985)
        if p2 not in KEY_IDS:
            return _sw(0x6A88)
        if data is None or len(data) != self.block:
            return _sw(0x6700)
        if challenge is None or len(challenge) != self.block:
            return _sw(0x6984)
        expected = KeyRule().cryptogram(self.keys[KEY_IDS[p2]], self.identity, challenge)
        if not hmac.compare_digest(expected, data):
            return _sw(0x6300)
        self._security.add(p2)
        return SW_OK


def personalise(profile: CardProfile, security_module, path: str | None = None) -> VirtualCard:
    """A card factory: write the profile and the card keys diversified by the issuer's security module."""
    return VirtualCard(profile, security_module.card_keys(profile.identity()), path=path)


def blank_card(card_id_code: str, initial_pin: str, security_module, spec_version: str = "3.00",
               path: str | None = None) -> VirtualCard:
    """A blank card as a card factory delivers it for instant issuance: keys loaded, EF05's identification
    code and version written, the region's initial PIN set; the holder's data still to be written."""
    profile = CardProfile(card_id_code=card_id_code, card_number="", ssn="", name="", gender="", nation="",
                          birthplace="", birth_date=dt.date(1900, 1, 1), issue_date=dt.date(1900, 1, 1),
                          expiry_date=dt.date(1900, 1, 1), pin=initial_pin, spec_version=spec_version)
    card = VirtualCard(profile, security_module.card_keys(profile.identity()), path=path)
    ef05 = card.records[SFI_EF05]
    for tag in (0x05, 0x06, 0x07):
        ef05.pop(tag, None)
    card.records[SFI_EF06] = {}
    card.holder = ""
    card._save()
    return card
