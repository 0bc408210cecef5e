"""The Kivy application: one ScreenManager, one .kv per screen, one inactivity timer for the whole app."""
from __future__ import annotations

import logging
import os

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.uix.screenmanager import NoTransition

from kiosk.devicewatch import DeviceWatch
from kiosk.screens import simpanel  # noqa: F401  (registers SimPanel for the kv rules)
from kiosk.screens.services import CONTROLLERS
from kiosk.screens.views import (AttractScreen, BusyScreen, IssuingScreen, KioskRoot, MessageScreen,
                                 PinEntryScreen, StatusResultScreen, WaitScreen)
from kiosk.screens.worker import Worker

log = logging.getLogger(__name__)
KV_DIR = os.path.join(os.path.dirname(__file__), "kv")
KV_FILES = ("widgets.kv", "root.kv", "simpanel.kv", "attract.kv", "wait.kv", "busy.kv", "status_result.kv",
            "message.kv", "pin_entry.kv", "issuing.kv")
COUNTDOWN_FROM = 20      # the countdown becomes visible this many seconds before the session is wiped


class KioskApp(App):
    title = "社会保障卡自助服务"
    use_kivy_settings = False

    def __init__(self, kiosk, session_timeout_s: int = 90, **kw):
        super().__init__(**kw)
        self.kiosk = kiosk
        self.session_timeout_s = session_timeout_s
        self.worker = Worker()
        self.controller = None
        self.idle_s = 0
        self.hold_session = False       # True while a card is in the machine for this citizen
        self.watch = DeviceWatch(kiosk.devices)

    # -- building ---------------------------------------------------------------------------------
    def build(self):
        for name in KV_FILES:
            Builder.load_file(os.path.join(KV_DIR, name))
        root = KioskRoot()
        self.sm = root.ids.sm
        self.sm.transition = NoTransition()     # instant changes: calmer for the elderly, exact for tests
        for screen in (AttractScreen(name="attract"), WaitScreen(name="place_id"), WaitScreen(name="insert_card"),
                       BusyScreen(name="busy"), StatusResultScreen(name="status_result"),
                       PinEntryScreen(name="pin_old"), PinEntryScreen(name="pin_new"),
                       PinEntryScreen(name="pin_again"), MessageScreen(name="message"), IssuingScreen(name="issuing")):
            self.sm.add_widget(screen)
        self.sm.current = "attract"
        root.ids.simpanel.attach(self.kiosk.hands)
        root.bind(on_touch_down=lambda *_: self.touched())
        Window.bind(on_request_close=self._on_request_close, on_keyboard=self._on_keyboard)
        Clock.schedule_interval(self._tick, 1.0)
        self.watch.start()
        return root

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
        self.end_session()
        self.watch.stop()

    # -- sessions ---------------------------------------------------------------------------------
    def start_service(self, name: str) -> None:
        self.end_session()
        self.watch.paused.set()
        self.controller = CONTROLLERS[name](self)
        self.controller.start()

    def end_session(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
        self.worker.new_session()

    def home(self) -> None:
        self.end_session()
        self.watch.paused.clear()
        self.show("attract")

    def touched(self) -> None:
        self.idle_s = 0
        self.root.countdown_text = ""

    def _tick(self, _dt) -> None:
        if self.sm.current == "attract":
            self.sm.get_screen("attract").show_availability(self.watch)
        if self.sm.current in ("attract", "busy", "issuing") or self.hold_session:
            self.idle_s = 0
            self.root.countdown_text = ""
            return
        self.idle_s += 1
        remaining = self.session_timeout_s - self.idle_s
        self.root.countdown_text = f"{remaining} 秒后返回首页" if remaining <= COUNTDOWN_FROM else ""
        if remaining <= 0:
            log.info("session timed out on %s", self.sm.current)
            self.home()

    # -- what controllers show ----------------------------------------------------------------------
    def show(self, name: str):
        self.idle_s = 0
        self.root.countdown_text = ""
        self.sm.current = name
        return self.sm.get_screen(name)

    def busy(self, text: str) -> None:
        self.show("busy").text = text

    def wait(self, title: str, hint: str, kind: str, timeout_s: int) -> None:
        screen = self.show("place_id" if kind == "id" else "insert_card")
        screen.title, screen.hint, screen.kind = title, hint, kind
        screen.countdown = f"请在{timeout_s}秒内完成"

    def message(self, title: str, body: str, tone: str = "info", secondary: tuple | None = None,
                primary: tuple | None = None):
        screen = self.show("message")
        screen.show(title, body, tone, primary or ("完成", self.home), secondary)
        return screen
