"""The steps every PIN-setting journey shares (change, activate, reset, unlock): a new PIN asked twice,
the region's rules checked between the two, then set on the card. A rule broken — here or by the card's
own check when the two differ — asks again, saying which rule."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from kiosk.flows.pin_rules import PinRuleBroken
from kiosk.flows.steps import EnterDigits, Message, Work
from kiosk.i18n import _, of_error
from kiosk.pin import PinBuffer

CONFIRM = "confirm"
DECLINED = object()       # what new_pin_twice returns when the citizen did not confirm: nothing was written


@dataclass
class Confirmation:
    """Asked after the second entry and before the card is written (a PIN change cannot be undone at the
    kiosk): ``check_both()`` first (pure: the two entries agree and keep the rules, so nobody confirms a PIN
    that would be refused), then ``message``, whose primary button answers CONFIRM."""
    check_both: Callable[[], None]
    message: Message


def new_pin_twice(new: PinBuffer, again: PinBuffer, check: Callable[[], None],
                  set_pin: Callable[[], Any], confirm: Confirmation | None = None):
    """``check()`` applies the rules to ``new`` (pure, no I/O); ``set_pin()`` writes it (a Work step).
    Returns what ``set_pin`` returned, or DECLINED when ``confirm`` was shown and not confirmed."""
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
            if confirm is not None:
                confirm.check_both()
                if (yield confirm.message) != CONFIRM:
                    return DECLINED
            return (yield Work(_("正在设置密码"), set_pin))
        except PinRuleBroken as exc:
            error = of_error(exc)


def clear(*pins: PinBuffer) -> None:
    for pin in pins:
        pin.clear()
