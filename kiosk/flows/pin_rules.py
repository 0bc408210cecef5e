"""The rules a new social-security PIN must meet, shared by every flow that sets one: change, activation,
reset and unlock (domain.md §2-5). The initial PIN is the region's (policy profile); seeds/004 says a new
PIN may never be it. Weakness rules are the kiosk's own (kiosk.pin.PinBuffer.weakness).
"""
from __future__ import annotations

from kiosk.errors import Refusal
from kiosk.pin import PinBuffer
from kiosk.policy import PolicyProfile


class PinRuleBroken(Refusal):
    pass


RULES = {
    "all_same": ("新密码不能是6位相同数字", "The new PIN may not be six equal digits"),
    "straight_run": ("新密码不能是连续数字", "The new PIN may not be a straight run such as 123456"),
    "initial": ("新密码不能与初始密码相同", "The new PIN may not be the initial PIN"),
    "same_as_old": ("新密码不能与原密码相同", "The new PIN must differ from the current one"),
    "mismatch": ("两次输入的新密码不一致，请重新设置", "The two new PINs differ; please set it again"),
    "incomplete": ("请输入6位数字密码", "Please enter 6 digits"),
}


def rule_error(key: str) -> PinRuleBroken:
    zh, en = RULES[key]
    return PinRuleBroken(f"new PIN rule: {key}", zh=zh, en=en, code=key)


def check_new(policy: PolicyProfile, new: PinBuffer, old: PinBuffer | None = None) -> None:
    """Raise PinRuleBroken naming the first rule ``new`` breaks. ``old`` is None where the flow never
    learns the current PIN (reset, unlock)."""
    if not new.complete:
        raise rule_error("incomplete")
    initial = policy.initial_pin   # first: the most specific reason for the citizen
    if initial and new.equals_text(initial):
        raise rule_error("initial")
    weakness = new.weakness()
    if weakness:
        raise rule_error(weakness)
    if old is not None and new.same_as(old):
        raise rule_error("same_as_old")


def check_twice(policy: PolicyProfile, new: PinBuffer, again: PinBuffer, old: PinBuffer | None = None) -> None:
    """The new PIN typed twice: the two must agree, then meet the rules."""
    if not new.same_as(again):
        raise rule_error("mismatch")
    check_new(policy, new, old)
