"""The UI's heartbeat to systemd (kiosk.sdnotify): READY=1 after the first frame is drawn, WATCHDOG=1 from
Kivy's clock on the UI thread, so a UI thread that hangs (a blocking call, a deadlock) stops the pings and
systemd restarts the kiosk; STOPPING=1 when the app stops. Both the kiosk and the out-of-service screen use it:
a kiosk that refused to start is up and alive too, not a start that times out and loops."""
from __future__ import annotations

import logging

from kivy.clock import Clock

from kiosk import sdnotify

log = logging.getLogger(__name__)


class SystemdWatchdog:
    def __init__(self, status: str):
        self.status = status
        self._ping = None

    def start(self) -> None:
        """Call from the app's on_start: READY goes out with the first drawn frame (not before the window
        shows anything), the pings on the clock from then on."""
        Clock.schedule_once(self._ready, 0)

    def _ready(self, _dt) -> None:
        sdnotify.notify("READY=1", f"STATUS={self.status}")
        interval = sdnotify.watchdog_interval()
        if interval is not None:
            self._ping = Clock.schedule_interval(lambda _dt: sdnotify.notify("WATCHDOG=1"), interval)
            log.info("systemd watchdog: pinged every %.1f s", interval)

    def stopping(self) -> None:
        if self._ping is not None:
            self._ping.cancel()
            self._ping = None
        sdnotify.notify("STOPPING=1", "STATUS=stopping")
