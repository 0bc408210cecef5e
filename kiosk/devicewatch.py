"""Keeps the latest status of the devices each service needs, polled off the UI thread, so the start
screen can say plainly which service is paused and why before a citizen taps it."""
from __future__ import annotations

import logging
import threading

from kiosk.flows import registry
from kiosk.flows.base import DEVICE_NAMES, Devices
from kiosk.hw.base import DeviceState, DeviceStatus
from kiosk.i18n import both

log = logging.getLogger(__name__)
NEEDS = {service.key: service.needs for service in registry.SERVICES}     # what each tile waits for


class DeviceWatch:
    def __init__(self, devices: Devices, interval: float = 5.0):
        self.devices = devices
        self.interval = interval
        self.statuses: dict[str, DeviceStatus] = {}
        self.paused = threading.Event()       # set while a citizen is being served: no polling then
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="device-watch", daemon=True)

    def start(self) -> "DeviceWatch":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def poll_once(self) -> None:
        for name in sorted({n for names in NEEDS.values() for n in names} | {"printer"}):
            try:
                self.statuses[name] = self.devices.status(name)
            except Exception as exc:     # a status query must never take the watch down
                self.statuses[name] = DeviceStatus(name, DeviceState.HARDWARE_ERROR, detail=str(exc))
        self._heartbeat()

    def _heartbeat(self) -> None:
        """Tell the service how this kiosk's devices are (XFS4IoT-style status), best effort."""
        if not self.statuses.get("service") or not self.statuses["service"].usable:
            return
        report = [{"device": s.device, "state": s.state.value, "media": s.media, "vendor_code": s.vendor_code}
                  for s in self.statuses.values() if s.device != "service"]
        try:
            self.devices.service.heartbeat(report)
        except Exception as exc:
            log.info("heartbeat not delivered: %s", getattr(exc, "detail", exc))
            return
        # the service answers again: staff hear now, not at the next start, what the kiosk owes them
        from kiosk.flows import staff_notices
        try:
            staff_notices.deliver(self.devices)
        except Exception as exc:       # the watch must never go down for a notice
            log.warning("staff notices not delivered: %s", exc)

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self.paused.is_set():
                self.poll_once()
            self._stop.wait(self.interval)

    def unavailable(self, service: str) -> list[str]:
        """Citizen-facing names (zh, with their English) of the devices ``service`` needs that are down
        (unknown counts as up)."""
        return [both(*DEVICE_NAMES[n]) for n in NEEDS[service] if n in self.statuses and not self.statuses[n].usable]
