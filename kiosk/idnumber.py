"""Resident ID number (GB 11643-1999): structure and ISO 7064 MOD 11-2 check character.

The social security number is the ID number (research/protocols.md §3), so this module serves both.
"""
from __future__ import annotations

import datetime as dt
import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


def check_character(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def problem(number: str) -> str | None:
    """Why ``number`` is not a valid ID number, or None when it is."""
    if not _SHAPE.match(number):
        return "not 17 digits followed by a digit or X"
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "birth date part is not a real date"
    if check_character(number[:17]) != number[17]:
        return "check character does not match"
    return None


def check_character_ok(number: str) -> bool:
    """Only the MOD 11-2 check (for numbers that share it but not the address/birth structure)."""
    return bool(_SHAPE.match(number)) and check_character(number[:17]) == number[17]


def is_valid(number: str) -> bool:
    return problem(number) is None


def with_check(first17: str) -> str:
    return first17 + check_character(first17)
