"""Two families of things that stop a citizen's service, kept apart so each is caught for what it is.

* :class:`Refusal` — a rule said no: a PIN rule, who may act for whom, the card's state, the service's
  definite answer. Nothing is broken; the citizen is told why and what to do instead.
* :class:`Fault` (the name the drivers use: ``DeviceError``, re-exported by ``kiosk.hw.base``) — something
  failed: a device, the service unreachable or answering nonsense, the security module. It says who must act.

Both carry the citizen's words in Chinese and English (:class:`KioskError`): a screen that shows any failure's
words catches ``KioskError``; code that recovers catches the family it means. A recovery written as
``except DeviceError`` therefore no longer swallows a rule, and ``except Refusal`` never hides a broken device.

Plain Python, no Kivy and no hardware: ``kiosk.backend`` and ``kiosk.security`` raise these too.
``str(error)`` is technician-facing and, like the citizen's words, never holds a PIN, a key or a full ID number.
"""
from __future__ import annotations

import enum
import re
from typing import NamedTuple


class Action(enum.Enum):
    """Who must act to clear a fault (XFS4IoT ErrorEvent.action)."""
    RETRY = "retry"                # the citizen may simply try again
    RESET = "reset"                # the software resets the device
    CLEAR = "clear"                # staff clear it by hand: paper, jam, bin
    MAINTENANCE = "maintenance"    # a field engineer is needed
    CONFIGURATION = "configuration"  # the technician's configuration is wrong


class KioskError(Exception):
    """Anything the citizen is told about in their own words (zh) and in English; ``detail`` is for staff."""

    def __init__(self, detail: str, *, zh: str, en: str):
        super().__init__(detail)
        self.detail = detail
        self.zh = zh
        self.en = en

    def message(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


class Refusal(KioskError):
    """A rule said no. ``code`` is machine-readable; the next step, when there is one, is either ``offer`` (the
    key of another kiosk service that does what the citizen needs, e.g. "unlock") or ``counter`` (only a staffed
    counter can help). Neither set: the citizen may put it right here (a different PIN, another card)."""

    code = "refused"
    offer: str | None = None
    counter = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:        # each kind of refusal its own code: MayNotAct → "may_not_act"
            cls.code = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()

    def __init__(self, detail: str, *, zh: str, en: str, code: str | None = None, offer: str | None = None,
                 counter: bool | None = None):
        super().__init__(detail, zh=zh, en=en)
        if code is not None:
            self.code = code
        if offer is not None:
            self.offer = offer
        if counter is not None:
            self.counter = counter


class Said(NamedTuple):
    """A refusal's words kept in a table (card state → words), with the kiosk service they offer, if any:
    ``offer`` is the key (kiosk/flows/registry.py) of the tile the Chinese names in “…”."""
    zh: str
    en: str
    offer: str | None = None


class Fault(KioskError):
    """Something failed. ``action`` says who must act; ``vendor_code`` is the device's or service's own code."""

    action = Action.RETRY

    def __init__(self, detail: str, *, zh: str, en: str, vendor_code: str = "", action: Action | None = None):
        super().__init__(detail, zh=zh, en=en)
        self.vendor_code = vendor_code
        if action is not None:
            self.action = action


DeviceError = Fault     # the drivers' (and most callers') name for a fault; one class, so both catch the same


class StartRefused(Fault):
    """The kiosk will not open for citizens: its config, its own key or the service key pinned at enrolment
    is missing, unreadable or wrong, so it could not prove who it is or trust what the service answers.
    ``detail`` names the file and the technician's next command; citizens see only that it is out of service."""

    action = Action.CONFIGURATION

    def __init__(self, detail: str):
        super().__init__(detail, zh="本机暂停服务，请到其他自助机或人工窗口办理",
                         en="This kiosk is out of service. Please use another kiosk or a staffed counter")
