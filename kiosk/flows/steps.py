"""What a citizen journey is made of: the steps it yields, one at a time.

A journey is a generator function in the module of its service (``kiosk/flows/<service>.py``): it is read
top to bottom, and each ``yield`` is one step the citizen sees — it hands the step to whoever runs the
journey and receives the answer back:

    card = yield PlaceIdCard(title, hint, wait=flow.wait_for_id_card)
    result = yield Work(_("正在查询"), flow.query)
    answer = yield ShowStatus(result)

Two runners exist: the Kivy app's driver (``kiosk/screens/driver.py``: a table from step to screen, blocking
work on a worker thread) and the test player (``tests/journey_player.py``: runs it inline, plays the
citizen). Neither decides the order of steps or applies a rule; the journey does.

How a step ends:
- its answer is sent back (a key, a card, a work's result);
- an exception raised by its work is thrown into the journey at the ``yield`` (a journey catches what it
  can answer itself — a wrong PIN asks again — and lets the rest end it through the runner's one safe path);
- the citizen leaving (a cancel button, the inactivity timer) is ``CitizenLeft`` thrown in the same way: a
  journey holding something of the citizen's (an old card in the module) hands it back, then re-raises;
- the session ending for any other reason closes the generator (``GeneratorExit``): its ``finally`` wipes.

Blocking callables (``wait``, ``run``) run off the UI thread; the journey's own code between yields runs on
the UI thread and must not block (no device or service I/O outside a step).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, ClassVar

from kiosk.i18n import Text, _

# What a blocking callable is given: how long it may wait (elderly mode doubles it), an event set when the
# citizen leaves, and, when the step shows progress, a callback taking the sub-step's key.
Wait = Callable[..., Any]


class CitizenLeft(Exception):
    """The citizen left the journey (a cancel button, or the inactivity timer): ``reason`` says which."""

    def __init__(self, reason: str = "cancel"):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Step:
    kind: ClassVar[str] = ""

    @property
    def says(self):
        """What the voice says when the step appears: its title."""
        return getattr(self, "title", "")


# -- steps that block (run off the UI thread) --------------------------------------------------------------
@dataclass
class PlaceIdCard(Step):
    """"Place your ID card" (or take it back): ``wait(timeout_s, cancelled)`` returns the card (or True), or
    a false value when nothing happened in time. Every journey runs inside ``kiosk.flows.attended``, which
    then says what did not happen (``missed``: title and body; None: "没有检测到身份证") and offers the same
    step again; only when the citizen chooses to go home does the journey get the false value."""
    kind: ClassVar[str] = "place_id"
    title: Text
    hint: Text
    wait: Wait
    timeout_s: float = 60
    missed: tuple[Text, Text] | None = None


@dataclass
class InsertCard(Step):
    """"Insert your card" (into the card reader, or the module's gate): ``wait(timeout_s, cancelled)``
    returns what was read, or None (said and offered again, as for PlaceIdCard: "没有检测到社保卡").
    ``progress``: sub-step key → text shown while the card is handled."""
    kind: ClassVar[str] = "insert_card"
    title: Text
    hint: Text
    wait: Wait
    timeout_s: float = 60
    progress: dict[str, Text] | None = None
    missed: tuple[Text, Text] | None = None


@dataclass
class Work(Step):
    """Something the kiosk does while the citizen waits (a service query, a card command, a receipt).
    ``run()`` returns the answer; ``progress``: sub-step key → text, and then ``run(on_progress=…)``."""
    kind: ClassVar[str] = "work"
    text: Text
    run: Callable[..., Any]
    progress: dict[str, Text] | None = None

    @property
    def says(self):
        return ""


@dataclass
class Pay(Step):
    """A fee paid by scanning a QR code: ``wait(timeout_s, cancelled)`` is True once paid, False when the
    time ran out. The citizen may give up (``give_up`` button): the answer is then CitizenLeft.
    ``note(seconds)``: the small print, given the time the runner really allows (elderly mode doubles it)."""
    kind: ClassVar[str] = "pay"
    title: Text
    body: Text
    note: Callable[[int], Text]
    payload: str
    wait: Wait
    timeout_s: float = 180
    give_up: Text = _("不缴费，退出")
    # another way to pay, for someone who cannot scan (e.g. "不能扫码？"): pressed, it arrives at the yield as
    # CitizenLeft(CANNOT_SCAN), like give_up, and the journey offers its alternative
    other: Text | None = None


@dataclass
class MakeCard(Step):
    """A new card made in the module, each sub-step listed on screen (``steps``: key → text).
    ``run(take_timeout_s, cancelled, on_progress=…)`` returns the issuance's Outcome."""
    kind: ClassVar[str] = "make_card"
    steps: dict[str, Text]
    run: Wait
    take_timeout_s: float = 60
    done: dict[str, Text] | None = None     # how a finished step reads (key → text)

    @property
    def says(self):
        return next(iter(self.steps.values()), "")


@dataclass
class LookAtCamera(Step):
    """The live camera image with an oval guide, the words of what to do under it ("请正对摄像头", "请眨眨眼"),
    a countdown before a shot. ``run(timeout_s, cancelled, on_frame)`` reads the camera on the worker and
    calls ``on_frame(image, guidance)`` (kiosk.faces.Guidance) for every frame; it returns the result (a
    Verdict, a photo) or raises (kiosk.faces.PhotoRefused). Frames are shown and dropped, never kept."""
    kind: ClassVar[str] = "camera"
    title: Text
    run: Wait
    timeout_s: float = 45


@dataclass
class TakeCards(Step):
    """The citizen's own cards are still in the machine at the end of a visit: "请取走您的身份证/社保卡",
    until they are taken (kiosk.flows.attended adds it; no journey yields it).
    ``wait(timeout_s, cancelled, on_progress)`` returns True once no card is left (at once when none was);
    it reports what is still inside ("id", "card", "both": the runner shows this step only then),
    "remind" every few seconds (a beep and the words again) and "staff" once staff have been called."""
    kind: ClassVar[str] = "take_cards"
    wait: Wait
    timeout_s: float = 300
    titles: ClassVar[dict] = {"id": _("请取走您的身份证"), "card": _("请取走您的社保卡"),
                              "both": _("请取走您的身份证和社保卡")}
    hint: ClassVar = _("您的卡还在机器里，取走后本次办理结束")
    staff_called: ClassVar = _("已呼叫工作人员，请稍候")

    @property
    def says(self):
        return ""           # spoken when the runner knows which card is inside


@dataclass
class Heading(Step):
    """The title bar changes (an agent's chosen service takes over); answered at once, nothing to wait for."""
    kind: ClassVar[str] = "heading"
    title: Text

    @property
    def says(self):
        return ""


# -- steps that wait for the citizen's answer ----------------------------------------------------------------
@dataclass
class Option:
    key: str             # the answer sent back; names the button for tests (choice_<key>)
    label: Text


@dataclass
class Choose(Step):
    """A question with a few large answers; the answer is the chosen option's key."""
    kind: ClassVar[str] = "choose"
    title: Text
    body: Text
    options: list[Option]


@dataclass
class EnterDigits(Step):
    """Digits on the keypad into ``buffer`` (a PinBuffer or a DigitBuffer); the answer comes when the buffer
    is complete and confirmed. ``screen``: pin_old, pin_new, pin_again (hidden) or digits (shown)."""
    kind: ClassVar[str] = "keypad"
    screen: str
    title: Text
    hint: Text
    buffer: Any
    error: Text | str = ""

    @property
    def secret(self) -> bool:
        return self.screen != "digits"

    @property
    def says(self):
        return self.error or self.title


@dataclass
class Message(Step):
    """Words and one or two buttons; the answer is the pressed button's key. The last step of a journey is
    a Message whose buttons end it (``done``) or print a receipt (``receipt``)."""
    kind: ClassVar[str] = "message"
    title: Text
    body: Text
    tone: str = "info"
    primary: tuple[str, Text] = ("done", _("完成"))
    secondary: tuple[str, Text] | None = None
    # The journey's last screen: it also ends by itself (answer DONE) once the citizen's cards, in the machine
    # when it appeared, are taken out: ``until_removed(timeout_s, cancelled)`` (set by kiosk.flows.attended)
    # returns True then.
    last: bool = False
    until_removed: Wait | None = None
    error: BaseException | None = None      # the failure this screen reports (``failure``), for the runners
    # spoken after the title appears, instead of it (what the citizen must check by ear, e.g. a phone number
    # digit by digit); personal data, so the voice never keeps it in its cache
    read_back: Text | None = None
    emphasis: str = ""          # a short value shown large above the body (the number to check)

    @property
    def says(self):
        return self.read_back or self.title


@dataclass
class ShowStatus(Step):
    """The card's state for its holder (kiosk.flows.status_query.StatusResult); answer: receipt or done."""
    kind: ClassVar[str] = "status"
    result: Any
    last: bool = True                       # the status query's last screen (see Message.last)
    until_removed: Wait | None = None

    @property
    def says(self):
        return self.result.state.label_zh


@dataclass
class ShowQr(Step):
    """A QR code to scan (the e-card's sign-up); answer: the pressed button's key."""
    kind: ClassVar[str] = "qr"
    title: Text
    body: Text
    note: Text
    payload: str
    close: tuple[str, Text] = ("done", _("完成"))
    extra: tuple[str, Text] | None = None


RECEIPT = "receipt"
DONE = "done"
OFFER = "offer"          # the failure screen's button to the service a refusal offers (Refusal.offer)


def offer_of(exc: BaseException) -> str | None:
    """The service a refusal offers: its own ``offer``, or for the card service's refusal (whose words name
    the kiosk's tiles, e.g. 本机“补卡换卡”) the tile it names."""
    from kiosk.backend.client import ServiceRefused
    from kiosk.errors import Refusal
    from kiosk.flows import registry
    if not isinstance(exc, Refusal):
        return None
    return exc.offer or (registry.named_in(exc.zh) if isinstance(exc, ServiceRefused) else None)


def offer_label(key: str) -> Text:
    """The button to an offered service: its tile's own title, so the words match the menu."""
    from kiosk.flows import registry      # the registry imports every flow, and they import this module
    return _("办理“{service}”", service=registry.service(key).title)
CANNOT_SCAN = "cannot_scan"      # the CitizenLeft reason of a Pay step's ``other`` button


def finish(devices, title, body, tone: str = "good", receipt: Callable[[], Any] | None = None,
           take: Text | None = None, primary: tuple[str, Text] = (DONE, _("完成"))):
    """The last screen of a journey: its words, "完成", and "打印凭条" when there is a receipt to print.
    Printing is a step of the journey too: ``yield from finish(...)``."""
    answer = yield Message(title, body, tone, primary=primary,
                           secondary=(RECEIPT, _("打印凭条")) if receipt else None, last=True)
    if answer == RECEIPT:
        yield from print_receipt(devices, receipt, take)
    return answer


def print_receipt(devices, make_receipt: Callable[[], Any], take: Text | None = None):
    def work():
        devices.require("printer")
        devices.printer.print_receipt(make_receipt())
    yield Work(_("正在打印凭条"), work)
    yield Message(_("凭条已打印"), _("请取走{what}，谢谢。", what=take or _("凭条和身份证")), tone="good", last=True)


def failure(exc: BaseException) -> Message:
    """The screen that ends a journey an exception ended: a refusal or a fault in its own words, anything
    else as "system busy" (the detail goes to the log, never to the citizen)."""
    from kiosk.errors import KioskError
    from kiosk.i18n import of_error
    if isinstance(exc, KioskError):
        offer = offer_of(exc)                    # a refusal naming another service here: a button to it
        return Message(_("无法继续办理"), of_error(exc), tone="bad", last=True, error=exc,
                       secondary=(OFFER, offer_label(offer)) if offer else None)
    return Message(_("系统繁忙"), _("系统暂时无法办理此业务，请稍后再试或联系工作人员。"), tone="bad", last=True,
                   error=exc)
