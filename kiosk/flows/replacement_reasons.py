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


def for_card(card: dict, old: OldCard | None, policy: PolicyProfile, today: dt.date) -> list[Reason]:
    """By the card's state; for a card in hand (``old``, once read) by its chip and dates too."""
    fee = policy.replacement_fee_yuan
    if card["state"] == "lost":
        return [Reason("lost", *LABELS["lost"], fee_yuan=fee)]
    if card["state"] == "temp_lost":
        return [Reason("lost", *LABELS["lost"], offered=False,
                       note_zh="临时挂失的卡不能直接补卡：请先在“挂失”中办理正式挂失，再来补卡",
                       note_en="A temporarily reported card cannot be replaced yet: make the loss report formal "
                               "first (under Report loss), then come back")]
    if old is None:
        return []              # the card in hand is read first
    reasons = [Reason("damaged", *LABELS["damaged"], fee_yuan=fee)]
    if not old.readable:
        return reasons         # nothing else can be checked on a chip that does not answer
    if old.generation == 2:
        free = policy.free_generation_upgrade
        reasons.append(Reason("upgrade", *LABELS["upgrade"], fee_yuan=0 if free else fee,
                              note_zh="首次换领三代卡免费" if free else "", note_en="free the first time" if free else ""))
    expiry = dt.date.fromisoformat(card["expiry_date"])
    days_left = (expiry - today).days
    if days_left <= policy.renewal_window_days:
        zh, en = ("社保卡已过有效期，换卡", "The card has expired: renew it") if days_left < 0 else LABELS["renewal"]
        reasons.append(Reason("renewal", zh, en, fee_yuan=fee, note_zh=f"有效期至{expiry:%Y年%m月%d日}",
                              note_en=f"valid until {expiry.isoformat()}"))
    if old.name_on_chip_differs:
        reasons.append(Reason("changed_data", *LABELS["changed_data"], fee_yuan=fee,
                              note_zh="卡内姓名与身份证不一致", note_en="the name on the chip differs from the ID card"))
    reasons.append(Reason("changed_appearance", *LABELS["changed_appearance"], fee_yuan=fee))
    return reasons
