"""Decoding of the 256-byte UTF-16LE text block by the type byte at offset 248 (protocols.md §2.6).

Four layouts: the resident ID card (a space at 248), the foreign permanent resident ID card of 2017 ('I')
and of 2023 ('Y'), and the Hong Kong/Macao/Taiwan residence permit ('J'). Decoding never raises for a
card's content: what cannot be read is recorded in ``problems``, and :meth:`IdCard.refusal` says, in
words a citizen understands, why a card may not be used (malformed, failed check character, expired).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from kiosk import idnumber
from kiosk.hw.base import DeviceError

TEXT_LEN = 256
PHOTO_LEN = 1024
LONG_TERM = "长期"

RESIDENT = "resident"
FOREIGN_2017 = "foreign_permanent_2017"
FOREIGN_2023 = "foreign_permanent_2023"
HK_MO_TW = "hk_mo_tw_residence"
TYPE_FLAGS = {"I": FOREIGN_2017, "Y": FOREIGN_2023, "J": HK_MO_TW}
FLAG_OF = {v: k for k, v in TYPE_FLAGS.items()} | {RESIDENT: " "}

GENDERS = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}
GENDERS_EN = {"0": "unknown", "1": "male", "2": "female", "9": "unspecified"}
# GB 3304 nation codes with the GB names (not the spelling slips of some readers: protocols.md §2.7).
NATIONS = dict(enumerate((
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家",
    "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇",
    "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米",
    "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙",
    "鄂伦春", "赫哲", "门巴", "珞巴", "基诺"), start=1))
NATIONS.update({97: "其他", 98: "外国血统中国籍人士"})

# 2017 foreign card: 3 Latin letters (country) + 12 digits. 2023 card: 18 characters, first '9', the
# GB 11643 check character ("新版外国人永久居留身份证机读信息规则(2023版)", National Immigration Administration,
# as republished by reader vendors).
_FOREIGN_2017_NUMBER = re.compile(r"^[A-Z]{3}\d{12}$")
_HK_MO_TW_PREFIXES = ("810000", "820000", "830000")


class IdCardRefused(DeviceError):
    """The card was read but cannot be used (expired, malformed, failed check character)."""


class IdCardValidityInconsistent(IdCardRefused):
    """A resident card whose validity period is longer than the holder's age when it was issued allows."""


def full_years(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def resident_validity_years(age_at_issue: int) -> int | None:
    """The validity of a resident ID card issued at this age, None for long-term (长期).

    《中华人民共和国居民身份证法》(2003, amended 2011) art. 5: "十六周岁以上公民的居民身份证的有效期为五年、十年、
    二十年、长期。十六周岁至二十五周岁的，发给有效期十年的居民身份证；二十六周岁至四十五周岁的，发给有效期二十年的
    居民身份证；四十六周岁以上的，发给长期有效的居民身份证。未满十六周岁的公民，自愿申请领取居民身份证的，发给
    有效期五年的居民身份证。" (The 1985 regulations had the same 10/20/long-term steps.)"""
    if age_at_issue < 16:
        return 5
    if age_at_issue <= 25:
        return 10
    if age_at_issue <= 45:
        return 20
    return None


@dataclass
class IdCard:
    card_type: str
    name: str                          # Chinese name ("" when a 2017 foreign card has none)
    sex: str                           # GB/T 2261.1 code
    birth_date: dt.date | None
    id_number: str
    valid_from: dt.date | None
    valid_until: dt.date | None        # None with long_term=True: 长期
    long_term: bool = False
    nation: str = ""                   # GB 3304 code (resident card)
    address: str = ""                  # resident card and residence permit
    issuer: str = ""                   # 签发机关, or the accepting authority's code on 2017 foreign cards
    name_en: str = ""                  # foreign cards
    nationality: str = ""              # foreign cards: country or region code
    pass_number: str = ""              # residence permit: 通行证号码
    issue_count: str = ""              # residence permit: 签发次数; 2023 foreign card: 换证次数
    card_version: str = ""             # 2017 foreign card
    previous_number: str = ""          # 2023 foreign card: the 2017 number it replaces
    photo_wlt: bytes = field(default=b"", repr=False)
    fingerprint: bytes = field(default=b"", repr=False)   # two 512-byte templates, when read with 30 10
    problems: list[str] = field(default_factory=list)
    # the person at the kiosk was checked against this card's photo (人证核验, kiosk/flows/face_check.py) in
    # this session: a service the visit goes on to with the same card read does not ask again
    face_verified: bool = field(default=False, repr=False, compare=False)

    @property
    def sex_name(self) -> str:
        return GENDERS.get(self.sex, "未知")

    @property
    def nation_name(self) -> str:
        return NATIONS.get(int(self.nation), "") if self.nation.isdigit() else ""

    @property
    def display_name(self) -> str:
        return self.name or self.name_en

    @property
    def id_number_valid(self) -> bool:
        if self.card_type == FOREIGN_2017:
            return bool(_FOREIGN_2017_NUMBER.match(self.id_number))
        if self.card_type == FOREIGN_2023:
            return self.id_number.startswith("9") and idnumber.check_character_ok(self.id_number)
        if self.card_type == HK_MO_TW and not self.id_number.startswith(_HK_MO_TW_PREFIXES):
            return False
        return idnumber.is_valid(self.id_number)

    def refusal(self, today: dt.date | None = None) -> IdCardRefused | None:
        """Why this card may not be used at the kiosk, or None."""
        if self.problems:
            return IdCardRefused("; ".join(self.problems), zh="身份证信息无法识别，请重新放置或到窗口办理",
                                 en="The ID card data could not be read; please try again or go to a counter")
        if not self.id_number_valid:
            return IdCardRefused(f"{self.card_type} number fails its format or check character",
                                 zh="证件号码校验不通过，请到窗口办理",
                                 en="The number on this card is not valid; please go to a counter")
        too_long = self.validity_too_long()
        if too_long:
            return IdCardValidityInconsistent(too_long, zh="身份证有效期与持证人年龄不符，请到窗口核验证件",
                                              en="This ID card's validity does not match the holder's age; "
                                                 "please have it checked at a counter")
        today = today or dt.date.today()
        if self.valid_until is not None and self.valid_until < today:
            return IdCardRefused(f"card expired on {self.valid_until.isoformat()}",
                                 zh=f"证件已于{self.valid_until:%Y年%m月%d日}过期，请使用有效证件",
                                 en=f"This card expired on {self.valid_until.isoformat()}; please use a valid one")
        return None

    def validity_too_long(self) -> str | None:
        """Why a resident card's validity is longer than the holder's age at issue (valid_from) allows, or
        None. Only the too-long direction is refused: it is what makes a card look valid when it is not.
        Names ages and years only, never the number or the dates of birth."""
        if self.card_type != RESIDENT or self.birth_date is None or self.valid_from is None:
            return None
        age = full_years(self.birth_date, self.valid_from)
        allowed = resident_validity_years(age)
        if allowed is None:
            return None
        if self.long_term:
            return f"long-term validity on a card issued at age {age} (long-term only from 46; {allowed} years)"
        if self.valid_until is not None:
            years = round((self.valid_until - self.valid_from).days / 365.25)
            if years > allowed:
                return f"{years}-year validity on a card issued at age {age} ({allowed} years at that age)"
        return None

    def to_json(self) -> dict:
        def day(value):
            return value.isoformat() if value else None
        return {"card_type": self.card_type, "name": self.name or None, "name_en": self.name_en or None,
                "sex": GENDERS_EN.get(self.sex), "nation": self.nation_name or None,
                "birth_date": day(self.birth_date), "address": self.address or None,
                "id_number": self.id_number or None, "issuer": self.issuer or None,
                "valid_from": day(self.valid_from),
                "valid_until": "long-term" if self.long_term else day(self.valid_until),
                "nationality": self.nationality or None, "pass_number": self.pass_number or None,
                "id_number_valid": self.id_number_valid, "photo_bytes": len(self.photo_wlt)}

    def wipe(self) -> None:
        """Drop personal data when the session ends."""
        self.name = self.name_en = self.address = self.id_number = self.issuer = self.pass_number = ""
        self.previous_number = ""
        self.birth_date = None
        self.photo_wlt = self.fingerprint = b""
        self.face_verified = False


# -- layouts: field → (offset, bytes) -----------------------------------------------------------------
LAYOUTS = {
    RESIDENT: {"name": (0, 30), "sex": (30, 2), "nation": (32, 4), "birth_date": (36, 16),
               "address": (52, 70), "id_number": (122, 36), "issuer": (158, 30), "valid_from": (188, 16),
               "valid_until": (204, 16)},
    HK_MO_TW: {"name": (0, 30), "sex": (30, 2), "birth_date": (36, 16), "address": (52, 70),
               "id_number": (122, 36), "issuer": (158, 30), "valid_from": (188, 16), "valid_until": (204, 16),
               "pass_number": (220, 18), "issue_count": (238, 4)},
    FOREIGN_2017: {"name_en": (0, 120), "sex": (120, 2), "id_number": (122, 30), "nationality": (152, 6),
                   "name": (158, 30), "valid_from": (188, 16), "valid_until": (204, 16),
                   "birth_date": (220, 16), "card_version": (236, 4), "issuer": (240, 8)},
    FOREIGN_2023: {"name": (0, 30), "sex": (30, 2), "issue_count": (32, 4), "birth_date": (36, 16),
                   "name_en": (52, 70), "id_number": (122, 36), "valid_from": (188, 16),
                   "valid_until": (204, 16), "name_en_2": (220, 22), "nationality": (242, 6),
                   "previous_number": (250, 6)},
}
DATES = ("birth_date", "valid_from", "valid_until")


def _field(text: bytes, offset: int, size: int) -> str:
    return text[offset:offset + size].decode("utf-16-le", errors="replace").rstrip(" \x00")


def card_type_of(text: bytes) -> str:
    return TYPE_FLAGS.get(_field(text, 248, 2), RESIDENT)


def decode_text(text: bytes, photo: bytes = b"") -> IdCard:
    if len(text) != TEXT_LEN:
        raise IdCardRefused(f"text block is {len(text)} bytes, expected {TEXT_LEN}",
                            zh="身份证信息不完整，请重新放置", en="Incomplete ID card data, please place it again")
    card_type = card_type_of(text)
    raw = {name: _field(text, offset, size) for name, (offset, size) in LAYOUTS[card_type].items()}
    if card_type == FOREIGN_2023:     # 46 characters in two fields; a space may fall at the seam
        first = text[52:122].decode("utf-16-le", errors="replace")
        raw["name_en"] = (first + raw.pop("name_en_2")).rstrip(" \x00")
    problems: list[str] = []
    dates: dict[str, dt.date | None] = {}
    long_term = raw["valid_until"].startswith(LONG_TERM)
    for name in DATES:
        value = raw.pop(name)
        if name == "valid_until" and long_term:
            dates[name] = None
            continue
        try:
            dates[name] = dt.datetime.strptime(value, "%Y%m%d").date()
        except ValueError:
            dates[name] = None
            problems.append(f"{name} {value!r} is not a YYYYMMDD date")
    return IdCard(card_type=card_type, long_term=long_term, photo_wlt=bytes(photo), problems=problems,
                  **dates, **raw)


def encode_text(card: IdCard) -> bytes:
    """The text block of a card (the simulator's side, and tests)."""
    block = bytearray(" ".encode("utf-16-le") * (TEXT_LEN // 2))

    def put(offset: int, size: int, value: str) -> None:
        encoded = value.encode("utf-16-le")[:size]
        block[offset:offset + len(encoded)] = encoded

    values = {name: getattr(card, name, "") for name in LAYOUTS[card.card_type]}
    for name in DATES:
        date = getattr(card, name)
        values[name] = date.strftime("%Y%m%d") if date else ""
    if card.long_term:
        values["valid_until"] = LONG_TERM
    if card.card_type == FOREIGN_2023:
        values["name_en"], values["name_en_2"] = card.name_en[:35], card.name_en[35:46]
    for name, (offset, size) in LAYOUTS[card.card_type].items():
        put(offset, size, str(values.get(name) or ""))
    put(248, 2, FLAG_OF[card.card_type])
    return bytes(block)
