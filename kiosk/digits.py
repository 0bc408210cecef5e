"""Digits as a citizen reads and hears them: a mobile number in its groups (139 1234 5678), a code in two
(123 456), and read out digit by digit in Mandarin — a number read as "一百三十九亿…" cannot be checked."""
from __future__ import annotations

GROUPS = {11: (3, 4, 4), 6: (3, 3)}      # mainland mobile numbers; 6-digit codes
SPOKEN = dict(zip("0123456789", "零一二三四五六七八九"))


def _split(text: str, length: int) -> list[str]:
    parts, at = [], 0
    for size in GROUPS.get(length, (length,)):
        parts.append(text[at:at + size])
        at += size
    return parts


def grouped(typed: str, length: int, blank: str = "_") -> str:
    """What has been typed so far, the rest as blanks, in the groups people write the number in."""
    return " ".join(_split(typed + blank * (length - len(typed)), length))


def spoken(digits: str) -> str:
    """Digit by digit in Chinese, a pause between groups: 一三九，一二三四，五六七八."""
    return "，".join("".join(SPOKEN[d] for d in part) for part in _split(digits, len(digits)))
