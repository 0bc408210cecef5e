"""Which reasons a card may be replaced or renewed for (domain.md §8), from the service's record of the card,
what its chip said and the region's profile. Pure, so each rule reads plainly and is tested without devices.
The service checks the same rules again (kiosk/backend/rules.py); the kiosk's part is to offer only what
applies, and to know what only the chip knows (its generation, whether it reads, the name on it).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.policy import PolicyProfile

LABELS = {   # the service's reason codes (rules.REPLACEMENT_REASONS) and renewal, in the citizen's words
    "lost": ("挂失补卡", "Replace a lost card"),
    "damaged": ("卡片损坏（芯片失效、卡面破损）", "The card is damaged (chip fails, face broken)"),
    "unreadable": ("卡面信息模糊", "The card face cannot be read"),
    "changed_appearance": ("相貌变化较大", "Your appearance has changed"),
    "changed_data": ("姓名等关键信息变更", "Your name or other key data changed"),
    "mismatch": ("卡内信息与登记信息不一致", "The card's data differ from the records"),
    "upgrade": ("二代卡换三代卡", "Swap a 2nd-generation card for a 3rd-generation one"),
    "photo": ("满7周岁换发含照片的社保卡", "Turned 7: a card with a photo"),
    "renewal": ("有效期将满换卡", "Renew a card that is about to expire"),
}


@dataclass(frozen=True)
class Reason:
    key: str                  # a rules.REPLACEMENT_REASONS code, or "renewal"
    zh: str
    en: str
    offered: bool = True
    fee_yuan: int | None = None    # what the region charges for it (None: not set; the service decides)
    note_zh: str = ""              # why it is not offered, or what the citizen should know
    note_en: str = ""

    @property
    def kind(self) -> str:
        return "renewal" if self.key == "renewal" else "replacement"


@dataclass
class OldCard:
    """What the old card's chip said, once it is inside the card module."""
    readable: bool
    card_number: str              # the chip's, or the service's record when the chip does not read
    generation: int = 0           # 2 or 3 from the chip's spec version; 0 when unreadable
    name_on_chip_differs: bool = False
    captured: bool = False


def resumed(application: dict) -> list[Reason]:
    """An unfinished application of this holder: only its own reason, at the fee already set."""
    key = "renewal" if application["kind"] == "renewal" else (application["reason"] or "damaged")
    zh, en = LABELS.get(key, LABELS["damaged"])
    return [Reason(key, zh, en, fee_yuan=application["fee_fen"] // 100, note_zh="您有一笔未完成的补换卡申请，将继续办理",
                   note_en="You have an unfinished replacement; it will be continued")]


SWAP_FREE_NOTE = ("二代卡首次补换三代卡，免收工本费", "first swap of a 2nd-generation card: no fee")


def for_card(card: dict, old: OldCard | None, policy: PolicyProfile, today: dt.date,
             quote: dict | None = None) -> list[Reason]:
    """By the card's state; for a card in hand (``old``, once read) by its chip and dates too. ``quote`` is the
    service's word on this card (card_status "replacement": its fee today, whether the generation swap is
    free, whether a photo card is due); without it, the region's fee and nothing the record alone knows."""
    quote = quote or {}
    fee = (quote["fee_fen"] // 100 if quote["fee_fen"] is not None else None) if "fee_fen" in quote \
        else policy.replacement_fee_yuan
    swap_free = bool(quote.get("generation_swap_free"))
    free_zh, free_en = SWAP_FREE_NOTE if swap_free else ("", "")
    if card["state"] == "lost":
        return [Reason("lost", *LABELS["lost"], fee_yuan=fee, note_zh=free_zh, note_en=free_en)]
    if card["state"] == "temp_lost":
        return [Reason("lost", *LABELS["lost"], offered=False,
                       note_zh="临时挂失的卡不能直接补卡：请先在“社保卡挂失”中办理正式挂失，再来补卡",
                       note_en="A card reported lost temporarily cannot be replaced yet: first make the report "
                               "formal under 'Report a lost card', then come back")]
    if old is None:
        return []              # the card in hand is read first
    reasons = [Reason("damaged", *LABELS["damaged"], fee_yuan=fee, note_zh=free_zh, note_en=free_en)]
    if not old.readable:
        return reasons         # nothing else can be checked on a chip that does not answer
    if quote.get("photo_due"):
        # seeds/003 "未满7周岁的未成年人申办社会保障卡可不提供照片,满7周岁后需及时申请换发含照片的社会保障卡": offered
        # only for a card without a photo whose holder has turned 7 (the service decides both)
        reasons.append(Reason("photo", *LABELS["photo"], fee_yuan=fee,
                              note_zh="本机将为您拍照，照片印在新卡卡面", note_en="the kiosk takes your photo for the new card"))
    if old.generation == 2:
        # a still-valid 2nd-generation card swapped early pays the fee; the free first swap is the one seeds/000
        # ties to the named banks' cards once due (the service's quote says when)
        reasons.append(Reason("upgrade", *LABELS["upgrade"], fee_yuan=fee, note_zh=free_zh, note_en=free_en))
    expiry = dt.date.fromisoformat(card["expiry_date"])
    days_left = (expiry - today).days
    if days_left <= policy.renewal_window_days:
        zh, en = ("社保卡已过有效期，换卡", "The card has expired: renew it") if days_left < 0 else LABELS["renewal"]
        note_zh, note_en = f"有效期至{expiry:%Y年%m月%d日}", f"valid until {expiry.isoformat()}"
        if swap_free:
            note_zh, note_en = f"{note_zh}；{free_zh}", f"{note_en}; {free_en}"
        elif quote.get("bank") in policy.expiry_keeps_working_banks:
            # seeds/000 "如果您的社保卡发卡银行是农业银行、交通银行、邮储银行，到期后金融功能均可正常使用，不用换卡"
            note_zh = f"{note_zh}；{quote['bank']}的卡到期后金融功能仍可正常使用，不用换卡"
            note_en = f"{note_en}; a {quote['bank']} card keeps its bank functions after expiry: no need to renew"
        reasons.append(Reason("renewal", zh, en, fee_yuan=fee, note_zh=note_zh, note_en=note_en))
    if old.name_on_chip_differs:
        reasons.append(Reason("changed_data", *LABELS["changed_data"], fee_yuan=fee,
                              note_zh="卡内姓名与身份证不一致", note_en="the name on the chip differs from the ID card"))
    reasons.append(Reason("changed_appearance", *LABELS["changed_appearance"], fee_yuan=fee))
    return reasons
