"""The one list of citizen services. Each service says here its key, its tile, the devices it needs, who
may use it, where it is offered and which flow carries it out; the menu (the citizen's and the acting
person's), the device watch, the representation rules and the README's service table all read this list,
so a service added, hidden or restricted is changed in one place.

A service's journey is a generator function in its flow module (kiosk/flows/steps.py says how it reads);
the Kivy app runs it with one generic driver (kiosk/screens/driver.py), tests with a player. Needs are read
from the flow modules, which check the same names before they start (one source)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from kiosk.flows import (activate, cancellation, change_pin, contact, ecard, kept_id, loss, new_card, replacement,
                         representation, reset_pin, status_query, unlock)
from kiosk.flows.representation import Role
from kiosk.i18n import Text, _
from kiosk.policy import PolicyProfile

ANYONE = frozenset(Role)
HOLDER_OR_GUARDIAN = frozenset({Role.HOLDER, Role.GUARDIAN})
HOLDER_ONLY = frozenset({Role.HOLDER})

# Why someone acting for the holder is refused a service (shown to them). The PIN guards the holder's
# social-security account ("本人持卡、密码验证": seeds/003): an agent who sets or learns it holds the holder's
# card *and* PIN, which is exactly what the security rests on. The e-card is the holder's online identity
# credential, signed up on a phone in the holder's name (seeds/001, 004).
PIN_IS_THE_HOLDERS = ("密码是持卡人本人的凭证，须由本人（或未成年人的监护人）办理",
                      "The PIN is the holder's own secret; the holder (or a minor's guardian) must set it")
ECARD_IS_THE_HOLDERS = ("电子社保卡是持卡人本人的线上身份凭证，须由本人申领",
                        "The e-card is the holder's own online identity; the holder must sign up for it")
# Services the kiosk does only for the holder (the cancellation guide explains, to whoever asks; acting
# itself is entered through its own tile)
IN_PERSON_HERE = ("本机仅受理本人办理此业务，代办请到窗口", "At this kiosk only the holder can do this; "
                  "someone acting for the holder goes to a counter")


def everywhere(_policy: PolicyProfile) -> bool:
    return True


@dataclass(frozen=True)
class Service:
    key: str                              # stable: tile ids (tile_<key>), journal, staff calls, tests
    glyph: str                            # the tile's icon: one character on a disc
    title: Text
    subtitle: Text
    journey: Callable                     # journey(devices, acting): the steps, top to bottom (no Kivy)
    needs: tuple[str, ...]                # devices that must be usable before it starts (kiosk.flows.base)
    may_use: frozenset[Role]              # who may use it; a guardian always only for a minor (policy age)
    refusal: tuple[str, str] = IN_PERSON_HERE    # zh, en: why someone not in may_use is refused
    offered: Callable[[PolicyProfile], bool] = everywhere     # the regions that show it at all

    def allows(self, role: Role) -> bool:
        return role in self.may_use

    def require_actor(self, role: Role) -> None:
        """Raise MayNotAct when ``role`` may not use this service: nobody is served silently as the holder."""
        if not self.allows(role):
            zh, en = self.refusal
            raise representation.MayNotAct(f"{role.value} may not do {self.key}", zh=zh, en=en)


# Most used first: elderly mode shows four tiles a page, so the commonest come first.
SERVICES: tuple[Service, ...] = (
    Service("status", "查", _("社保卡状态查询"), _("刷身份证即可查询"), status_query.journey,
            status_query.NEEDS, ANYONE),
    Service("issue", "新", _("申领社保卡"), _("立等可取"), new_card.journey,
            new_card.NEEDS, ANYONE),
    Service("activate", "启", _("启用社保卡"), _("新卡首次设置密码"), activate.journey,
            activate.ActivateFlow.NEEDS, HOLDER_OR_GUARDIAN, PIN_IS_THE_HOLDERS,
            offered=activate.ActivateFlow.offered),         # only where the profile knows the initial PIN
    Service("change_pin", "密", _("修改社保卡密码"), _("需知道原密码"), change_pin.journey,
            change_pin.NEEDS, HOLDER_ONLY, PIN_IS_THE_HOLDERS),    # knowing the PIN is the holder's proof
    Service("reset_pin", "重", _("忘记密码"), _("身份证+社保卡重置"), reset_pin.journey,
            reset_pin.ResetPinFlow.NEEDS, HOLDER_OR_GUARDIAN, PIN_IS_THE_HOLDERS),
    Service("unlock", "锁", _("密码解锁"), _("密码输错6次被锁"), unlock.journey,
            unlock.UnlockFlow.NEEDS, HOLDER_OR_GUARDIAN, PIN_IS_THE_HOLDERS),
    Service("loss", "挂", _("社保卡挂失"), _("临时挂失 · 正式挂失"), loss.report_journey,
            loss.REPORT_NEEDS, ANYONE),
    # an agent with both ID cards (seeds/002 "委托他人代理的，还应当提供代理人身份证件"), a minor's guardian
    Service("release", "解", _("解除挂失"), _("卡片找回后办理"), loss.release_journey,
            loss.RELEASE_NEEDS, ANYONE),
    Service("replace", "补", _("补卡换卡"), _("丢失、损坏、到期"), replacement.journey,
            replacement.NEEDS, ANYONE),
    Service("contact", "改", _("修改联系方式"), _("手机号、地址"), contact.journey,
            contact.NEEDS, ANYONE),
    Service("ecard", "码", _("电子社保卡"), _("扫码申领"), ecard.journey,
            ecard.NEEDS, HOLDER_ONLY, ECARD_IS_THE_HOLDERS),
    # the way in for a guardian or an agent: the holder does not act for themselves through it
    Service("agent", "代", _("代办业务"), _("监护人、受托人代办"), representation.journey,
            representation.NEEDS, HOLDER_ONLY),
    Service("cancel", "销", _("注销说明"), _("注销如何办理"), cancellation.journey,
            cancellation.NEEDS, HOLDER_ONLY),                # explained only, to whoever asks
)
BY_KEY = {service.key: service for service in SERVICES}


def service(key: str) -> Service:
    try:
        return BY_KEY[key]
    except KeyError:
        raise KeyError(f"no service {key!r} in the registry; known: {', '.join(BY_KEY)}") from None


def named_in(words: str) -> str | None:
    """The key of the first tile the words name in “…” (the service's refusals name the kiosk's tiles so;
    the kiosk's own refusals say ``offer`` outright), or None."""
    for quoted in re.findall(r"“([^”]+)”", words):
        for s in SERVICES:
            if quoted == str(s.title):
                return s.key
    return None


def offered(policy: PolicyProfile) -> list[Service]:
    """What this region's kiosk shows on its menu, in menu order."""
    return [s for s in SERVICES if s.offered(policy)]


def offered_to(policy: PolicyProfile, role: Role) -> list[Service]:
    """What a guardian or an agent may choose to do for a holder in this region (the acting menu)."""
    return [s for s in offered(policy) if s.key != "agent" and s.allows(role)]


def begin(key: str, devices, acting=representation.HOLDER, id_card: kept_id.KeptIdCard | None = None,
          keeper: kept_id.Keeper | None = None):
    """The journey of service ``key`` for whoever acts, ready to run; MayNotAct when the registry does not
    let that role use it (nobody is served silently as the holder).

    ``id_card``: the holder's ID card a refused journey read, for the service its refusal offered: its
    "place your ID card" is answered from it when still fresh and valid (kiosk/flows/kept_id.py).
    ``keeper``: where the runner keeps a copy of the ID card this journey reads, for such an offer. Both
    only for the holder in person (an acting person's journey reads two cards)."""
    found = service(key)
    found.require_actor(acting.role)
    if acting.role is not Role.HOLDER or key == "agent":
        if id_card is not None:
            id_card.wipe()
        id_card = keeper = None
    if id_card is None and keeper is None:
        return found.journey(devices, acting)
    return kept_id.run(found.journey, devices, acting, id_card, keeper)
