"""The steps every PIN-setting journey shares (change, activate, reset, unlock): a new PIN asked twice,
the region's rules checked between the two, then set on the card. A rule broken — here or by the card's
own check when the two differ — asks again, saying which rule."""
from __future__ import annotations

from typing import Any, Callable

from kiosk.flows.pin_rules import PinRuleBroken
from kiosk.flows.steps import EnterDigits, Work
from kiosk.i18n import _, of_error
from kiosk.pin import PinBuffer


def new_pin_twice(new: PinBuffer, again: PinBuffer, check: Callable[[], None],
                  set_pin: Callable[[], Any]):
    """``check()`` applies the rules to ``new`` (pure, no I/O); ``set_pin()`` writes it (a Work step).
    Returns what ``set_pin`` returned."""
    error = ""
    while True:
        new.clear()
        yield EnterDigits("pin_new", _("请设置新密码"), _("6位数字，不能是相同或连续的数字，不能与初始密码相同"), new, error)
        try:
            check()
        except PinRuleBroken as exc:
            error = of_error(exc)
            continue
        again.clear()
        yield EnterDigits("pin_again", _("请再次输入新密码"), _("再输入一次，确认新密码"), again)
        try:
            return (yield Work(_("正在设置密码"), set_pin))
        except PinRuleBroken as exc:
            error = of_error(exc)


def clear(*pins: PinBuffer) -> None:
    for pin in pins:
        pin.clear()
