"""Who acts for the holder (domain.md "Who may act"): the holder, a guardian for a minor, or an agent with a
power of attorney. The acting person's ID card is read first, then the holder's; every holder flow then
calls require_may_act() with the holder's ID card, and applications carry the actor's ID number to the
service, which checks again.

Decisions (the seeds leave these to the kiosk):
- A guardian acts at the kiosk only for a minor below the region's age (policy.guardian_below_age; both ID
  cards show the ages). Guardians of adults without full capacity (seeds/003, 004) go to a counter, where
  the guardianship documents can be seen. A minor never acts alone, whatever the service.
- An agent needs the holder's signed power of attorney (seeds/004). The kiosk cannot read paper, so the
  agent declares holding it (power_of_attorney=True) and the service records the declaration. seeds/004
  lets an agent do everything except bank account activation, which this kiosk never does; on top of that
  the kiosk keeps to the holder the services whose point is a secret or a credential of the holder's own.
  Who may use which service is declared once, in kiosk/flows/registry.py (Service.may_use).
  Institutions (employer, community, school: seeds/004) apply on a holder's behalf at a counter only: they
  have no ID card to read.
"""
from __future__ import annotations

import datetime as dt
import enum
import threading
from dataclasses import dataclass

from kiosk.errors import Refusal
from kiosk.flows.base import Devices
from kiosk.hw.idreader.idcard import IdCard
from kiosk.policy import PolicyProfile

ADULT_AGE = 18      # Civil Code art. 17; an agent or a guardian must be an adult (the service checks the same)
NEEDS = ("idreader", "service")     # the actor's ID card, and the service that records who acted


class Role(enum.Enum):
    HOLDER = "holder"
    GUARDIAN = "guardian"      # 监护人代办
    AGENT = "agent"            # 委托代理人代办


class MayNotAct(Refusal):
    """The person at the kiosk may not do this service for this holder; the texts say who may."""


@dataclass(frozen=True)
class Acting:
    role: Role = Role.HOLDER
    actor_id_number: str | None = None     # the guardian's or the agent's; None when the holder acts
    power_of_attorney: bool = False

    def apply_fields(self) -> dict:
        """What ServiceClient.apply() takes for this actor."""
        if self.role is Role.GUARDIAN:
            return {"guardian_id_number": self.actor_id_number}
        if self.role is Role.AGENT:
            return {"agent_id_number": self.actor_id_number, "power_of_attorney": self.power_of_attorney}
        return {}


HOLDER = Acting()


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def birth_of(id_card: IdCard) -> dt.date | None:
    if id_card.birth_date:
        return id_card.birth_date
    number = id_card.id_number
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None          # a number without a birth date (2017 foreign card): the reader's date is all


def is_minor(policy: PolicyProfile, holder: IdCard, today: dt.date) -> bool:
    limit = policy.guardian_below_age or ADULT_AGE
    birth = birth_of(holder)
    return birth is not None and age_on(birth, today) < limit


def require_adult_actor(actor: IdCard, today: dt.date) -> None:
    birth = birth_of(actor)
    if birth is not None and age_on(birth, today) < ADULT_AGE:
        raise MayNotAct("actor is a minor", zh="代办人（监护人）须年满18周岁，请由成年监护人或受托人持本人身份证办理",
                        en="A guardian or agent must be 18 or older; an adult guardian or agent must come "
                           "with their own ID card")


def require_may_act(policy: PolicyProfile, acting: Acting, service: str, holder: IdCard,
                    today: dt.date | None = None) -> None:
    """Raise MayNotAct unless ``acting`` may do ``service`` for ``holder`` (whose ID card was just read)."""
    today = today or dt.date.today()
    limit = policy.guardian_below_age or ADULT_AGE
    minor = is_minor(policy, holder, today)
    if acting.role is not Role.HOLDER and acting.actor_id_number == holder.id_number:
        # the holder is here in person: the button does the same service for them, no one acting
        raise MayNotAct("actor is the holder", zh="您放置的是持卡人本人的身份证。本人办理无需代办，请点击下方按钮直接办理",
                        en="This is the holder's own ID card. The holder needs no one to act for them: use the "
                           "button below to do it in person", offer=service)
    if minor and acting.role is not Role.GUARDIAN:
        raise MayNotAct("minor without guardian", zh=f"持卡人未满{limit}周岁，须由监护人代办：请监护人选择“代办业务”，"
                                                     "并携带监护人本人和孩子的身份证",
                        en=f"The holder is under {limit}, so a guardian must act: the guardian chooses 'Act for "
                           f"someone' and brings their own ID card and the child's", offer="agent")
    if acting.role is Role.GUARDIAN and not minor:
        raise MayNotAct("guardian for an adult", zh=f"持卡人已满{limit}周岁，须本人携带身份证来办理。"
                                                   "无民事行为能力人的监护人，请携带监护证明、本人和持卡人的身份证到社会保障卡服务窗口办理",
                        en=f"The holder is {limit} or older and must come in person with their ID card. A "
                           f"guardian of an adult who cannot act alone goes to a social security card counter "
                           f"with the guardianship papers, their own ID card and the holder's")
    require_role_may(acting, service)


def require_role_may(acting: Acting, service: str) -> None:
    """What holds whoever the holder is: an agent has a power of attorney, and the registry lets this role
    use the service (a service not built for acting refuses rather than serve the actor as the holder)."""
    # imported here: the registry imports every flow module, this one included
    from kiosk.flows.registry import service as registered
    if acting.role is Role.AGENT and not acting.power_of_attorney:
        raise MayNotAct("agent without power of attorney", zh="代办须持有持卡人签署的授权委托书；请带委托书、持卡人和代办人的身份证到社保服务窗口办理",
                        en="An agent needs the holder's signed power of attorney; bring it, the holder's ID "
                           "card and your own to a social security counter")
    registered(service).require_actor(acting.role)


def read_holder_id_card(devices: Devices, acting: Acting, service: str, timeout: float,
                        cancelled: threading.Event) -> IdCard | None:
    """The holder's ID card, read and checked with require_may_act (wiped again when refused)."""
    holder = devices.idreader.wait_for_card(timeout, cancelled)
    if holder is None:
        return None
    try:
        require_may_act(devices.policy, acting, service, holder, dt.date.today())
    except BaseException:      # MayNotAct, or anything else: an ID card not kept is wiped
        holder.wipe()
        raise
    return holder


class RepresentationFlow:
    """Choose who acts; read the actor's ID card (first), then the holder's; apply with the actor's number."""

    def __init__(self, devices: Devices, service: str):
        self.devices = devices
        self.service = service
        self.acting: Acting = HOLDER
        self.actor: IdCard | None = None
        self.holder: IdCard | None = None

    def check_devices(self) -> None:
        self.devices.require(*NEEDS)

    def choose(self, role: Role, power_of_attorney: bool = False) -> None:
        """``power_of_attorney``: the agent confirmed on screen holding the holder's signed authorisation."""
        acting = Acting(role, None, power_of_attorney if role is Role.AGENT else False)
        require_role_may(acting, self.service)        # said before anyone places a card
        self.acting = acting

    def wait_for_actor_id_card(self, timeout: float, cancelled: threading.Event) -> IdCard | None:
        """The guardian's or agent's own ID card. Not asked when the holder acts."""
        if self.acting.role is Role.HOLDER:
            return None
        actor = self.devices.idreader.wait_for_card(timeout, cancelled)
        if actor is None:
            return None
        try:
            require_adult_actor(actor, dt.date.today())
        except BaseException:  # MayNotAct, or anything else: an ID card not kept is wiped
            actor.wipe()
            raise
        self.actor = actor
        self.acting = Acting(self.acting.role, actor.id_number, self.acting.power_of_attorney)
        return actor

    def wait_for_holder_id_card(self, timeout: float, cancelled: threading.Event) -> IdCard | None:
        if self.acting.role is not Role.HOLDER and self.acting.actor_id_number is None:
            raise MayNotAct("holder before actor", zh="请先放置代办人本人的身份证",
                            en="Place the acting person's own ID card first")
        self.holder = read_holder_id_card(self.devices, self.acting, self.service, timeout, cancelled)
        return self.holder

    def apply(self, kind: str, reason: str | None = None, photo: bool = False,
              idempotency_key: str | None = None) -> dict:
        """An application (new, replacement, renewal) for the holder, carrying who acted."""
        return self.devices.service.apply(self.holder.id_number, kind, reason=reason, photo=photo,
                                          idempotency_key=idempotency_key, **self.acting.apply_fields())

    def wipe(self) -> None:
        for card in (self.actor, self.holder):
            if card:
                card.wipe()
        self.actor = self.holder = None
        self.acting = HOLDER


def holder_id_title(acting: Acting):
    """Whose ID card to place: the holder's own, or (someone acting) the holder's after the actor's."""
    from kiosk.i18n import _
    return _("请将身份证放在读卡区") if acting.role is Role.HOLDER else _("请放置持卡人（被代办人）的身份证")


GUARDIAN, AGENT, HAS_ATTORNEY = "guardian", "agent", "attorney"


def journey(devices: Devices, acting: Acting = HOLDER):
    """代办: who acts (a guardian for a minor; an agent holding the holder's power of attorney) → which
    service (only those the registry lets this role use here) → the actor's own ID card, taken back →
    that service's own journey, acting for the holder (it asks for the holder's ID card next)."""
    from kiosk.flows import face_check, registry
    from kiosk.flows.steps import DONE, Choose, Heading, Message, Option, PlaceIdCard
    from kiosk.i18n import _
    who = yield Choose(_("请选择代办身份"), _("代办人须年满18周岁，并携带本人身份证。"), [
        Option(GUARDIAN, _("监护人为未满{age}周岁的子女办理", age=devices.policy.guardian_below_age or ADULT_AGE)),
        Option(AGENT, _("受持卡人委托代办（须有授权委托书）"))])
    role, attorney = Role.GUARDIAN, False
    if who == AGENT:
        if (yield Message(_("授权委托书"), _("代办须持有持卡人本人签署的授权委托书，工作人员可能核查。\n"
                                         "密码类业务和电子社保卡须本人办理。"), tone="info",
                          primary=(HAS_ATTORNEY, _("我持有授权委托书")), secondary=(DONE, _("返回首页")))) != HAS_ATTORNEY:
            return
        role, attorney = Role.AGENT, True
    key = yield Choose(_("请选择代办的业务"), "",
                       [Option(s.key, s.title) for s in registry.offered_to(devices.policy, role)])
    flow = RepresentationFlow(devices, key)
    try:
        flow.choose(role, attorney)
        if (yield PlaceIdCard(_("请放置代办人本人的身份证"), _("请代办人（监护人）放置本人身份证，读取后请取回"),
                              flow.wait_for_actor_id_card)) is None:
            return
        # the actor stands at the camera: checked against their own ID card's photo, while it is read
        yield from face_check.verify(devices, flow.actor, face_check.actor_service(key))
        acting = flow.acting
        flow.wipe()                      # the actor's card data is not needed any more
        if not (yield PlaceIdCard(_("请取回代办人身份证"), _("取回后，请放置持卡人（被代办人）的身份证"),
                                  devices.idreader.wait_for_removal,
                                  missed=(_("代办人身份证还在读卡区"), _("请取回代办人身份证，再点击“重试”。")))):
            return
    finally:
        flow.wipe()
    service = registry.service(key)
    yield Heading(service.title)
    yield from registry.begin(key, devices, acting)
