"""Keeps the latest status of the devices each service needs, polled off the UI thread, so the start
screen can say plainly which service is paused and why before a citizen taps it. A device event (the
hopper ran empty while dispensing, the paper ran out) changes the status at once: the next poll may be
seconds away, or not come at all while a citizen is being served."""
from __future__ import annotations

import dataclasses
import logging
import threading

from kiosk.flows import registry
from kiosk.flows.base import DEVICE_NAMES, Devices
from kiosk.hw.base import DeviceState, DeviceStatus
from kiosk.i18n import both

log = logging.getLogger(__name__)
NEEDS = {service.key: service.needs for service in registry.SERVICES}     # what each tile waits for
# What a device event says about its device until the next poll asks: a state (None: usable as it was) and
# the media it reports (kiosk.devicestatus).
EVENT_STATUS = {"hopper_low": (None, {"hopper": "low"}),
                "hopper_empty": (DeviceState.HARDWARE_ERROR, {"hopper": "empty"}),
                "reject_bin_full": (DeviceState.HARDWARE_ERROR, {"reject_bin": "full"}),
                "paper_low": (None, {"paper": "low"}),
                "paper_out": (DeviceState.HARDWARE_ERROR, {"paper": "out"}),
                "reader_offline": (DeviceState.OFFLINE, {})}
# Why a device is down, in the citizen's words, when its media say so
REASONS = {("hopper", "empty"): ("空白卡已用完", "out of blank cards"),
           ("reject_bin", "full"): ("废卡箱已满", "reject bin full"),
           ("paper", "out"): ("凭条纸已用完", "out of receipt paper")}


class DeviceWatch:
    def __init__(self, devices: Devices, interval: float = 5.0):
        self.devices = devices
        self.interval = interval
        self.statuses: dict[str, DeviceStatus] = {}
        self.paused = threading.Event()       # set while a citizen is being served: no polling then
        self.service_paused = lambda: False   # staff paused the kiosk (the app sets it: kiosk.pause), for the heartbeat
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="device-watch", daemon=True)
        if devices.events is not None:
            devices.events.subscribe(self.on_device_event)

    def start(self) -> "DeviceWatch":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def needs(self, service: str) -> tuple[str, ...]:
        """The devices ``service`` waits for: the registry's, and the camera where the region checks the person
        at it first (人证核验, kiosk/flows/face_check.py) — a tile must not promise what the camera cannot do."""
        if service in self.devices.policy.face_check_services:
            return (*NEEDS[service], "camera")
        return NEEDS[service]

    def poll_once(self) -> None:
        for name in sorted({n for key in NEEDS for n in self.needs(key)} | {"printer"}):
            try:
                self.statuses[name] = self.devices.status(name)
            except Exception as exc:     # a status query must never take the watch down
                self.statuses[name] = DeviceStatus(name, DeviceState.HARDWARE_ERROR, detail=str(exc))
        self._heartbeat()

    def on_device_event(self, event) -> None:
        """Called on the driver's thread (kiosk.deviceevents): only a dict entry changes, nothing waits."""
        if event.kind not in EVENT_STATUS:
            return
        state, media = EVENT_STATUS[event.kind]
        now = self.statuses.get(event.device) or DeviceStatus(event.device, DeviceState.ONLINE)
        self.statuses[event.device] = dataclasses.replace(now, state=state or now.state, media={**now.media, **media},
                                                          detail=f"device event: {event.kind}")

    def _heartbeat(self) -> None:
        """Tell the service how this kiosk's devices are (XFS4IoT-style status), best effort."""
        if not self.statuses.get("service") or not self.statuses["service"].usable:
            return
        # by the watch's own name: the module's reader reports itself as a card reader, but is issuer_reader here
        report = [{"device": name, "state": s.state.value, "media": s.media, "vendor_code": s.vendor_code}
                  for name, s in self.statuses.items() if name != "service"]
        issuer = self.devices.cardissuer
        counts = dict(getattr(issuer, "counts", None) or {})
        try:
            from kiosk.flows.staff_audit import KIND as STAFF_ACTION
            unsettled = sum(1 for t in self.devices.journal.unfinished() if t["kind"] != STAFF_ACTION)
            self.devices.service.heartbeat(report, counters=counts, paused=self.service_paused(), unsettled=unsettled)
        except Exception as exc:
            log.info("heartbeat not delivered: %s", getattr(exc, "detail", exc))
            return
        # the service answers again: staff hear now, not at the next start, what the kiosk owes them
        from kiosk.flows import staff_audit, staff_notices
        try:
            staff_notices.deliver(self.devices)
            staff_audit.deliver(self.devices)
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
        return [self._why(n) for n in self.needs(service) if n in self.statuses and not self.statuses[n].usable]

    def _why(self, name: str):
        zh, en = DEVICE_NAMES[name]
        for item in self.statuses[name].media.items():
            if item in REASONS:
                reason_zh, reason_en = REASONS[item]
                return both(f"{zh}（{reason_zh}）", f"{en} ({reason_en})")
        return both(zh, en)
