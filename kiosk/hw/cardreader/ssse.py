"""The social security card application (SSSE), protocols.md §1.2-1.5.

Records are read by tag with an SFI (``00 B2 <tag> <SFI<<3> Le``), never by record number: tag numbering
is fixed while EF06's record order is only inferred, and the 4E name extension may be absent.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import os

from kiosk.hw.base import Action
from kiosk.hw.cardreader.apdu import ApduChannel, CardConnection, CardStatusError
from kiosk.pin import PinBuffer, wipe
from kiosk.security import ciphers
from kiosk.security.module import NoSecurityModule, SecurityModule
from kiosk.security.rules import CardIdentity

SSSE_AID = bytes.fromhex("7378312E73682EC9E7BBE1B1A3D5CF")   # "sx1.sh." + GBK "社会保障"
SFI_EF05 = 5
SFI_EF06 = 6
ALGORITHMS = {0x01: ciphers.TDES, 0x02: "SSF33", 0x03: ciphers.SM4}
KEY_READ, KEY_UPDATE = 0x0A, 0x04

# (tag, value length) of the items the kiosk reads
EF05_ITEMS = {"card_id_code": (0x01, 16), "card_type": (0x02, 1), "spec_version": (0x03, 4),
              "init_org": (0x04, 12), "issue_date": (0x05, 4), "expiry_date": (0x06, 4),
              "card_number": (0x07, 9)}
EF06_ITEMS = {"ssn": (0x08, 18), "name": (0x09, 30), "name_ext": (0x4E, 20), "gender": (0x0A, 1),
              "nation": (0x0B, 1), "birthplace": (0x0C, 3), "birth_date": (0x0D, 4)}


class CardDataError(CardStatusError):
    def __init__(self, detail: str):
        super().__init__(detail, 0x6F00)


class CardAlgorithmUnsupported(CardStatusError):
    """The card's algorithm (9F0C) is one this kiosk's security module does not speak (SSF33)."""

    def __init__(self, algorithm: str):
        super().__init__(f"card algorithm {algorithm} is not supported", 0x6A81)
        self.zh = "本机暂不支持此类社保卡，请到窗口办理"
        self.en = "This kind of card is not supported here; please go to a counter"
        self.action = Action.CONFIGURATION


class CardNotGenuine(CardStatusError):
    """INTERNAL AUTHENTICATE: the card's answer does not match the security module's."""

    def __init__(self):
        super().__init__("INTERNAL AUTHENTICATE: cryptogram mismatch", 0x6300)
        self.zh = "社保卡认证失败，此卡可能不是有效卡片，请到窗口办理"
        self.en = "The card failed authentication and may not be genuine; please go to a counter"
        self.action = Action.CLEAR


@dataclass
class CardInfo:
    card_id_code: str
    card_type: str
    spec_version: str
    init_org: str
    issue_date: dt.date | None
    expiry_date: dt.date | None
    card_number: str
    ssn: str
    name: str
    gender: str
    nation: str
    birthplace: str
    birth_date: dt.date | None
    algorithm: str
    atr: bytes

    @property
    def region_code(self) -> str:
        return self.card_id_code[:6]

    @property
    def generation(self) -> int:
        return int(self.spec_version[:1]) if self.spec_version[:1].isdigit() else 0

    def wipe(self) -> None:
        self.ssn = self.name = self.birthplace = ""
        self.birth_date = None


# -- field formats (protocols.md §1.3: cn = BCD padded with F, an = bytes padded with 00) ---------------
def cn(value: bytes) -> str:
    return value.hex().upper().rstrip("F")


def an_ascii(value: bytes) -> str:
    return value.rstrip(b"\x00 ").decode("ascii", errors="replace")


def an_gbk(value: bytes) -> str:
    return value.rstrip(b"\x00").decode("gb18030", errors="replace").rstrip()


def bcd_date(value: bytes) -> dt.date | None:
    text = cn(value)
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None


def tlv_value(record: bytes, tag: int) -> bytes:
    if len(record) < 2 or record[0] != tag or record[1] > len(record) - 2:
        raise CardDataError(f"record for tag {tag:02X} is malformed ({len(record)} bytes)")
    return record[2:2 + record[1]]


def algorithm_from_fci(fci: bytes) -> str:
    """9F0C 03 86 01 xx in the SSSE FCI names the algorithm; absent means 3DES (protocols.md §1.7)."""
    at = fci.find(bytes.fromhex("9F0C"))
    if at >= 0 and fci[at + 3:at + 5] == b"\x86\x01" and at + 5 < len(fci):
        return ALGORITHMS.get(fci[at + 5], "3DES")
    return "3DES"


class SocialSecurityCard:
    """The SSSE application on one inserted card."""

    def __init__(self, connection: CardConnection, security: SecurityModule | None = None):
        self.connection = connection
        self.channel = ApduChannel(connection)
        self.security = security or NoSecurityModule()
        self.algorithm = ciphers.TDES
        self.identity: CardIdentity | None = None
        self.spec_version = ""

    def select(self) -> None:
        fci = self.channel.send(bytes([0x00, 0xA4, 0x04, 0x00, len(SSSE_AID)]) + SSSE_AID, "SELECT SSSE")
        self.algorithm = algorithm_from_fci(fci)

    def identify(self) -> CardIdentity:
        """Select SSSE and read what the security module needs (EF05 is free on every generation)."""
        self.select()
        code = self.read_item(SFI_EF05, 0x01, 16, "card_id_code")
        self.spec_version = an_ascii(self.read_item(SFI_EF05, 0x03, 4, "spec_version"))
        self.identity = CardIdentity(code, cn(code)[:6], self.algorithm)
        return self.identity

    @property
    def block(self) -> int:
        if self.algorithm not in (ciphers.SM4, ciphers.TDES):
            raise CardAlgorithmUnsupported(self.algorithm)
        return ciphers.block_size(self.algorithm)

    def challenge(self) -> bytes:
        return self.channel.send(bytes([0x00, 0x84, 0x00, 0x00, self.block]), "GET CHALLENGE", length=self.block)

    def internal_authenticate(self) -> None:
        """The card proves it is genuine: it encrypts our random with its internal key."""
        random = os.urandom(self.block)
        answer = self.channel.send(bytes([0x00, 0x88, 0x00, 0x00, self.block]) + random, "INTERNAL AUTHENTICATE",
                                   length=self.block)   # a short or long answer is out of step, not a forgery
        if not self.security.internal_auth_ok(self.identity, random, answer):
            raise CardNotGenuine()

    def external_authenticate(self, key_id: int) -> None:
        """We prove to the card that we hold key ``key_id`` (0A: read holder data, 04: update records)."""
        cryptogram = self.security.external_auth(self.identity, key_id, self.challenge())
        self.channel.send(bytes([0x00, 0x82, 0x00, key_id, len(cryptogram)]) + cryptogram,
                          f"EXTERNAL AUTHENTICATE {key_id:02X}")

    def read_item(self, sfi: int, tag: int, length: int, name: str) -> bytes:
        record = self.channel.send(bytes([0x00, 0xB2, tag, sfi << 3, length + 2]), f"READ RECORD {name}",
                                   length=length + 2)
        value = tlv_value(record, tag)          # another record's tag is refused there
        if len(value) != length:                # every item of EF05/EF06 has its fixed length (§1.3)
            raise CardDataError(f"READ RECORD {name}: tag {tag:02X} holds {len(value)} bytes, not {length}")
        return value

    def read_info(self) -> CardInfo:
        """Read EF05 and EF06. EF06 is free on 1st/2nd-generation cards; a 3rd-generation card is first
        authenticated (INTERNAL AUTHENTICATE) and then opened with key 0A from the security module."""
        identity = self.identify()
        v = {k: self.read_item(SFI_EF05, tag, n, k) for k, (tag, n) in EF05_ITEMS.items()
             if k not in ("card_id_code", "spec_version")}
        v["card_id_code"], v["spec_version"] = identity.card_id_code, self.spec_version.encode("ascii")
        if self.spec_version[:1] >= "3":
            self.internal_authenticate()
            self.external_authenticate(KEY_READ)
        for key, (tag, n) in EF06_ITEMS.items():
            try:
                v[key] = self.read_item(SFI_EF06, tag, n, key)
            except CardStatusError as exc:
                if key == "name_ext" and exc.sw == 0x6A83:   # 2nd-generation cards may lack 4E
                    v[key] = b""
                else:
                    raise
        return CardInfo(
            card_id_code=cn(v["card_id_code"]), card_type=an_ascii(v["card_type"]),
            spec_version=an_ascii(v["spec_version"]), init_org=cn(v["init_org"]),
            issue_date=bcd_date(v["issue_date"]), expiry_date=bcd_date(v["expiry_date"]),
            card_number=an_ascii(v["card_number"]), ssn=an_ascii(v["ssn"]),
            # joined as bytes first: a GB18030 character may straddle the 30-byte boundary
            name=an_gbk(v["name"] + v["name_ext"]), gender=an_ascii(v["gender"]),
            nation=cn(v["nation"]), birthplace=cn(v["birthplace"]), birth_date=bcd_date(v["birth_date"]),
            algorithm=self.algorithm, atr=self.connection.atr())

    def verify_pin(self, pin: PinBuffer) -> None:
        """VERIFY; raises PinWrong (tries left) or PinBlocked. The BCD buffer is wiped afterwards."""
        block = pin.bcd()
        apdu = bytearray([0x00, 0x20, 0x00, 0x00, len(block)]) + block
        try:
            self.channel.send(apdu, "VERIFY")
        finally:
            wipe(block)
            wipe(apdu)

    def pin_tries_left(self) -> int | None:
        """VERIFY without data: the card answers 63Cx with the tries left (ISO 7816-4); None when it will
        not say. Nothing is counted against the holder."""
        try:
            self.channel.send(bytes([0x00, 0x20, 0x00, 0x00]), "VERIFY (tries left)")
        except CardStatusError as exc:
            if exc.sw & 0xFFF0 == 0x63C0:
                return exc.sw & 0x0F
            if exc.sw == 0x6983:
                return 0
            return None
        return None

    def reload_pin(self, new: PinBuffer) -> None:
        """RELOAD PIN ``80 5E 00 00 Lc new‖MAC``: set a forgotten PIN; the MAC comes from the module."""
        self._require_identity()
        new_bcd = new.bcd()
        header = bytes([0x80, 0x5E, 0x00, 0x00, len(new_bcd) + 4])
        apdu = bytearray(header) + new_bcd
        try:
            apdu += self.security.reload_mac(self.identity, self.challenge(), header, new)
            self.channel.send(apdu, "RELOAD PIN")
        finally:
            wipe(new_bcd)
            wipe(apdu)

    def unblock_pin(self, new: PinBuffer) -> None:
        """UNBLOCK PIN ``84 24 00 00 Lc enc(PIN block)‖MAC``: after 6 wrong PINs, set ``new`` and reset the
        counter. The encrypted block and MAC come from the security module."""
        self._require_identity()
        header = bytes([0x84, 0x24, 0x00, 0x00])
        data = self.security.unblock_data(self.identity, self.challenge(), header, new)
        self.channel.send(header + bytes([len(data)]) + data, "UNBLOCK PIN")

    def write_item(self, sfi: int, tag: int, value: bytes) -> None:
        """UPDATE RECORD by tag (personalisation); the caller has passed EXTERNAL AUTHENTICATE 04."""
        record = bytes([tag, len(value)]) + value
        self.channel.send(bytes([0x00, 0xDC, tag, sfi << 3, len(record)]) + record, f"UPDATE RECORD {tag:02X}")

    def _require_identity(self) -> None:
        if self.identity is None:
            self.identify()

    def change_pin(self, old: PinBuffer, new: PinBuffer) -> None:
        """CHANGE PIN ``80 5E 01 00 Lc old‖FF‖new`` (protocols.md §1.5)."""
        old_bcd, new_bcd = old.bcd(), new.bcd()
        data = old_bcd + b"\xFF" + new_bcd
        apdu = bytearray([0x80, 0x5E, 0x01, 0x00, len(data)]) + data
        try:
            self.channel.send(apdu, "CHANGE PIN")
        finally:
            for buf in (old_bcd, new_bcd, data, apdu):
                wipe(buf)
