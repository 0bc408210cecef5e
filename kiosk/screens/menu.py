"""The services on the menu, most used first (elderly mode shows four tiles a page, so the commonest
come first), and the controller of each."""
from __future__ import annotations

from kiosk.i18n import _
from kiosk.screens.controller import MenuEntry
from kiosk.screens.services import ChangePinService, IssueService, LossService, ReleaseService, StatusService
from kiosk.screens.services_more import (AgentService, CancelInfoService, ContactService, EcardService,
                                         ReplaceService)
from kiosk.screens.services_pin import ActivateService, ResetPinService, UnlockService

ALL_SERVICES = [
    MenuEntry("status", "查", _("社保卡状态查询"), _("刷身份证即可查询")),
    MenuEntry("issue", "新", _("申领社保卡"), _("立等可取")),
    MenuEntry("activate", "启", _("启用社保卡"), _("新卡首次设置密码")),
    MenuEntry("change_pin", "密", _("修改社保卡密码"), _("需知道原密码")),
    MenuEntry("reset_pin", "重", _("忘记密码"), _("身份证+社保卡重置")),
    MenuEntry("unlock", "锁", _("密码解锁"), _("密码输错6次被锁")),
    MenuEntry("loss", "挂", _("社保卡挂失"), _("临时挂失 · 正式挂失")),
    MenuEntry("release", "解", _("解除挂失"), _("卡片找回后办理")),
    MenuEntry("replace", "补", _("补卡换卡"), _("丢失、损坏、到期")),
    MenuEntry("contact", "改", _("修改联系方式"), _("手机号、地址")),
    MenuEntry("ecard", "码", _("电子社保卡"), _("扫码申领")),
    MenuEntry("agent", "代", _("代办业务"), _("监护人、受托人代办")),
    MenuEntry("cancel", "销", _("注销说明"), _("注销如何办理")),
]

CONTROLLERS = {"status": StatusService, "issue": IssueService, "activate": ActivateService,
               "change_pin": ChangePinService, "reset_pin": ResetPinService, "unlock": UnlockService,
               "loss": LossService, "release": ReleaseService, "replace": ReplaceService,
               "contact": ContactService, "ecard": EcardService, "agent": AgentService,
               "cancel": CancelInfoService}
MENU = [item for item in ALL_SERVICES if item.key in CONTROLLERS]


def menu_for(policy) -> list[MenuEntry]:
    """What this region's kiosk offers: activation only where the kiosk knows the initial PIN."""
    from kiosk.flows.activate import ActivateFlow
    return [item for item in MENU if item.key != "activate" or ActivateFlow.offered(policy)]


def entry(key: str) -> MenuEntry:
    return next(item for item in ALL_SERVICES if item.key == key)
