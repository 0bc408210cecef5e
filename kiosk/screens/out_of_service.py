"""The screen a kiosk shows when it refuses to start (kiosk.errors.StartRefused, a bad config): citizens read
that it is out of service and where to go instead; the technician reads, in small print at the bottom, what is
wrong and the command that puts it right. It stays up until systemd stops it, so a kiosk that cannot trust its
service is never a black screen or a restart loop. Call kiosk.screens.boot.prepare first."""
from __future__ import annotations

import logging

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout

from kiosk.screens import theme
from kiosk.screens.wrapping import WrapLabel

log = logging.getLogger(__name__)


class OutOfServiceApp(App):
    title = "社会保障卡自助服务"

    def __init__(self, zh: str, en: str, technician: str, **kwargs):
        super().__init__(**kwargs)
        self.zh, self.en, self.technician = zh, en, technician

    def build(self):
        Window.clearcolor = theme.STANDARD.BACKGROUND
        box = BoxLayout(orientation="vertical", padding=dp(48), spacing=dp(24))
        box.add_widget(_wrapped("暂停服务", dp(64), bold=True))
        box.add_widget(_wrapped(self.zh, dp(36)))
        box.add_widget(_wrapped(self.en, dp(26)))
        box.add_widget(_wrapped("技术人员 / Technician: " + self.technician, dp(18), muted=True))
        Window.bind(on_request_close=lambda *_a, **_k: True)   # only systemd ends it, as the kiosk itself
        return box

    def on_start(self):
        import signal

        def stop(signum, _frame):
            log.info("signal %d: stopping", signum)
            Clock.schedule_once(lambda _dt: self.stop())
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, stop)
        Clock.schedule_once(lambda _dt: log.info("out-of-service screen shown"), 0.5)
        from kiosk.screens.watchdog import SystemdWatchdog
        self._systemd = SystemdWatchdog("out of service: " + self.technician)
        self._systemd.start()

    def on_stop(self):
        self._systemd.stopping()


def _wrapped(text: str, size: float, bold: bool = False, muted: bool = False) -> WrapLabel:
    label = WrapLabel(text=text, font_size=size, bold=bold, halign="center", valign="middle",
                      color=theme.STANDARD.MUTED if muted else theme.STANDARD.TEXT)
    label.bind(width=lambda widget, width: setattr(widget, "text_size", (width, None)))
    return label


def show(zh: str, en: str, technician: str) -> None:
    OutOfServiceApp(zh, en, technician).run()
