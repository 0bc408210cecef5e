"""The first half of every service done with "the card and the holder's valid ID" (reset, unlock,
activation): the holder's ID card (after the actor's, when someone acts for the holder), who may act, then
the card, confirmed to be the holder's current card. Subclasses say which service they are (SERVICE, for
the representation rules) and which card states they refuse (check_card)."""
from __future__ import annotations

import threading

from kiosk.errors import Refusal, Said
from kiosk.flows import face_check, identity, pin_rules, pin_steps, representation
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


def refuse_state(state: str, texts: dict[str, Said]) -> None:
    if state in texts:
        said = Said(*texts[state])
        raise CardStateRefused(f"card state {state}", zh=said.zh, en=said.en, offer=said.offer)


# a found card's loss report is released at this kiosk too (registry "release": the card and the ID card)
LOST = Said("此卡已挂失。如卡片已找回，请先在本机“解除挂失”，再办理此业务",
            "This card is reported lost. If you have found it, first choose 'Cancel a loss report' here, "
            "then come back to this service", "release")
CANCELLED = Said("此卡已注销，不能办理此业务。如需新卡，请持身份证到社会保障卡服务窗口咨询",
                 "This card is cancelled and cannot be used for this. For a new card, ask at a social "
                 "security card counter and bring your ID card")


def sealed_texts(initial_pin: str | None) -> Said:
    """What to tell the holder of a card not yet activated: here where the kiosk knows the initial PIN."""
    if initial_pin:
        return Said("此卡尚未启用。请选择“启用社保卡”，凭身份证和社保卡设置密码",
                    "This card is not activated yet. Choose 'Activate your card' to set its PIN with your ID "
                    "card and the card", "activate")
    return Said("此卡尚未启用，本机不能启用。请携带身份证和社保卡到社会保障卡服务窗口办理启用",
                "This card is not activated yet and this kiosk cannot activate it. Go to a social security "
                "card counter with your ID card and the card")


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
        yield from face_check.verify_holder(devices, flow.acting, flow.id_card, flow.SERVICE)
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
