"""The Kivy application: one ScreenManager, one .kv per screen, one Session (kiosk/session.py: the
inactivity timer, what is wiped, the one way a visit ends) ticked once a second, and the settings a citizen
may change for their own session: language, elderly mode, voice — put back for the next person whenever a
session ends.

Time, seen and heard: a step's own wait (an ID card, a card, the new card at the gate) counts down on its
screen each second, and its voice says the time once 10 s are left; 20 s before the session would be wiped a
full-screen "还需要更多时间吗？" (kiosk/screens/timecards.py) lies over the screen, spoken, and "继续办理"
gives the whole time again with the screen underneath as it was."""
from __future__ import annotations

import logging
import math
import os
import threading
import time

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import NoTransition

from kiosk import fonts
from kiosk.devicewatch import DeviceWatch
from kiosk.hw.cardissuer.codec import CardPosition
from kiosk.i18n import _, tr
from kiosk.screens import simpanel  # noqa: F401  (registers SimPanel for the kv rules)
from kiosk.screens import theme
from kiosk.screens import wrapping  # noqa: F401  (registers WrapLabel, WrapButton for the kv rules)
from kiosk.flows import kept_id, registry
from kiosk.flows.attended import STAFF_AFTER_S, attended
from kiosk.pause import ServicePause
from kiosk.flows.steps import TakeCards
from kiosk.flows.representation import HOLDER
from kiosk.screens.driver import JourneyDriver
from kiosk.screens.menu import menu_for
from kiosk.screens.camera import CameraScreen
from kiosk.screens.photo import PhotoScreen
from kiosk.screens.views import (BusyScreen, ChoiceScreen, IssuingScreen, KioskRoot, MenuScreen,
                                 MessageScreen, PinEntryScreen, QrScreen, StatusResultScreen, WaitScreen)
from kiosk.screens.timecards import MoreTimeView, TakeCardsScreen
from kiosk.screens.worker import Worker
from kiosk.session import Session

log = logging.getLogger(__name__)
KV_DIR = os.path.join(os.path.dirname(__file__), "kv")
KV_FILES = ("widgets.kv", "root.kv", "simpanel.kv", "attract.kv", "wait.kv", "busy.kv", "status_result.kv",
            "message.kv", "pin_entry.kv", "issuing.kv", "timecards.kv", "photo.kv", "camera.kv")
ELDERLY_TIME_FACTOR = 2  # elderly mode: twice the time before the session ends or a card wait gives up
STAFF_NOTICE_S = 30      # how long the "staff called" confirmation stays in the top bar
# No inactivity countdown on these: nobody to wait for (busy, issuing; nor home before a session begins), or
# the step's own wait counts down on the screen and then says what did not happen (place_id, insert_card, take_new_card), or the visit
# cannot end before the cards are out (take_cards).
RESTING_SCREENS = ("busy", "issuing", "place_id", "insert_card", "take_cards", "take_new_card")
SAY_LEFT_S = 10          # a step's countdown is spoken once, this many seconds before it runs out
STEP_GRACE_S = 5         # a step that waits longer than the session's limit keeps it this much longer


class KioskApp(App):
    title = "社会保障卡自助服务"
    use_kivy_settings = False

    lang = StringProperty("zh")
    elderly = BooleanProperty(False)
    scale = NumericProperty(1.0)
    pal = ObjectProperty(theme.STANDARD)
    voice_label = StringProperty(_("语音：开"))

    def __init__(self, kiosk, session_timeout_s: int = 90, language: str = "zh", randomise_pin_pad: bool = False,
                 **kw):
        super().__init__(**kw)
        self.kiosk = kiosk
        self.session_timeout_s = session_timeout_s
        self.default_language = self.lang = language
        self.randomise_pin_pad = randomise_pin_pad
        self.worker = Worker()
        self.journey: JourneyDriver | None = None     # the service on screen (kiosk/screens/driver.py)
        self.session = Session(card_inside=self._card_in_module, on_end=self._reset_for_next_person)
        self._step_limit_s = 0          # a step with its own longer wait (a payment) extends the limit
        self.step_time_scale = 1        # tests shorten the steps' own waits (a card, the new card at the gate)
        self.staff_after_s = STAFF_AFTER_S   # a card left this long at a visit's end: staff are called
        self._countdown = None          # (screen, deadline, words(n)): the step's own wait, counted on screen
        self.more_time_view = None      # the full-screen "还需要更多时间吗？", built in build()
        self.watch = DeviceWatch(kiosk.devices)
        self.voice = getattr(kiosk, "voice", None)
        self.touches = 0                # counted for the README's "touches per service" (tests read it)
        self.staff_calls = 0
        self._staff_reset = None
        self.coverage = None            # set in build(): which characters the main face lacks
        self.pause = ServicePause(kiosk.config.state_dir)   # "暂停服务", set and cleared in staff mode
        self.watch.service_paused = lambda: self.pause.paused
        self._secret_taps: list[float] = []

    # -- building ---------------------------------------------------------------------------------
    def build(self):
        from kiosk.screens import boot
        try:
            self.coverage = fonts.Coverage(boot.main_font) if boot.main_font else None
        except Exception:      # no fallback information: every text in the main face, as before
            log.warning("font coverage unknown; rare characters may not be drawn", exc_info=True)
        for name in KV_FILES:
            path = os.path.join(KV_DIR, name)
            if path not in Builder.files:      # once per process (a second app in one test run reuses them)
                Builder.load_file(path)
        root = KioskRoot()
        self.sm = root.ids.sm
        self.sm.transition = NoTransition()     # instant changes: calmer for the elderly, exact for tests
        self.more_time_view = MoreTimeView()
        # the home screen is the menu (named "attract", where every session ends)
        for screen in (MenuScreen(name="attract"), WaitScreen(name="place_id"),
                       WaitScreen(name="insert_card"), BusyScreen(name="busy"),
                       StatusResultScreen(name="status_result"),
                       PinEntryScreen(name="pin_old", randomise=self.randomise_pin_pad),
                       PinEntryScreen(name="pin_new", randomise=self.randomise_pin_pad),
                       PinEntryScreen(name="pin_again", randomise=self.randomise_pin_pad),
                       PinEntryScreen(name="digits", randomise=False), MessageScreen(name="message"),
                       ChoiceScreen(name="choice"), QrScreen(name="qr"), IssuingScreen(name="issuing"),
                       TakeCardsScreen(name="take_cards"), TakeCardsScreen(name="take_new_card"),
                       PhotoScreen(name="photo"), CameraScreen(name="camera"), MessageScreen(name="paused")):
            self.sm.add_widget(screen)
        self.sm.current = "attract"
        self.sm.get_screen("attract").build(menu_for(self.kiosk.devices.policy), self.watch)
        if self.pause.paused:
            Clock.schedule_once(lambda _dt: self._show_paused())
        root.ids.simpanel.attach(self.kiosk.hands)
        root.bind(on_touch_down=lambda *_: self.touched())
        Window.bind(on_request_close=self._on_request_close, on_keyboard=self._on_keyboard)
        Clock.schedule_interval(self._tick, 1.0)
        self.bind(lang=self._relabel)
        self.watch.start()
        if self.voice is not None and not self.voice.silent:   # first start: every fixed prompt, off the UI thread
            threading.Thread(target=self._prewarm_voice, name="voice-prewarm", daemon=True).start()
        return root

    def _prewarm_voice(self) -> None:
        from kiosk.i18n_en import EN
        try:
            made = self.voice.prewarm(text for text in EN if "{" not in text)
            log.info("voice prompts: %d synthesized, the rest cached", made)
        except Exception:
            log.exception("voice prompts not prepared")

    def on_start(self):
        """SIGTERM (systemd stop) and SIGINT end the kiosk cleanly: the session is wiped and devices closed.
        The handler only schedules the stop: Python runs it on the main thread, between Kivy's frames."""
        import signal

        def stop(signum, _frame):
            log.info("signal %d: stopping", signum)
            Clock.schedule_once(lambda _dt: self.stop())
        self._previous_handlers = {signum: signal.signal(signum, stop) for signum in (signal.SIGTERM, signal.SIGINT)}
        from kiosk.screens.watchdog import SystemdWatchdog
        self._systemd = SystemdWatchdog(f"serving as {self.kiosk.config.kiosk_id}")
        self._systemd.start()
        log.info("kiosk ready")

    def open_settings(self, *_):
        return False          # F1 must not open Kivy's settings panel on a public kiosk

    def _on_request_close(self, *_args, source=None, **_kw):
        return True           # neither Esc nor the window manager ends the kiosk; systemd stops it

    def _on_keyboard(self, _window, key, _scancode, _codepoint, modifiers):
        if key == 27:
            return True       # swallow Esc
        if self.kiosk.hands is not None and key == ord("q") and {"ctrl", "shift"} <= set(modifiers):
            self.stop()       # technician exit, simulated mode only
            return True
        return False

    def on_stop(self):
        import signal
        if getattr(self, "_systemd", None) is not None:
            self._systemd.stopping()
        for signum, handler in getattr(self, "_previous_handlers", {}).items():
            signal.signal(signum, handler)       # a test process goes on with its own handlers
        self.end_session("shutdown")
        self.watch.stop()
        if self.voice is not None:
            self.voice.close()

    # -- the citizen's own settings -----------------------------------------------------------------
    def tr(self, text, lang: str) -> str:
        """What a label shows: ``text`` in ``lang`` as Kivy markup, rare characters in a fallback face."""
        return fonts.with_fallbacks(tr(text, lang), self.coverage)

    def switch_language(self) -> None:
        self.lang = "en" if self.lang == "zh" else "zh"

    def _relabel(self, *_args) -> None:
        """Screens that build widgets in code re-label them; the .kv rules follow app.lang by themselves."""
        for name in ("choice", "pin_old", "pin_new", "pin_again", "digits", "issuing"):
            self.sm.get_screen(name).relabel()

    def toggle_elderly(self) -> None:
        self.begin_visit()      # the mode is this citizen's: it ends with the session, or its timer
        self.set_elderly(not self.elderly)

    def set_elderly(self, on: bool) -> None:
        self.elderly = on
        self.scale = theme.ELDERLY_SCALE if on else 1.0
        self.pal = theme.HIGH_CONTRAST if on else theme.STANDARD
        self.sm.get_screen("attract").build(menu_for(self.kiosk.devices.policy), self.watch)
        self.sm.get_screen("issuing").relabel()

    def toggle_voice(self) -> None:
        if self.voice is None:
            return
        if self.voice.muted:
            self.voice.unmute()
        else:
            self.voice.mute()
        self.voice_label = _("语音：关") if self.voice.muted else _("语音：开")

    def say(self, text, beep: bool = False, cache: bool = True) -> None:
        """Speak the step's instruction in Mandarin (whatever language is on screen: the voice is for
        citizens who read Chinese with difficulty); ``beep``: a beep first (a card to take); ``cache=False``
        for text with personal data."""
        if self.voice is not None and (text or beep):
            self.voice.say(str(text or ""), beep=beep, cache=cache)

    def timeout_s(self, seconds: float) -> int:
        return int(seconds * (ELDERLY_TIME_FACTOR if self.elderly else 1))

    # -- call staff: from every screen, without losing the citizen's place ---------------------------
    def call_staff(self) -> None:
        self.staff_calls += 1
        screen = self.sm.current
        service = self.journey.name if self.journey else None
        self.root.staff_text = _("正在呼叫…")

        def work():
            try:
                self.kiosk.devices.service.call_staff(screen=screen, service=service)
                text = _("已呼叫，请稍候")
            except Exception as exc:     # the service is down: say where help is instead
                log.warning("staff call not delivered: %s", getattr(exc, "detail", exc))
                text = _("请到服务窗口求助")
            Clock.schedule_once(lambda _dt: self._staff_answered(text))
        threading.Thread(target=work, name="staff-call", daemon=True).start()

    def _staff_answered(self, text) -> None:
        self.root.staff_text = text
        if self._staff_reset is not None:
            self._staff_reset.cancel()
        self._staff_reset = Clock.schedule_once(lambda _dt: setattr(self.root, "staff_text", _("呼叫工作人员")),
                                                STAFF_NOTICE_S)

    # -- sessions ---------------------------------------------------------------------------------
    def begin_visit(self) -> None:
        """A citizen made a choice on the home screen (a tile, the elderly mode, another page): their
        session begins, so its timer puts the kiosk back for the next person when they walk away."""
        if not self.session.active:
            self.session.begin()

    def show_menu(self) -> None:
        """The home screen (the menu), its first page, within a session."""
        self.begin_visit()
        self.show("attract").build(menu_for(self.kiosk.devices.policy), self.watch)

    def start_service(self, name: str, acting=HOLDER, id_card=None) -> None:
        """The service's journey (kiosk/flows/registry.py) on screen, for the holder or for whoever acts;
        ``id_card``: the ID card a refused service read, when its refusal offered this one (flows/kept_id.py)."""
        self._stop_journey()
        self.begin_visit()
        self.watch.paused.set()
        keeper = kept_id.Keeper()
        journey = registry.begin(name, self.kiosk.devices, acting, id_card=id_card, keeper=keeper)
        self.journey = JourneyDriver(self, name, attended(journey, self.kiosk.devices, name, self.staff_after_s),
                                     keeper)
        self.session.holds(self.journey.stop)         # closing the journey wipes what it holds
        self.root.title_text = registry.service(name).title
        self.journey.start()

    def _stop_journey(self) -> None:
        if self.journey is not None:
            self.journey.stop()
            self.journey = None
        self.worker.new_session()

    def end_session(self, reason: str = "done") -> None:
        """The one way a session ends (done, cancel, give up, timeout, fault, exception): the Session wipes
        what it holds and then resets language, elderly mode and voice (``_reset_for_next_person``)."""
        self.session.end(reason)
        self._stop_journey()
        self._countdown = None
        self._close_warning()
        if self.root is not None:
            self.root.title_text = _("社会保障卡自助服务")

    def _reset_for_next_person(self, reason: str) -> None:
        """The next person at the kiosk starts from the defaults, not the last citizen's choices."""
        if reason == "shutdown":
            return
        self.lang = self.default_language
        if self.elderly and self.root is not None:
            self.set_elderly(False)
        if self.voice is not None and self.voice.muted:
            self.toggle_voice()

    def _card_in_module(self) -> bool:
        """Read from the module's last reported position (no I/O on the UI thread): a card at the gate or
        inside holds the session until the journey has handed it over or captured it."""
        issuer = self.kiosk.devices.cardissuer
        return issuer is not None and getattr(issuer, "position", CardPosition.NONE) is not CardPosition.NONE

    def cancel(self, reason: str = "cancel") -> None:
        """The citizen leaves (a cancel button, or the inactivity timeout): the journey may have something
        to hand back first (an old card held in the module); otherwise straight home."""
        if self.journey is not None:
            self.journey.cancel(reason)
        else:
            self.home(reason)

    def home(self, reason: str = "done") -> None:
        self.end_session(reason)
        self.watch.paused.clear()
        if self.pause.paused:
            self._show_paused()
            return
        self.show("attract").build(menu_for(self.kiosk.devices.policy), self.watch)   # the first page again

    # -- staff mode (kiosk/flows/staff.py) ---------------------------------------------------------
    SECRET_TAPS, SECRET_WINDOW_S = 5, 4.0

    def secret_tap(self) -> None:
        """The hidden way into staff mode: five taps on the title bar within four seconds, from the home
        screen (or the paused screen) only, never over a citizen's visit. A citizen who finds it meets the
        staff sign-in, which needs a registered staff member's own ID card and PIN."""
        now = time.monotonic()
        self._secret_taps = [t for t in self._secret_taps if now - t < self.SECRET_WINDOW_S] + [now]
        if len(self._secret_taps) >= self.SECRET_TAPS:
            self._secret_taps = []
            self.start_staff_mode()

    def start_staff_mode(self) -> None:
        if self.journey is not None or self.sm.current not in ("attract", "paused") or self._card_in_module():
            return
        from kiosk.flows import staff
        self._stop_journey()
        self.begin_visit()                # staff mode times out like a citizen's session
        self.watch.paused.set()
        journey = staff.journey(self.kiosk.devices, self.pause)
        self.journey = JourneyDriver(self, "staff", attended(journey, self.kiosk.devices, "staff", self.staff_after_s))
        self.session.holds(self.journey.stop)
        self.root.title_text = _("工作人员模式")
        log.info("staff mode entered")
        self.journey.start()

    def _show_paused(self) -> None:
        """Service paused by staff: the out-of-service words, no buttons; staff resume it in staff mode."""
        screen = self.show("paused")
        screen.show(_("暂停服务"), _("本机正在维护，暂停办理业务。请到其他自助终端或服务窗口办理，给您带来不便，敬请谅解。"),
                    "bad", ("", None), None)

    def touched(self) -> None:
        self.touches += 1
        self.session.touched()           # any touch is activity; the countdown goes at the next tick
        # (not hidden here: this runs before the touched widget, which may be the "more time" button itself)

    def more_time(self) -> None:
        """"继续办理" on the warning: the session's whole time again (a few times at most), and the screen
        underneath as it was."""
        self.session.more_time()
        self._close_warning()

    def leave_from_warning(self) -> None:
        """"返回首页" on the warning: the citizen leaves, as with any cancel button."""
        self._close_warning()
        self.cancel()

    def _close_warning(self) -> None:
        view = self.more_time_view
        if view is not None and view.parent is not None:
            view.dismiss(animation=False)

    def _tick(self, _dt) -> None:
        if self.sm.current == "attract":
            self.sm.get_screen("attract").show_availability(self.watch)
        self._count_down()
        limit = max(self.timeout_s(self.session_timeout_s), self._step_limit_s)
        tick = self.session.tick(limit, resting=self.sm.current in RESTING_SCREENS)
        if tick.warning and not tick.expired:
            self._warn(tick.remaining)
        else:
            self._close_warning()
        if tick.expired:
            log.info("session timed out on %s", self.sm.current)
            self.cancel("timeout")  # hands back what must be handed back first; the session ends on the way home

    def _warn(self, remaining: int) -> None:
        view = self.more_time_view
        view.update(remaining, self.session.may_extend)
        if view.parent is None:
            view.open(animation=False)
            self.say(_("还需要更多时间吗？请点击“继续办理”") if self.session.may_extend else view.title)

    def _count_down(self) -> None:
        """The step's own wait, on its screen each second and in voice once near the end."""
        if self._countdown is None:
            return
        name, deadline, words = self._countdown
        if self.sm.current != name:
            self._countdown = None
            return
        left = max(0, math.ceil(deadline - time.monotonic()))
        screen = self.sm.get_screen(name)
        before, screen.countdown = screen.countdown, words(left)
        if left == SAY_LEFT_S and before != screen.countdown:
            self.say(screen.countdown, beep=name == "take_new_card")

    def _count(self, name: str, seconds: float, words) -> None:
        self._countdown = (name, time.monotonic() + seconds, words)
        self.sm.get_screen(name).countdown = words(int(seconds))

    # -- what the journey driver shows ----------------------------------------------------------------------
    def show(self, name: str):
        self.session.touched()            # a new step: the citizen has the whole time again
        self._step_limit_s = 0
        self._countdown = None
        self._close_warning()
        self.sm.current = name
        return self.sm.get_screen(name)

    def camera(self, title, limit_s: int):
        """The live camera step: its own time (the session does not end under it)."""
        screen = self.show("camera")
        screen.start(title)
        self._step_limit_s = limit_s + STEP_GRACE_S
        self.say(title)
        return screen

    def busy(self, text) -> None:
        self.show("busy").text = text

    def wait(self, title, hint, kind: str, timeout_s: int) -> None:
        screen = self.show("place_id" if kind == "id" else "insert_card")
        screen.title, screen.hint, screen.kind, screen.seconds = title, hint, kind, timeout_s
        self._count(screen.name, timeout_s, lambda n: _("请在{n}秒内完成", n=n))
        self.say(title)

    def take_cards(self, title, which: str) -> None:
        """The visit's end with a card still in the machine: which one, an arrow to where it is, a beep."""
        slots = {"id": _("身份证读卡区"), "card": _("社保卡插口"), "both": _("身份证读卡区和社保卡插口")}
        screen = self.sm.get_screen("take_cards")
        note = screen.note if self.sm.current == "take_cards" else ""
        self.show("take_cards").show(title, TakeCards.hint, slots[which], note=note)
        self.say(title, beep=True)

    def remind(self) -> None:
        """A card is still left: the beep and the words again."""
        if self.sm.current in ("take_cards", "take_new_card"):
            self.say(self.sm.current_screen.title, beep=True)

    def take_new_card(self, take_s: int) -> None:
        """The new card at the gate: its own full screen, an arrow to the gate, the time left before it is
        captured, a beep."""
        self.show("take_new_card").show(_("请取走新卡"), _("新卡已制好，请从出卡口取走"), _("出卡口"))
        self._count("take_new_card", take_s, lambda n: _("请在{n}秒内取走新卡，超时未取将被回收", n=n))
        self.say(_("请取走新卡"), beep=True)

    def message(self, title, body, tone: str = "info", secondary: tuple | None = None,
                primary: tuple | None = None):
        screen = self.show("message")
        screen.show(title, body, tone, primary or (_("完成"), self.home), secondary)
        self.say(title)
        return screen

    def choose(self, title, body, options: list[tuple]) -> None:
        self.show("choice").show(title, body, options)
        self.say(title)

    def keypad(self, name: str, prompt, hint, buffer, on_confirm, error="", secret: bool = True) -> None:
        self.show(name).ask(prompt, hint, buffer, on_confirm, error, secret=secret)
        self.say(error or prompt)

    def qr(self, title, body, note, payload: str, cancel: tuple, extra: tuple | None = None,
           limit_s: int = 0) -> None:
        """``limit_s``: how long the step itself waits (a payment), when longer than the session's limit."""
        self.show("qr").show(title, body, note, payload, cancel, extra)
        self._step_limit_s = limit_s + STEP_GRACE_S if limit_s else 0
        if limit_s:           # a payment: the time left counts down on the screen, like every card wait
            self._count("qr", limit_s, lambda n: _("支付剩余时间：{n}秒", n=n))
        self.say(title)
