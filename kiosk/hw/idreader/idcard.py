"""Decoding of the 256-byte UTF-16LE text block by the type byte at offset 248 (protocols.md §2.6).

Implemented now: the resident ID card and the Hong Kong/Macao/Taiwan residence permit ('J'), which share
a layout. Foreign permanent resident cards ('I', 'Y') are recognised and refused with a clear message
until their layouts are wired in (issue 3).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kiosk import idnumber
from kiosk.hw.base import DeviceError

TEXT_LEN = 256
PHOTO_LEN = 1024

GENDERS = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}
# GB 3304 nation codes, with the GB names (not the spelling slips of some readers: protocols.md §2.7).
NATIONS = dict(enumerate((
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家",
    "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇",
    "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米",
    "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙",
    "鄂伦春", "赫哲", "门巴", "珞巴", "基诺"), start=1))
NATIONS.update({97: "其他", 98: "外国血统中国籍人士"})


class IdCardRefused(DeviceError):
    """The card was read but cannot be used (expired, malformed, unsupported type)."""


@dataclass
class IdCard:
    card_type: str            # "resident" or "hmt_permit"
    name: str
    gender: str               # GB/T 2261.1 code
    nation: str               # GB 3304 code, "" on permits
    birth: dt.date
    address: str
    id_number: str
    authority: str
    valid_from: dt.date
    valid_to: dt.date | None  # None = 长期 (long-term)
    photo_wlt: bytes = field(default=b"", repr=False)

    @property
    def gender_name(self) -> str:
        return GENDERS.get(self.gender, "未知")

    @property
    def nation_name(self) -> str:
        return NATIONS.get(int(self.nation), "") if self.nation.isdigit() else ""

    def wipe(self) -> None:
        """Drop personal data when the session ends."""
        self.name = self.address = self.id_number = self.authority = ""
        self.photo_wlt = b""


def _field(text: bytes, offset: int, size: int) -> str:
    return text[offset:offset + size].decode("utf-16-le", errors="replace").rstrip(" \x00")


def _date(value: str, what: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise IdCardRefused(f"{what} {value!r} is not a YYYYMMDD date",
                            zh="身份证信息无法识别，请重新放置或到窗口办理",
                            en="The ID card data could not be read; please try again or go to a counter") from None


def decode_text(text: bytes, photo: bytes = b"", today: dt.date | None = None) -> IdCard:
    """Decode and check a text block; raise :class:`IdCardRefused` saying why a card cannot be used."""
    if len(text) != TEXT_LEN:
        raise IdCardRefused(f"text block is {len(text)} bytes, expected {TEXT_LEN}",
                            zh="身份证信息不完整，请重新放置", en="Incomplete ID card data, please place it again")
    type_flag = _field(text, 248, 2)
    if type_flag in ("I", "Y"):
        raise IdCardRefused(f"foreign permanent resident card type {type_flag!r} not supported yet",
                            zh="本机暂不支持外国人永久居留身份证，请到窗口办理",
                            en="Foreign permanent resident cards are not supported here yet; please go to a counter")
    card_type = "hmt_permit" if type_flag == "J" else "resident"
    end = _field(text, 204, 16)
    card = IdCard(
        card_type=card_type,
        name=_field(text, 0, 30),
        gender=_field(text, 30, 2),
        nation="" if card_type == "hmt_permit" else _field(text, 32, 4),
        birth=_date(_field(text, 36, 16), "birth date"),
        address=_field(text, 52, 70),
        id_number=_field(text, 122, 36),
        authority=_field(text, 158, 30),
        valid_from=_date(_field(text, 188, 16), "validity start"),
        valid_to=None if end.startswith("长期") else _date(end, "validity end"),
        photo_wlt=bytes(photo),
    )
    why = idnumber.problem(card.id_number)
    if why:
        raise IdCardRefused(f"ID number fails GB 11643: {why}",
                            zh="身份证号码校验不通过，请到窗口办理",
                            en="The ID number on this card is not valid; please go to a counter")
    today = today or dt.date.today()
    if card.valid_to is not None and card.valid_to < today:
        raise IdCardRefused(f"card expired on {card.valid_to.isoformat()}",
                            zh=f"身份证已于{card.valid_to:%Y年%m月%d日}过期，请使用有效证件",
                            en=f"This ID card expired on {card.valid_to.isoformat()}; please use a valid one")
    return card


def encode_text(card: IdCard) -> bytes:
    """Build a text block (used by the simulator and by tests)."""
    def put(value: str, size: int) -> bytes:
        raw = value.encode("utf-16-le")[:size]
        return raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)
    type_flag = "J" if card.card_type == "hmt_permit" else " "
    end = "长期" if card.valid_to is None else card.valid_to.strftime("%Y%m%d")
    block = (put(card.name, 30) + put(card.gender, 2) + put(card.nation, 4)
             + put(card.birth.strftime("%Y%m%d"), 16) + put(card.address, 70) + put(card.id_number, 36)
             + put(card.authority, 30) + put(card.valid_from.strftime("%Y%m%d"), 16) + put(end, 16)
             + put("", 28) + put(type_flag, 2) + put("", 6))
    assert len(block) == TEXT_LEN
    return block
