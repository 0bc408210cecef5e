"""The first half of every service done with "the card and the holder's valid ID" (reset, unlock,
activation): the holder's ID card (after the actor's, when someone acts for the holder), who may act, then
the card, confirmed to be the holder's current card. Subclasses say which service they are (SERVICE, for
the representation rules) and which card states they refuse (check_card)."""
from __future__ import annotations

import threading

from kiosk.errors import Refusal
from kiosk.flows import identity, pin_rules, pin_steps, representation
from kiosk.flows.base import Devices
from kiosk.flows.representation import HOLDER, Acting
from kiosk.flows.steps import InsertCard, PlaceIdCard, Work, finish
from kiosk.hw.cardreader.ssse import CardInfo, SocialSecurityCard
from kiosk.hw.idreader.idcard import IdCard
from kiosk.i18n import _, join
from kiosk.journal import new_txn_id
from kiosk.pin import PinBuffer


class CardStateRefused(Refusal):
    """The service's record of the card does not allow this service; the texts say what to do instead."""


def refuse_state(state: str, texts: dict[str, tuple[str, str]]) -> None:
    if state in texts:
        zh, en = texts[state]
        raise CardStateRefused(f"card state {state}", zh=zh, en=en)


LOST = ("此卡已挂失，请先办理解除挂失", "This card is reported lost; release the loss report first")
CANCELLED = ("此卡已注销，不能办理此业务", "This card is cancelled")


def sealed_texts(initial_pin: str | None) -> tuple[str, str]:
    """What to tell the holder of a card not yet activated: here where the kiosk knows the initial PIN."""
    if initial_pin:
        return ("此卡尚未启用社保功能。请持本人身份证和社保卡，在本机选择“启用社保卡”设置密码",
                "This card is not activated yet. With your ID card and the card, choose 'Activate your card' on "
                "this kiosk to set its PIN")
    return ("此卡尚未启用社保功能，请持身份证和社保卡到窗口办理启用",
            "This card is not activated yet; activate it at a counter with your ID card and the card")


class HolderCardFlow:
    SERVICE = ""                                    # its key in kiosk/flows/registry.py
    NEEDS = ("idreader", "cardreader", "security", "service")

    def __init__(self, devices: Devices, acting: Acting = HOLDER):
        self.devices = devices
        self.acting = acting
        self.id_card: IdCard | None = None
        self.card: SocialSecurityCard | None = None
        self.info: CardInfo | None = None
        self.record: dict | None = None
        self.txn = new_txn_id(devices.kiosk_id)
        self.done = False

    def check_devices(self) -> None:
        self.devices.require(*self.NEEDS)

    def wait_for_id_card(self, timeout: float, cancelled: threading.Event) -> IdCard | None:
        """The holder's ID card (a minor's, when a guardian acts)."""
        self.id_card = representation.read_holder_id_card(self.devices, self.acting, self.SERVICE, timeout, cancelled)
        return self.id_card

    def wait_for_card(self, timeout: float, cancelled: threading.Event) -> CardInfo | None:
        found = identity.read_holders_card(self.devices, self.id_card, timeout, cancelled)
        if found is None:
            return None
        self.card, self.info, self.record = found.card, found.info, found.record
        try:
            self.check_card()
        except BaseException:
            self._drop_card()
            raise
        return self.info

    def use_id_card(self, id_card: IdCard) -> None:
        """The holder's ID card was read by the journey just before (立即启用 after an issuance): checked
        as a freshly read one would be (who may act), not asked for again."""
        representation.require_may_act(self.devices.policy, self.acting, self.SERVICE, id_card)
        self.id_card = id_card

    def check_card(self) -> None:
        """Refuse a card this service cannot serve (self.record, self.card are set). Subclasses override."""

    def _drop_card(self) -> None:
        if self.info:
            self.info.wipe()
        if self.card:
            self.card.connection.disconnect()
        self.card = self.info = self.record = None

    def wipe(self) -> None:
        self._drop_card()
        if self.id_card:
            self.id_card.wipe()
        self.id_card = None
        self.acting = HOLDER



def pin_journey(flow: HolderCardFlow, set_pin, done_title, done_body, id_card: IdCard | None = None):
    """The journey of activate, reset and unlock: the holder's ID card → the card (the holder's current
    one, in a state this service serves) → a new PIN twice → ``set_pin(new, again)`` on the card → done,
    with a receipt if asked. ``set_pin`` answers whether the service was told at once. ``id_card``: the
    holder's ID card, read already by the journey this one continues (it is not asked for again)."""
    devices = flow.devices
    new, again = PinBuffer(), PinBuffer()
    try:
        yield Work(_("正在检查设备"), flow.check_devices)
        if id_card is not None:
            flow.use_id_card(id_card)
        elif (yield PlaceIdCard(representation.holder_id_title(flow.acting), _("本业务须核验持卡人身份证和社保卡"),
                                flow.wait_for_id_card)) is None:
            return
        if (yield InsertCard(_("请插入社保卡"), _("芯片朝上，插入下方社保卡插口"), flow.wait_for_card)) is None:
            return
        told = yield from pin_steps.new_pin_twice(new, again, lambda: pin_rules.check_new(devices.policy, new),
                                                  lambda: set_pin(new, again))
        pin_steps.clear(new, again)
        later = "" if told else _("（系统将稍后同步）")
        yield from finish(devices, done_title, join(done_body, later, _("请牢记新密码，并取走社保卡和身份证。")),
                          receipt=flow.receipt, take=_("凭条、社保卡和身份证"))
    finally:
        pin_steps.clear(new, again)
        flow.wipe()
