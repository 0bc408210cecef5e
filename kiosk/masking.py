"""Masking of personal data on receipts, screens and in logs (DESIGN rule 6)."""
from __future__ import annotations


def id_number(value: str) -> str:
    """6101**********0016: region prefix and last four only."""
    if len(value) < 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def name(value: str) -> str:
    """王*明 / 孙*: first character, and the last when the name has three or more."""
    if len(value) <= 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def card_number(value: str) -> str:
    if len(value) < 6:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 5) + value[-3:]


def phone(value: str) -> str:
    """138****0000: the operator prefix and the last four only."""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
