"""Card presence from pcscd, supervised.

pyscard's own CardMonitor thread dies silently when pcscd restarts or the reader is unplugged (pyscard
issues #82, #128). This monitor speaks SCardGetStatusChange itself with a short timeout and, on any
service or reader error, releases its context and rebuilds it with backoff, reporting the reader
OFFLINE meanwhile. Events go to a callback: "inserted", "removed", "reader_online", "reader_offline".
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

log = logging.getLogger(__name__)

POLL_MS = 300
BACKOFF = (0.2, 0.5, 1.0, 2.0, 5.0)


class PresenceMonitor:
    def __init__(self, reader_name: str, on_event: Callable[[str], None] | None = None):
        self.reader_name = reader_name
        self.on_event = on_event or (lambda _e: None)
        self.online = False
        self.present = False
        self.reader = ""            # the full name pcscd gives the matched reader
        self.detail = "not started"
        self.rebuilds = 0
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "PresenceMonitor":
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="pcsc-monitor", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=3)
            self._thread = None

    def wait(self, predicate: Callable[["PresenceMonitor"], bool], timeout: float,
             cancelled: threading.Event | None = None) -> bool:
        """Wait until ``predicate(self)`` holds; False on timeout or cancellation."""
        import time
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(self):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (cancelled is not None and cancelled.is_set()):
                    return False
                self._changed.wait(min(remaining, 0.2))
            return True

    # -- internals ------------------------------------------------------------------------------------
    def _set(self, *, online: bool | None = None, present: bool | None = None, detail: str | None = None):
        events = []
        with self._changed:
            if online is not None and online != self.online:
                self.online = online
                events.append("reader_online" if online else "reader_offline")
                if not online:
                    present = False
            if present is not None and present != self.present:
                self.present = present
                events.append("inserted" if present else "removed")
            if detail is not None:
                self.detail = detail
            self._changed.notify_all()
        for event in events:
            log.info("card reader %s: %s", self.reader_name, event)
            try:
                self.on_event(event)
            except Exception:
                log.exception("presence event handler failed")

    def _run(self) -> None:
        from smartcard import scard
        attempt = 0
        while not self._stop.is_set():
            hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if hresult != scard.SCARD_S_SUCCESS:
                self._set(online=False, detail=f"pcscd unavailable: {scard.SCardGetErrorMessage(hresult)}")
                self._stop.wait(BACKOFF[min(attempt, len(BACKOFF) - 1)])
                attempt += 1
                continue
            try:
                if self._watch(scard, context):
                    attempt = 0
                else:
                    attempt += 1
            finally:
                scard.SCardReleaseContext(context)
            self.rebuilds += 1
            self._stop.wait(BACKOFF[min(attempt, len(BACKOFF) - 1)])

    def _watch(self, scard, context) -> bool:
        """Follow the reader until an error; True when it had been online (so the backoff restarts)."""
        hresult, readers = scard.SCardListReaders(context, [])
        matches = [r for r in (readers or []) if self.reader_name in r] if hresult == scard.SCARD_S_SUCCESS else []
        if not matches:
            why = (f"no reader matching {self.reader_name!r}" if hresult in (scard.SCARD_S_SUCCESS,
                   scard.SCARD_E_NO_READERS_AVAILABLE) else scard.SCardGetErrorMessage(hresult))
            self._set(online=False, detail=why)
            return False
        self.reader = matches[0]
        state = scard.SCARD_STATE_UNAWARE
        was_online = False
        while not self._stop.is_set():
            hresult, states = scard.SCardGetStatusChange(context, POLL_MS, [(self.reader, state)])
            if hresult == scard.SCARD_E_TIMEOUT:
                continue
            if hresult != scard.SCARD_S_SUCCESS:
                self._set(online=False, detail=f"lost: {scard.SCardGetErrorMessage(hresult)}")
                return was_online
            _, event_state, _atr = states[0]
            if event_state & (scard.SCARD_STATE_UNAVAILABLE | scard.SCARD_STATE_UNKNOWN):
                self._set(online=False, detail="reader unavailable")
                return was_online
            was_online = True
            self._set(online=True, present=bool(event_state & scard.SCARD_STATE_PRESENT),
                      detail=self.reader)
            state = event_state & ~scard.SCARD_STATE_CHANGED
        return was_online
