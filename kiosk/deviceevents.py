"""Device events: what a driver notices on its own (hopper low or empty, reject bin near full or full, a
leftover card captured at start, receipt paper low or out, a card reader gone), gathered in one sink.

Every driver's ``on_event`` is wired here (kiosk.wiring). An event is a time, a device, a kind and a detail
made of lower-case words only, so there is no room for a PIN, an ID number or a name. The sink keeps each
event in a small queue file in the state dir before anyone is told, then hands it to its listeners (the
device watch) and, from its sender thread, to the service: in order, each once (its id is the request's
idempotency key), and what the service could not take stays queued for the next try. Drivers never wait
for the service: they call the sink while holding their own locks, mid-movement.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import re
import threading
import uuid
from typing import Callable

log = logging.getLogger(__name__)

# The kinds the service accepts (kiosk.backend.service.DeviceEvent lists the same; a test checks).
KINDS = ("hopper_low", "hopper_empty", "reject_bin_near_full", "reject_bin_full", "leftover_card_captured",
         "gate_entry_not_disabled", "paper_low", "paper_out", "reader_offline")
WORDS = re.compile(r"^[a-z_]{0,40}$")     # a detail: words a technician reads; no digits, so no ID number
RETRY_S = 30.0


@dataclasses.dataclass(frozen=True)
class DeviceEvent:
    at: str               # ISO 8601 with its zone, the kiosk's clock
    device: str           # a key of kiosk.flows.base.DEVICE_NAMES
    kind: str             # one of KINDS
    detail: str | None = None
    id: str = ""          # the idempotency key it is sent under


class DeviceEvents:
    def __init__(self, queue_path: str):
        self.queue_path = queue_path
        self._lock = threading.Lock()            # the queue file
        self._sending = threading.Lock()         # one delivery at a time keeps the order
        self._listeners: list[Callable[[DeviceEvent], None]] = []
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- in: from the drivers ------------------------------------------------------------------------
    def listener(self, device: str, kinds=KINDS) -> Callable[[str], None]:
        """What a driver's ``on_event`` is set to; events not in ``kinds`` are not device events (a card
        reader's "inserted" is a citizen's doing) and are left out."""
        def on_event(kind: str, detail: str | None = None) -> None:
            if kind in kinds:
                self.emit(device, kind, detail)
        return on_event

    def emit(self, device: str, kind: str, detail: str | None = None) -> DeviceEvent | None:
        if kind not in KINDS or (detail is not None and not WORDS.match(detail)):
            log.warning("device event %s/%s not kept: unknown kind or a detail that is not plain words", device, kind)
            return None
        event = DeviceEvent(dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), device, kind, detail,
                            uuid.uuid4().hex)
        log.info("device event: %s %s %s", device, kind, detail or "")
        with self._lock:                         # kept first: a crash after this still sends it
            with open(self.queue_path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(dataclasses.asdict(event)) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:                    # a listener must never break the driver that called
                log.exception("device event listener failed")
        self._wake.set()
        return event

    def subscribe(self, listener: Callable[[DeviceEvent], None]) -> None:
        self._listeners.append(listener)

    # -- out: to the service -------------------------------------------------------------------------
    def pending(self) -> list[DeviceEvent]:
        """The events not yet taken by the service, oldest first."""
        with self._lock:
            return self._read()

    def _read(self) -> list[DeviceEvent]:
        if not os.path.exists(self.queue_path):
            return []
        events = []
        with open(self.queue_path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    events.append(DeviceEvent(**json.loads(line)))
                except (ValueError, TypeError):  # a line torn by a power cut: nothing to send
                    log.warning("device event queue: unreadable line skipped")
        return events

    def _forget(self, event_id: str) -> None:
        with self._lock:
            rest = [e for e in self._read() if e.id != event_id]
            tmp = self.queue_path + ".tmp"
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.writelines(json.dumps(dataclasses.asdict(e)) + "\n" for e in rest)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.queue_path)

    def deliver(self, client) -> int:
        """Send what is queued, in order, until the service cannot take the next one; returns how many
        were taken. A definite refusal (the service will never take it) drops that event, logged, so one bad
        event does not hold back the rest."""
        from kiosk.backend.client import ServiceError, ServiceRefused
        sent = 0
        with self._sending:
            for event in self.pending():
                try:
                    client.device_event(event.at, event.device, event.kind, event.detail, idempotency_key=event.id)
                except ServiceRefused as exc:
                    if not exc.definite:
                        return sent
                    log.warning("device event %s/%s refused for good (%s); dropped", event.device, event.kind,
                                exc.code)
                except ServiceError as exc:
                    log.info("device events not delivered now: %s", exc.detail)
                    return sent
                else:
                    sent += 1
                self._forget(event.id)
        return sent

    def start_sending(self, client, retry_s: float = RETRY_S) -> "DeviceEvents":
        """Deliver from a thread of its own: at once after each event, and every ``retry_s`` while some wait."""
        def run():
            while not self._stop.is_set():
                self._wake.clear()
                try:
                    self.deliver(client)
                except Exception:                # the sender must not die of one bad answer
                    log.exception("device event delivery failed")
                self._wake.wait(retry_s)
        self._thread = threading.Thread(target=run, name="device-events", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
