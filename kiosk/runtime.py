"""The kiosk's start-up: config → devices (kiosk.wiring) → recovery (kiosk.startup) → voice. The embedded
default starts every simulator and the reference service; a config file swaps any of them for a real port
or URL and nothing else changes."""
from __future__ import annotations

import logging

from kiosk.config import Config
from kiosk.embedded import close_previous_demo, fresh_demo_service_db  # noqa: F401  (kept importable here)
from kiosk.keyfiles import load_or_make_key, load_public, save_public  # noqa: F401  (kept importable here)
from kiosk.startup import recover_at_start
from kiosk.wiring import build_devices

log = logging.getLogger(__name__)


class Kiosk:
    """The running kiosk's parts. ``recover=False`` builds without the start-up recovery, for a caller that
    runs :func:`kiosk.startup.recover_at_start` itself."""

    def __init__(self, config: Config, *, recover: bool = True):
        self.config = config
        self._wiring = build_devices(config)
        try:
            self.devices = self._wiring.devices
            self.service = self._wiring.service
            self.hands = self._wiring.hands if config.simulated else None
            from kiosk.voice import Voice
            self.voice = Voice.from_config(config)      # Mandarin prompts, synthesized offline and cached
            self._wiring.closers.append(self.voice.close)
            if self.service is not None:
                close_previous_demo(self.devices.journal)
            if recover:
                recover_at_start(self.devices)
            # device events (queued by the drivers, some from the recovery just run, some from earlier
            # starts) go to the service from here on, in the background
            self.devices.events.start_sending(self.devices.service)
            self._wiring.closers.append(self.devices.events.stop)
        except BaseException:
            self._wiring.close()
            raise

    def close(self) -> None:
        self._wiring.close()
