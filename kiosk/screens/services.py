"""Service controllers: drive one citizen service through the screens, with the flow's blocking steps
on a worker. A controller owns the flow and the PIN buffers, and wipes both when the session ends."""
from __future__ import annotations

import logging
import threading

from kiosk.flows.change_pin import ChangePinFlow, PinRuleBroken
from kiosk.flows.status_query import StatusQueryFlow
from kiosk.hw.base import DeviceError
from kiosk.hw.cardreader.apdu import PinBlocked, PinWrong
from kiosk.pin import PinBuffer

log = logging.getLogger(__name__)
WAIT_FOR_CARD_S = 60


class Controller:
    name = ""

    def __init__(self, app):
        self.app = app
        self.cancelled = threading.Event()

    def run(self, fn, then) -> None:
        self.app.worker.run(fn, then, self.failed)

    def begin(self, check, then) -> None:
        """Check the devices the service needs (on a worker), then go on."""
        self.app.busy("正在检查设备")
        self.run(check, lambda _: then())

    def ask_id_card(self, hint: str, wait, then) -> None:
        """"Place your ID card": ``wait`` blocks on a worker; no card in time goes back to the start."""
        self.app.wait("请将身份证放在读卡区", hint, "id", WAIT_FOR_CARD_S)
        self.run(lambda: wait(WAIT_FOR_CARD_S, self.cancelled), lambda card: self.app.home() if card is None
                 else then(card))

    def print_receipt(self, make_receipt, take: str = "凭条和身份证") -> None:
        self.app.busy("正在打印凭条")
        devices = self.app.kiosk.devices

        def work():
            devices.require("printer")
            devices.printer.print_receipt(make_receipt())
        self.run(work, lambda _: self.app.message("凭条已打印", f"请取走{take}，谢谢。", tone="good"))

    def failed(self, exc: Exception) -> None:
        if isinstance(exc, DeviceError):
            log.info("%s refused: %s", self.name, exc.detail)
            self.app.message("无法继续办理", exc.message("zh"), tone="bad")
        else:
            log.error("%s failed unexpectedly", self.name, exc_info=exc)
            self.app.message("系统繁忙", "系统暂时无法办理此业务，请稍后再试或联系工作人员。", tone="bad")

    def stop(self) -> None:
        self.cancelled.set()


class StatusService(Controller):
    name = "status"

    def __init__(self, app):
        super().__init__(app)
        self.flow = StatusQueryFlow(app.kiosk.devices)

    def start(self) -> None:
        self.begin(self.flow.check_devices, lambda: self.ask_id_card(
            "请将身份证平放在下方读卡区，读取完成前请勿移动", self.flow.wait_for_id_card, self.got_id_card))

    def got_id_card(self, _card) -> None:
        self.app.busy("正在查询")
        self.run(self.flow.query, self.show)

    def show(self, result) -> None:
        self.app.show("status_result").show(result, on_print=lambda: self.print_receipt(self.flow.receipt))

    def stop(self) -> None:
        super().stop()
        self.flow.wipe()


class ChangePinService(Controller):
    name = "change_pin"

    def __init__(self, app):
        super().__init__(app)
        self.flow = ChangePinFlow(app.kiosk.devices)
        self.old, self.new, self.again = PinBuffer(), PinBuffer(), PinBuffer()

    def start(self) -> None:
        self.begin(self.flow.check_devices, self.ask_card)

    def ask_card(self) -> None:
        self.app.wait("请插入社保卡", "芯片朝上，插入下方社保卡插口", "card", WAIT_FOR_CARD_S)
        self.run(lambda: self.flow.wait_for_card(WAIT_FOR_CARD_S, self.cancelled), self.got_card)

    def got_card(self, info) -> None:
        if info is None:
            self.app.home()
            return
        self.ask_old()

    def _pin(self, screen_name: str, prompt: str, hint: str, pin: PinBuffer, on_confirm, error: str = ""):
        pin.clear()
        self.app.show(screen_name).ask(prompt, hint, pin, on_confirm, error)

    def ask_old(self, error: str = "") -> None:
        initial = self.app.kiosk.devices.policy.initial_pin
        hint = (f"此卡尚未启用，请输入初始密码（{initial}）" if self.flow.activating and initial
                else "请输入社保卡当前的6位密码，注意遮挡")
        self._pin("pin_old", "请输入原密码", hint, self.old, self.verify_old, error)

    def verify_old(self) -> None:
        self.app.busy("正在验证密码")
        self.app.worker.run(lambda: self.flow.verify_old(self.old), lambda _: self.ask_new(), self.old_failed)

    def old_failed(self, exc: Exception) -> None:
        if isinstance(exc, PinWrong):
            self.ask_old(exc.zh)
        elif isinstance(exc, PinBlocked):
            self.app.message("密码已锁定", exc.zh + "。请取走社保卡。", tone="bad")
        else:
            self.failed(exc)

    def ask_new(self, error: str = "") -> None:
        self._pin("pin_new", "请设置新密码", "6位数字，不能是相同或连续的数字，不能与初始密码相同",
                  self.new, self.check_new, error)

    def check_new(self) -> None:
        try:
            self.flow.check_new(self.old, self.new)   # pure rules: fast enough for the UI thread
        except PinRuleBroken as exc:
            self.ask_new(exc.zh)
            return
        self._pin("pin_again", "请再次输入新密码", "再输入一次，确认新密码", self.again, self.change)

    def change(self) -> None:
        self.app.busy("正在修改密码")
        self.app.worker.run(lambda: self.flow.change(self.old, self.new, self.again), self.changed,
                            self.change_failed)

    def change_failed(self, exc: Exception) -> None:
        if isinstance(exc, PinRuleBroken):
            self.ask_new(exc.zh)
        else:
            self.failed(exc)

    def changed(self, _) -> None:
        for pin in (self.old, self.new, self.again):
            pin.clear()
        body = ("社保功能已启用。" if self.flow.activating else "") + "请牢记新密码，并取走社保卡。"
        self.app.message("密码修改成功", body, tone="good",
                         secondary=("打印凭条", lambda: self.print_receipt(self.flow.receipt, "凭条和社保卡")))

    def stop(self) -> None:
        super().stop()
        for pin in (self.old, self.new, self.again):
            pin.clear()
        self.flow.wipe()


class IssueService(Controller):
    """Apply for a new card and take it away (即时制卡): ID card → eligibility at the service → confirm →
    the issuance with its steps on screen → the card at the gate."""
    name = "issue"
    TAKE_TIMEOUT_S = 60
    NEEDS = ("idreader", "service", "cardissuer", "issuer_reader", "faceprinter")

    def __init__(self, app):
        super().__init__(app)
        self.id_card = None
        self.application = None
        self.flow = None

    def start(self) -> None:
        devices = self.app.kiosk.devices
        self.begin(lambda: devices.require(*self.NEEDS), lambda: self.ask_id_card(
            "申领新卡需核验本人身份证", devices.idreader.wait_for_card, self.got_id_card))

    def got_id_card(self, card) -> None:
        self.id_card = card
        self.app.busy("正在核验申领条件")
        self.run(self._apply, self.confirm)

    def _apply(self) -> dict:
        """Eligibility is the service's to decide (one card per province, insured, photo…): it refuses in words."""
        service = self.app.kiosk.devices.service
        status = service.card_status(self.id_card.id_number)
        pending = status["application"]
        if pending and pending["kind"] == "new" and pending["state"] == "accepted":
            return service.application(pending["id"])
        return service.apply(self.id_card.id_number, "new", photo=True)

    def confirm(self, application) -> None:
        self.application = application
        from kiosk import masking
        self.app.message("确认申领社保卡", f"{masking.name(self.id_card.name)}，您符合申领条件，新卡免费。\n"
                                          "点击“开始制卡”，约一分钟后在出卡口取卡。", tone="info",
                         primary=("开始制卡", self.issue), secondary=("返回首页", self.app.home))

    def issue(self) -> None:
        from kiosk.flows.issuance import STEPS_ZH, IssuanceFlow
        from kiosk.hw.camera import SimulatedCamera
        steps = list(STEPS_ZH.items())
        screen = self.app.show("issuing")
        screen.show(steps, "dispense")

        def progress(step):
            from kivy.clock import Clock
            Clock.schedule_once(lambda _dt: screen.show(steps, step) if self.app.sm.current == "issuing" else None)
        self.flow = IssuanceFlow(self.app.kiosk.devices, self.application["id"], self.id_card.name,
                                 self.id_card.id_number, photo=SimulatedCamera().capture().resize((102, 126)),
                                 on_progress=progress)
        self.app.hold_session = True        # a card in the machine: the inactivity timer must not wipe this
        self.run(lambda: self.flow.run(self.TAKE_TIMEOUT_S, self.cancelled), self.done)

    def done(self, outcome) -> None:
        self.app.hold_session = False
        initial = self.app.kiosk.devices.policy.initial_pin
        if outcome.taken:
            self.app.message("制卡完成", f"请妥善保管您的社保卡（卡号 {outcome.card_number}）。\n"
                                         f"新卡尚未启用，请选择“修改社保卡密码”，输入初始密码{initial or ''}并设置新密码。",
                             tone="good", secondary=("打印凭条", lambda: self.print_receipt(
                                 lambda: self.flow.receipt(outcome.card_number))))
        else:
            self.app.message("卡片已回收", "您未在规定时间内取卡，卡片已被安全回收，申请仍然有效，请重新办理。", tone="warn")

    def failed(self, exc: Exception) -> None:
        self.app.hold_session = False
        super().failed(exc)

    def stop(self) -> None:
        super().stop()
        if self.id_card:
            self.id_card.wipe()


class LossService(Controller):
    """Report a lost card (挂失): the holder's ID card, then temporary (where offered) or formal."""
    name = "loss"

    def __init__(self, app):
        super().__init__(app)
        from kiosk.flows.loss import LossReportFlow
        self.flow = LossReportFlow(app.kiosk.devices)

    def start(self) -> None:
        self.begin(self.flow.check_devices, lambda: self.ask_id_card(
            "挂失须核验本人身份证", self.flow.wait_for_id_card, self.choose))

    def choose(self, _card) -> None:
        lapse = self.app.kiosk.devices.policy.temp_loss_lapse_days
        body = "正式挂失后原卡不能再使用，需办理补卡。"
        temporary = None
        if "temporary" in self.flow.kinds():
            body = f"临时挂失{lapse}天后自动解除，适合暂时找不到卡片；" + body
            temporary = ("临时挂失", lambda: self.report("temporary"))
        self.app.message("请选择挂失方式", body, tone="info", primary=("正式挂失", lambda: self.report("formal")),
                         secondary=temporary)

    def report(self, kind: str) -> None:
        self.app.busy("正在办理挂失")
        self.run(lambda: self.flow.report(kind), self.done)

    def done(self, result) -> None:
        if result["state"] == "temp_lost":
            body = f"已临时挂失，将于{result['lapses_at'][:10]}自动解除。找到卡片后可持身份证和社保卡解除挂失。"
        else:
            body = "已正式挂失，原卡已停用。请办理补卡，账户资金不受影响。"
        self.app.message("挂失成功", body, tone="good",
                         secondary=("打印凭条", lambda: self.print_receipt(self.flow.receipt)))

    def stop(self) -> None:
        super().stop()
        self.flow.wipe()


class ReleaseService(Controller):
    """Release a loss report (解挂): ID card and the holder's own card."""
    name = "release"

    def __init__(self, app):
        super().__init__(app)
        from kiosk.flows.loss import ReleaseFlow
        self.flow = ReleaseFlow(app.kiosk.devices)

    def start(self) -> None:
        self.begin(self.flow.check_devices, lambda: self.ask_id_card(
            "解除挂失须本人身份证和社保卡", self.flow.wait_for_id_card, self.ask_card))

    def ask_card(self, _id_card) -> None:
        self.app.wait("请插入找回的社保卡", "芯片朝上，插入下方社保卡插口", "card", WAIT_FOR_CARD_S)
        self.run(lambda: self.flow.wait_for_card(WAIT_FOR_CARD_S, self.cancelled), self.release)

    def release(self, card_number) -> None:
        if card_number is None:
            self.app.home()
            return
        self.app.busy("正在解除挂失")
        self.run(self.flow.release, lambda _: self.app.message(
            "已解除挂失", "您的社保卡已恢复正常使用。请取走社保卡和身份证。", tone="good"))

    def stop(self) -> None:
        super().stop()
        self.flow.wipe()


CONTROLLERS = {"status": StatusService, "change_pin": ChangePinService, "issue": IssueService,
               "loss": LossService, "release": ReleaseService}
