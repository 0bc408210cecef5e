"""Replacement and renewal with the fee paid by QR, contact changes, the e-card's sign-up QR, the
cancellation guide, and acting for someone else (guardian or agent)."""
from __future__ import annotations

from kiosk.flows import registry
from kiosk.flows.cancellation import CancellationFlow
from kiosk.flows.contact import ContactFlow
from kiosk.flows.ecard import EcardFlow
from kiosk.flows.replacement import ReplacementFlow
from kiosk.flows.representation import HOLDER, RepresentationFlow, Role
from kiosk.i18n import _, both, join, of_error
from kiosk.screens.controller import Controller, issuing_progress
from kiosk.screens.services_pin import holder_id_title
from kiosk.screens.views import DigitBuffer

PAY_TIMEOUT_S = 180          # scanning, confirming on the phone and paying: three minutes
OLD_CARD_TIMEOUT_S = 60


class ReplaceService(Controller):
    """补卡/换卡: ID card → the old card into the module's gate (unless lost) → why → the fee by QR → the
    old card captured → the new card made → receipt."""
    name = "replace"
    title = _("补卡换卡")

    def __init__(self, app, acting=HOLDER):
        super().__init__(app, acting)
        self.flow = ReplacementFlow(self.devices)

    def start(self) -> None:
        self.begin(self.flow.check_devices, lambda: self.ask_id_card(
            _("补换卡须核验本人身份证"), self.flow.wait_for_id_card, self.got_id_card))

    def got_id_card(self, _card) -> None:
        if self.flow.old_card_expected():
            self.ask_old_card()
        else:
            self.choose_reason()

    def ask_old_card(self) -> None:
        timeout = self.app.timeout_s(OLD_CARD_TIMEOUT_S)
        self.app.wait(_("请将原社保卡插入制卡模块入卡口"), _("芯片朝上，插入右侧出卡口；原卡将被回收销毁"), "card", timeout)
        self.run(lambda: self.flow.take_old_card(timeout, self.cancelled, on_progress=self.old_card_progress),
                 self.got_old_card)

    def old_card_progress(self, step: str) -> None:
        """The module's steps with the old card (worker thread) → the screen (UI thread)."""
        from kivy.clock import Clock
        texts = {"reading": _("正在读取原卡，请稍候"), "returning": _("此卡不能受理，正在退回，请在出卡口取回")}
        if step in texts:
            # only while this service is still the one on screen (a late step must not cover the start screen)
            Clock.schedule_once(lambda _dt: self.app.busy(texts[step]) if self.app.controller is self else None)

    def got_old_card(self, old) -> None:
        if old is None:
            self.app.home()
            return
        self.choose_reason()

    def choose_reason(self) -> None:
        reasons = self.flow.reasons()
        offered = [r for r in reasons if r.offered]
        if not offered:
            note = next((both(r.note_zh, r.note_en) for r in reasons if r.note_zh), _("您的社保卡目前不能补换，请到窗口咨询。"))
            self.app.message(_("暂不能补换卡"), note, tone="warn", primary=(_("返回首页"), self.give_up))
            return
        options = []
        for reason in offered:
            fee = _("（免费）") if reason.fee_yuan == 0 else (
                _("（{yuan}元）", yuan=reason.fee_yuan) if reason.fee_yuan else "")
            options.append((reason.key, join(both(reason.zh, reason.en), fee), lambda r=reason.key: self.apply(r)))
        self.app.choose(_("请选择补换卡原因"), _("原卡回收后不能再使用，账户资金不受影响。"), options)

    def apply(self, reason: str) -> None:
        self.app.busy(_("正在提交申请"))
        self.run(lambda: self.flow.apply(reason), lambda _a: self.pay())

    def pay(self) -> None:
        qr = self.flow.pay_qr
        if qr is None:
            self.make_card()
            return
        timeout = self.app.timeout_s(PAY_TIMEOUT_S)
        self.app.qr(_("请扫码缴纳补换卡费 {yuan} 元", yuan=f"{self.flow.fee_yuan:g}"),
                    _("请用手机扫描右侧二维码完成支付，支付成功后自动开始制卡。"),
                    _("收费标准由省级价格主管部门核定，由合作银行代收。请在{n}秒内完成支付。", n=timeout),
                    qr, (_("不缴费，退出"), self.give_up), limit_s=timeout)
        self.run(lambda: self.flow.wait_for_payment(timeout, self.cancelled), self.paid)

    def paid(self, ok: bool) -> None:
        if not ok:
            self.app.message(_("未完成缴费"), _("未收到缴费，未制卡。原卡已退回，请取走。"), tone="warn",
                             primary=(_("返回首页"), self.give_up))
            return
        self.make_card()

    def make_card(self) -> None:
        camera = self.devices.camera       # [camera] device = "none": the face is printed without a photo

        def work():
            self.flow.capture_old_card()
            return self.flow.issuance(photo=camera.capture().resize((102, 126)) if camera else None,
                                      on_progress=issuing_progress(self.app))
        self.app.busy(_("正在回收原卡"))
        self.run(work, self.issue)

    def issue(self, issuance) -> None:
        self.run_issuance(issuance, self.done)

    def done(self, outcome) -> None:
        if outcome.taken:
            self.app.message(_("补换卡完成"), _("请取走新卡（卡号 {number}），原卡已回收。新卡须先启用再使用。",
                                            number=outcome.card_number), tone="good",
                             secondary=self.receipt_button(lambda: self.flow.receipt(outcome.card_number)))
        else:
            self.card_not_taken()

    def cancel(self) -> None:
        self.give_up()

    def give_up(self) -> None:
        """Leaving before the new card: the old card, if held, goes back to its holder through the gate
        (and is captured if left there: ReplacementFlow.return_old_card)."""
        self.cancelled.set()                   # ends a payment or card wait still running on a worker
        old = self.flow.old_card
        if old is not None and not old.captured:
            self.app.busy(_("正在退回原卡，请在出卡口取回"))
            self.app.worker.new_session()      # a late answer of the ended wait must not come back
            self.run(self.flow.return_old_card, lambda _r: self.app.home())
        else:
            self.app.home()

    def stop(self) -> None:
        super().stop()
        self.flow.wipe()


class ContactService(Controller):
    """非关键信息变更: ID card → a new mobile number on the keypad, or the ID card's address → done."""
    name = "contact"
    title = _("修改联系方式")

    def __init__(self, app, acting=HOLDER):
        super().__init__(app, acting)
        self.flow = ContactFlow(self.devices, acting)
        self.phone = DigitBuffer(11)

    def start(self) -> None:
        self.begin(self.flow.check_devices, lambda: self.ask_id_card(
            _("修改联系方式须核验持卡人身份证"), self.flow.wait_for_id_card, self.choose, title=holder_id_title(self.acting)))

    def choose(self, _card) -> None:
        current = self.flow.current_phone_masked
        body = _("当前登记手机号：{phone}", phone=current) if current else _("当前未登记手机号")
        self.app.choose(_("请选择要修改的内容"), body, [
            ("phone", _("修改手机号码"), self.ask_phone),
            ("address", _("通讯地址改为身份证地址"), self.confirm_address)])

    def ask_phone(self, error="") -> None:
        self.phone.clear()
        self.app.keypad("digits", _("请输入新的手机号码"), _("11位手机号码，用于接收社保卡业务通知"), self.phone,
                        self.set_phone, error, secret=False)

    def set_phone(self) -> None:
        try:
            masked = self.flow.set_phone(self.phone.text())
        except Exception as exc:     # ContactInvalid: say why and ask again
            self.ask_phone(of_error(exc))
            return
        self.submit(_("手机号码已改为 {phone}。", phone=masked))

    def confirm_address(self) -> None:
        address = self.flow.address_on_id_card()
        self.app.message(_("确认通讯地址"), _("将您的通讯地址改为身份证上的地址：\n{address}", address=address), tone="info",
                         primary=(_("确认修改"), self.use_id_address), secondary=(_("返回首页"), self.app.home))

    def use_id_address(self) -> None:
        self.flow.use_id_card_address()
        self.submit(_("通讯地址已更新。"))

    def submit(self, what) -> None:
        self.app.busy(_("正在提交"))
        self.run(self.flow.submit, lambda _r: self.app.message(
            _("联系方式已修改"), join(what, _("请取走身份证。")), tone="good",
            secondary=self.receipt_button(self.flow.receipt)))

    def stop(self) -> None:
        super().stop()
        self.phone.clear()
        self.flow.wipe()


class EcardService(Controller):
    """电子社保卡: ID card → the e-card's usability → the sign-up QR code to scan with a phone."""
    name = "ecard"
    title = _("电子社保卡")

    def __init__(self, app, acting=HOLDER):
        super().__init__(app, acting)
        self.flow = EcardFlow(self.devices, acting)

    def start(self) -> None:
        self.begin(self.flow.check_devices, lambda: self.ask_id_card(
            _("申领电子社保卡须核验本人身份证"), self.flow.wait_for_id_card, self.got_id_card))

    def got_id_card(self, _card) -> None:
        self.app.busy(_("正在查询"))
        self.run(self.flow.sign_up, self.show)

    def show(self, offer) -> None:
        self.app.qr(_("扫码申领电子社保卡"), _("请用手机微信、支付宝或掌上12333扫描右侧二维码，按提示完成实名认证。"),
                    _("电子社保卡与实体社保卡同等有效，可用于就医购药、查询社保。"), offer.payload, (_("完成"), self.app.home),
                    extra=self.receipt_button(self.flow.receipt, _("凭条和身份证")))

    def stop(self) -> None:
        super().stop()
        self.flow.wipe()


class CancelInfoService(Controller):
    """Cancellation (注销) is explained, never performed at the kiosk (domain.md §12)."""
    name = "cancel"
    title = _("注销说明")

    def __init__(self, app, acting=HOLDER):
        super().__init__(app, acting)
        self.flow = CancellationFlow(self.devices)

    def start(self) -> None:
        guide = self.flow.guide()
        steps = [join(_("第{n}步：", n=i), both(s.title.zh, s.title.en), _("——"), both(s.where.zh, s.where.en))
                 for i, s in enumerate(guide.steps, 1)]
        body = join(*[join(step, "\n") for step in steps], both(guide.notes[0].zh, guide.notes[0].en))
        self.app.message(_("注销须到窗口办理"), body, tone="info",
                         secondary=self.receipt_button(self.flow.receipt, _("凭条")))


class AgentService(Controller):
    """代办: who acts (a guardian for a minor, an agent with the holder's power of attorney) → the actor's
    own ID card → the service → that service runs for the holder, whose ID card it asks next."""
    name = "agent"
    title = _("代办业务")

    def __init__(self, app, acting=HOLDER):
        super().__init__(app, acting)
        self.flow = None

    def start(self) -> None:
        limit = self.devices.policy.guardian_below_age or 18
        self.app.choose(_("请选择代办身份"), _("代办人须年满18周岁，并携带本人身份证。"), [
            ("guardian", _("监护人为未满{age}周岁的子女办理", age=limit), lambda: self.role(Role.GUARDIAN)),
            ("agent", _("受持卡人委托代办（须有授权委托书）"), self.ask_attorney)])

    def ask_attorney(self) -> None:
        self.app.message(_("授权委托书"), _("代办须持有持卡人本人签署的授权委托书，工作人员可能核查。\n"
                                       "密码类业务和电子社保卡须本人办理。"), tone="info",
                         primary=(_("我持有授权委托书"), lambda: self.role(Role.AGENT, power_of_attorney=True)),
                         secondary=(_("返回首页"), self.app.home))

    def role(self, role: Role, power_of_attorney: bool = False) -> None:
        # only what the registry lets this role use here: a service not built for acting is never offered
        options = [(s.key, s.title, lambda k=s.key: self.choose_service(role, power_of_attorney, k))
                   for s in registry.offered_to(self.devices.policy, role)]
        self.app.choose(_("请选择代办的业务"), "", options)

    def choose_service(self, role: Role, power_of_attorney: bool, service: str) -> None:
        self.flow = RepresentationFlow(self.devices, service)
        self.flow.choose(role, power_of_attorney)
        self.ask_id_card(_("请代办人（监护人）放置本人身份证，读取后请取回"), self.flow.wait_for_actor_id_card,
                         lambda _actor: self.handover(service), title=_("请放置代办人本人的身份证"))

    def handover(self, service: str) -> None:
        """The actor takes their ID card back; then the chosen service takes over, acting for the holder
        (it asks for the holder's ID card next). The actor's card data is wiped now."""
        acting = self.flow.acting
        self.flow.wipe()
        timeout = self.app.timeout_s(60)
        self.app.wait(_("请取回代办人身份证"), _("取回后，请放置持卡人（被代办人）的身份证"), "id", timeout)
        self.run(lambda: self.devices.idreader.wait_for_removal(timeout, self.cancelled),
                 lambda removed: self.app.start_service(service, acting=acting) if removed else self.app.home())
