"""The first services: status, change PIN, apply for a card, report a loss and release it."""
from __future__ import annotations

from kiosk import masking
from kiosk.flows import registry, representation
from kiosk.flows.change_pin import ChangePinFlow
from kiosk.flows.representation import HOLDER
from kiosk.flows.status_query import StatusQueryFlow
from kiosk.hw.cardreader.apdu import PinBlocked, PinWrong
from kiosk.i18n import _, join, of_error
from kiosk.pin import PinBuffer
from kiosk.screens.controller import Controller, PinSteps, issuing_progress


class StatusService(Controller):
    name = "status"
    title = _("社保卡状态查询")

    def __init__(self, app, acting=HOLDER):
        super().__init__(app, acting)
        self.flow = StatusQueryFlow(self.devices, acting)

    def start(self) -> None:
        from kiosk.screens.services_pin import holder_id_title
        self.begin(self.flow.check_devices, lambda: self.ask_id_card(
            _("请将身份证平放在下方读卡区，读取完成前请勿移动"), self.flow.wait_for_id_card, self.got_id_card,
            title=holder_id_title(self.acting)))

    def got_id_card(self, _card) -> None:
        self.app.busy(_("正在查询"))
        self.run(self.flow.query, self.show)

    def show(self, result) -> None:
        self.app.show("status_result").show(result, on_print=lambda: self.print_receipt(self.flow.receipt))
        self.app.say(result.state.label_zh)

    def stop(self) -> None:
        super().stop()
        self.flow.wipe()


class ChangePinService(PinSteps):
    name = "change_pin"
    title = _("修改社保卡密码")

    def __init__(self, app, acting=HOLDER):
        super().__init__(app, acting)
        self.flow = ChangePinFlow(self.devices)
        self.old = PinBuffer()

    def start(self) -> None:
        self.begin(self.flow.check_devices, lambda: self.ask_card(
            _("芯片朝上，插入下方社保卡插口"), self.flow.wait_for_card, lambda _info: self.ask_old()))

    def ask_old(self, error="") -> None:
        initial = self.devices.policy.initial_pin
        hint = (_("此卡尚未启用，请输入初始密码（{pin}）", pin=initial) if self.flow.activating and initial
                else _("请输入社保卡当前的6位密码，注意遮挡"))
        self.old.clear()
        self.app.keypad("pin_old", _("请输入原密码"), hint, self.old, self.verify_old, error)

    def verify_old(self) -> None:
        self.app.busy(_("正在验证密码"))
        self.app.worker.run(lambda: self.flow.verify_old(self.old), lambda _r: self.ask_new(), self.old_failed)

    def old_failed(self, exc: Exception) -> None:
        if isinstance(exc, PinWrong):
            self.ask_old(of_error(exc))
        elif isinstance(exc, PinBlocked):
            self.app.message(_("密码已锁定"), join(of_error(exc), _("。请持身份证和社保卡选择“密码解锁”。")), tone="bad")
        else:
            self.failed(exc)

    def check_new(self) -> None:
        self.flow.check_new(self.old, self.new)

    def set_pin(self) -> None:
        self.flow.change(self.old, self.new, self.again)

    def pin_set(self, _result) -> None:
        self.old.clear()
        body = join(_("社保功能已启用。") if self.flow.activating else "", _("请牢记新密码，并取走社保卡。"))
        self.app.message(_("密码修改成功"), body, tone="good",
                         secondary=self.receipt_button(self.flow.receipt, _("凭条和社保卡")))

    def stop(self) -> None:
        super().stop()
        self.old.clear()
        self.flow.wipe()


class IssueService(Controller):
    """Apply for a new card and take it away (即时制卡): ID card → eligibility at the service → confirm →
    the issuance with its steps on screen → the card at the gate."""
    name = "issue"
    title = _("申领社保卡")

    def __init__(self, app, acting=HOLDER):
        super().__init__(app, acting)
        self.id_card = None
        self.application = None
        self.flow = None

    def start(self) -> None:
        from kiosk.screens.services_pin import holder_id_title
        self.begin(lambda: self.devices.require(*registry.service(self.name).needs), lambda: self.ask_id_card(
            _("申领新卡需核验本人身份证") if self.acting is HOLDER else _("为他人申领，须放置持卡人（被代办人）的身份证"),
            self.devices.idreader.wait_for_card, self.got_id_card, title=holder_id_title(self.acting)))

    def got_id_card(self, card) -> None:
        self.id_card = card
        self.app.busy(_("正在核验申领条件"))
        self.run(self._apply, self.confirm)

    def _apply(self) -> dict:
        """Eligibility is the service's to decide (one card per province, insured, photo…): it refuses in words."""
        service = self.devices.service
        representation.require_may_act(self.devices.policy, self.acting, "issue", self.id_card)
        status = service.card_status(self.id_card.id_number)
        pending = status["application"]
        if pending and pending["kind"] == "new" and pending["state"] == "accepted":
            return service.application(pending["id"])
        return service.apply(self.id_card.id_number, "new", photo=True, **self.acting.apply_fields())

    def confirm(self, application) -> None:
        self.application = application
        self.app.message(_("确认申领社保卡"), _("{name}，您符合申领条件，新卡免费。\n点击“开始制卡”，约一分钟后在出卡口取卡。",
                                           name=masking.name(self.id_card.name)), tone="info",
                         primary=(_("开始制卡"), self.issue), secondary=(_("返回首页"), self.app.home))

    def issue(self) -> None:
        from kiosk.flows.issuance import IssuanceFlow
        camera = self.devices.camera       # [camera] device = "none": the face is printed without a photo
        self.flow = IssuanceFlow(self.devices, self.application["id"], self.id_card.name, self.id_card.id_number,
                                 photo=camera.capture().resize((102, 126)) if camera else None,
                                 on_progress=issuing_progress(self.app))
        self.run_issuance(self.flow, self.done)

    def done(self, outcome) -> None:
        initial = self.devices.policy.initial_pin
        if outcome.taken:
            self.app.message(_("制卡完成"), _("请妥善保管您的社保卡（卡号 {number}）。\n新卡尚未启用，请选择“启用社保卡”设置您的密码。",
                                          number=outcome.card_number) if initial else
                             _("请妥善保管您的社保卡（卡号 {number}）。", number=outcome.card_number),
                             tone="good", secondary=self.receipt_button(lambda: self.flow.receipt(outcome.card_number),
                                                                         _("凭条和身份证")))
        else:
            self.card_not_taken()

    def stop(self) -> None:
        super().stop()
        if self.id_card:
            self.id_card.wipe()


class LossService(Controller):
    """Report a lost card (挂失): the holder's ID card, then temporary (where offered) or formal."""
    name = "loss"
    title = _("社保卡挂失")

    def __init__(self, app, acting=HOLDER):
        super().__init__(app, acting)
        from kiosk.flows.loss import LossReportFlow
        self.flow = LossReportFlow(self.devices, acting)

    def start(self) -> None:
        from kiosk.screens.services_pin import holder_id_title
        self.begin(self.flow.check_devices, lambda: self.ask_id_card(
            _("挂失须核验本人身份证") if self.acting is HOLDER else _("代办挂失，须放置持卡人（被代办人）的身份证"),
            self.flow.wait_for_id_card, self.choose, title=holder_id_title(self.acting)))

    def choose(self, _card) -> None:
        lapse = self.devices.policy.temp_loss_lapse_days
        options = []
        if "temporary" in self.flow.kinds():
            options.append(("temporary", _("临时挂失（{days}天后自动解除）", days=lapse), lambda: self.report("temporary")))
        options.append(("formal", _("正式挂失（原卡停用，需补卡）"), lambda: self.report("formal")))
        body = _("暂时找不到卡片可选临时挂失；确已丢失请选正式挂失。") if len(options) > 1 else \
            _("正式挂失后原卡不能再使用，需办理补卡。")
        self.app.choose(_("请选择挂失方式"), body, options)

    def report(self, kind: str) -> None:
        self.app.busy(_("正在办理挂失"))
        self.run(lambda: self.flow.report(kind), self.done)

    def done(self, result) -> None:
        if result["state"] == "temp_lost":
            body = _("已临时挂失，将于{date}自动解除。找到卡片后可持身份证和社保卡解除挂失。", date=result["lapses_at"][:10])
        else:
            body = _("已正式挂失，原卡已停用。请办理补卡，账户资金不受影响。")
        self.app.message(_("挂失成功"), body, tone="good", secondary=self.receipt_button(self.flow.receipt))

    def stop(self) -> None:
        super().stop()
        self.flow.wipe()


class ReleaseService(Controller):
    """Release a loss report (解挂): ID card and the holder's own card."""
    name = "release"
    title = _("解除挂失")

    def __init__(self, app, acting=HOLDER):
        super().__init__(app, acting)
        from kiosk.flows.loss import ReleaseFlow
        self.flow = ReleaseFlow(self.devices)

    def start(self) -> None:
        self.begin(self.flow.check_devices, lambda: self.ask_id_card(
            _("解除挂失须本人身份证和社保卡"), self.flow.wait_for_id_card, lambda _c: self.ask_card(
                _("芯片朝上，插入下方社保卡插口"), self.flow.wait_for_card, self.release, title=_("请插入找回的社保卡"))))

    def release(self, _card_number) -> None:
        self.app.busy(_("正在解除挂失"))
        self.run(self.flow.release, lambda _r: self.app.message(
            _("已解除挂失"), _("您的社保卡已恢复正常使用。请取走社保卡和身份证。"), tone="good",
            secondary=self.receipt_button(self.flow.receipt, _("凭条、社保卡和身份证"))))

    def stop(self) -> None:
        super().stop()
        self.flow.wipe()
