"""Services that set the card's PIN with the holder's ID card and the card (domain.md §2, 4, 5):
activate (the kiosk types the region's initial PIN itself), reset a forgotten PIN, unlock a locked one."""
from __future__ import annotations

from kiosk.flows import pin_rules
from kiosk.flows.activate import ActivateFlow
from kiosk.flows.reset_pin import ResetPinFlow
from kiosk.flows.representation import HOLDER, Role
from kiosk.flows.unlock import UnlockFlow
from kiosk.i18n import _, join
from kiosk.screens.controller import PinSteps


def holder_id_title(acting):
    """Whose ID card to place: the holder's own, or (someone acting) the holder's after the actor's."""
    return _("请将身份证放在读卡区") if acting.role is Role.HOLDER else _("请放置持卡人（被代办人）的身份证")


class HolderPinService(PinSteps):
    """ID card → card (the holder's, current, in a state this service serves) → new PIN twice → set."""
    flow_class = None
    done_title = _("密码设置成功")

    def __init__(self, app, acting=HOLDER):
        super().__init__(app, acting)
        self.flow = self.flow_class(self.devices, acting)

    def start(self) -> None:
        self.begin(self.flow.check_devices, lambda: self.ask_id_card(
            _("本业务须核验持卡人身份证和社保卡"), self.flow.wait_for_id_card, self.got_id_card,
            title=holder_id_title(self.acting)))

    def got_id_card(self, _id_card) -> None:
        self.ask_card(_("芯片朝上，插入下方社保卡插口"), self.flow.wait_for_card, lambda _info: self.ask_new())

    def check_new(self) -> None:
        pin_rules.check_new(self.devices.policy, self.new)

    def pin_set(self, told) -> None:
        later = "" if told else _("（系统将稍后同步）")
        self.app.message(self.done_title, join(self.done_body, later, _("请牢记新密码，并取走社保卡和身份证。")),
                         tone="good", secondary=self.receipt_button(self.flow.receipt, _("凭条、社保卡和身份证")))

    def stop(self) -> None:
        super().stop()
        self.flow.wipe()


class ActivateService(HolderPinService):
    name = "activate"
    title = _("启用社保卡")
    flow_class = ActivateFlow
    done_title = _("社保功能已启用")
    done_body = _("您的社保卡已可以使用。")

    def set_pin(self):
        return self.flow.activate(self.new, self.again)


class ResetPinService(HolderPinService):
    name = "reset_pin"
    title = _("忘记密码")
    flow_class = ResetPinFlow
    done_title = _("密码已重置")
    done_body = _("新密码已生效。")

    def set_pin(self):
        return self.flow.reset(self.new, self.again)


class UnlockService(HolderPinService):
    name = "unlock"
    title = _("密码解锁")
    flow_class = UnlockFlow
    done_title = _("密码已解锁")
    done_body = _("密码锁定已解除，新密码已生效。")

    def set_pin(self):
        return self.flow.unlock(self.new, self.again)
