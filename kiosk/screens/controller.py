"""What every service controller shares: a controller drives one citizen service through the screens,
with the flow's blocking steps on a worker; it owns the flow and the PIN buffers, and wipes both when the
session ends. Every text shown is a kiosk.i18n Text, so the language can change on any screen."""
from __future__ import annotations

import logging
import threading

from kiosk.errors import KioskError, Refusal
from kiosk.flows import registry
from kiosk.flows.pin_rules import PinRuleBroken
from kiosk.flows.representation import HOLDER
from kiosk.i18n import _, of_error
from kiosk.pin import PinBuffer

log = logging.getLogger(__name__)
WAIT_FOR_CARD_S = 60
TAKE_TIMEOUT_S = 60      # a new card waits this long at the gate before it is captured


class Controller:
    name = ""
    title = _("社会保障卡自助服务")

    def __init__(self, app, acting=HOLDER):
        # the registry says who may use the service: an actor it does not allow is refused here, loudly,
        # rather than served as if they were the holder (the acting menu never offers such a service)
        registry.service(self.name).require_actor(acting.role)
        self.app = app
        self.acting = acting
        self.devices = app.kiosk.devices
        self.cancelled = threading.Event()

    def run(self, fn, then) -> None:
        self.app.worker.run(fn, then, self.failed)

    def begin(self, check, then) -> None:
        """Check the devices the service needs (on a worker), then go on."""
        self.app.busy(_("正在检查设备"))
        self.run(check, lambda _r: then())

    def ask_id_card(self, hint, wait, then, title=None) -> None:
        """"Place your ID card": ``wait`` blocks on a worker; no card in time goes back to the start."""
        timeout = self.app.timeout_s(WAIT_FOR_CARD_S)
        self.app.wait(title or _("请将身份证放在读卡区"), hint, "id", timeout)
        self.run(lambda: wait(timeout, self.cancelled), lambda card: self.app.home() if card is None
                 else then(card))

    def ask_card(self, hint, wait, then, title=None) -> None:
        """"Insert your card" into the card reader; nothing in time goes back to the start."""
        timeout = self.app.timeout_s(WAIT_FOR_CARD_S)
        self.app.wait(title or _("请插入社保卡"), hint, "card", timeout)
        self.run(lambda: wait(timeout, self.cancelled), lambda card: self.app.home() if card is None
                 else then(card))

    def print_receipt(self, make_receipt, take=None) -> None:
        self.app.busy(_("正在打印凭条"))

        def work():
            self.devices.require("printer")
            self.devices.printer.print_receipt(make_receipt())
        self.run(work, lambda _r: self.app.message(_("凭条已打印"), _("请取走{what}，谢谢。", what=take or _("凭条和身份证")),
                                                   tone="good"))

    def receipt_button(self, make_receipt, take=None) -> tuple:
        return _("打印凭条"), lambda: self.print_receipt(make_receipt, take)

    def run_issuance(self, flow, then) -> None:
        """A new card made (kiosk.flows.issuance) with its steps on the progress screen; ``then`` gets the
        outcome. The session is held meanwhile: a card in the machine must not be wiped by the timer."""
        from kiosk.flows.issuance import STEPS_ZH
        self.app.show("issuing").show(list(STEPS_ZH.items()), "dispense")
        self.app.say(STEPS_ZH["dispense"])
        self.run(lambda: flow.run(self.app.timeout_s(TAKE_TIMEOUT_S), self.cancelled), then)

    def card_not_taken(self) -> None:
        self.app.message(_("卡片已回收"), _("您未在规定时间内取卡，卡片已被安全回收，申请仍然有效，请重新办理。"), tone="warn")

    def failed(self, exc: Exception) -> None:
        if isinstance(exc, KioskError):     # a Refusal or a fault: either way it has the citizen's words
            log.info("%s %s: %s", self.name, "refused" if isinstance(exc, Refusal) else "failed", exc.detail)
            self.app.message(_("无法继续办理"), of_error(exc), tone="bad")
        else:
            log.error("%s failed unexpectedly", self.name, exc_info=exc)
            self.app.message(_("系统繁忙"), _("系统暂时无法办理此业务，请稍后再试或联系工作人员。"), tone="bad")

    def stop(self) -> None:
        self.cancelled.set()


class PinSteps(Controller):
    """Asking a new PIN twice, the rules checked between: shared by change, activate, reset and unlock."""

    def __init__(self, app, acting=HOLDER):
        super().__init__(app, acting)
        self.new, self.again = PinBuffer(), PinBuffer()

    def ask_new(self, error="") -> None:
        self.new.clear()
        self.app.keypad("pin_new", _("请设置新密码"), _("6位数字，不能是相同或连续的数字，不能与初始密码相同"),
                        self.new, self._check_new, error)

    def _check_new(self) -> None:
        try:
            self.check_new()   # pure rules: fast enough for the UI thread
        except PinRuleBroken as exc:
            self.ask_new(of_error(exc))
            return
        self.again.clear()
        self.app.keypad("pin_again", _("请再次输入新密码"), _("再输入一次，确认新密码"), self.again, self._set)

    def _set(self) -> None:
        self.app.busy(_("正在设置密码"))
        self.app.worker.run(self.set_pin, self._pin_set, self._set_failed)

    def _set_failed(self, exc: Exception) -> None:
        if isinstance(exc, PinRuleBroken):
            self.ask_new(of_error(exc))
        else:
            self.failed(exc)

    def _pin_set(self, result) -> None:
        self.clear_pins()
        self.pin_set(result)

    def clear_pins(self) -> None:
        for pin in (self.new, self.again):
            pin.clear()

    def stop(self) -> None:
        super().stop()
        self.clear_pins()


def issuing_progress(app):
    """The issuance's step callback (a worker thread) → the progress screen (the UI thread)."""
    from kivy.clock import Clock

    from kiosk.flows.issuance import STEPS_ZH
    steps = list(STEPS_ZH.items())

    def progress(step):
        def show(_dt):
            if app.sm.current == "issuing":
                app.sm.get_screen("issuing").show(steps, step)
                app.say(STEPS_ZH.get(step, ""))
        Clock.schedule_once(show)
    return progress


