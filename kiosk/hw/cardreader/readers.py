"""Card readers behind one port: PC/SC through pyscard and pcscd (the virtual card in process is
kiosk.hw.cardreader.inprocess, a simulator).

A reader hands out a :class:`~kiosk.hw.cardreader.apdu.CardConnection` when a card is inserted; the card
application (``ssse``) is the same whichever reader is below it.
"""
from __future__ import annotations

import logging
import threading
import time

from kiosk.hw.base import DeviceError, DeviceOffline, DeviceState, DeviceStatus
from kiosk.hw.cardreader.apdu import CardConnection
from kiosk.ports import CardReaderPort  # noqa: F401  (the port lives in kiosk.ports)

log = logging.getLogger(__name__)


class CardRemoved(DeviceError):
    pass


def _removed() -> CardRemoved:
    return CardRemoved("card removed during the exchange", zh="社保卡已被取出，请重新插卡",
                       en="The card was removed; please insert it again")


class CardMute(DeviceError):
    """The card stopped answering (a damaged chip, a card half out of the slot)."""


def _mute() -> CardMute:
    return CardMute("card does not answer", zh="社保卡无响应，请取出后重新插入",
                    en="The card does not answer; please take it out and insert it again")


MUTE_TIMEOUT_S = 1.0     # how long a reader waits for a silent card before giving up


# -- PC/SC through pyscard -----------------------------------------------------------------------------
class _PcscConnection:
    def __init__(self, connection):
        self._connection = connection

    def transmit(self, apdu: bytes) -> tuple[bytes, int, int]:
        from smartcard.Exceptions import CardConnectionException
        try:
            data, sw1, sw2 = self._connection.transmit(list(apdu))
        except CardConnectionException as exc:
            # pcscd's reason (removed, reset by another connection, a reader gone) for the technician's log;
            # the citizen hears the one thing they can act on
            log.warning("PC/SC transmit failed (INS %02X): %s [%s]", apdu[1] if len(apdu) > 1 else 0, exc,
                        getattr(exc, "hresult", ""))
            self.disconnect()
            raise _removed() from None
        return bytes(data), sw1, sw2

    def atr(self) -> bytes:
        return bytes(self._connection.getATR())

    def disconnect(self) -> None:
        try:
            self._connection.release()            # the card handle and the connection's own context
        except Exception:  # the card or pcscd is already gone; there is nothing left to release
            # pyscard's finaliser would try again and complain from inside the garbage collector;
            # createConnection() wraps the PC/SC connection in a decorator, so reach the inner one
            inner = getattr(self._connection, "component", self._connection)
            inner.hcard = None
            inner.hcontext = None



class PcscReader:
    """A PC/SC reader chosen by (part of) its name, e.g. ``"Virtual PCD 00 00"`` or ``"ACS ACR39U"``.

    Presence and the reader's own state come from a supervised :class:`PresenceMonitor`, so a pcscd
    restart or an unplugged reader shows as OFFLINE and heals by itself."""

    def __init__(self, reader_name: str, on_event=None):
        from kiosk.hw.cardreader.monitor import PresenceMonitor
        self.reader_name = reader_name
        self.monitor = PresenceMonitor(reader_name, on_event).start()
        self.monitor.wait(lambda m: m.detail != "not started", 2.0)

    def close(self) -> None:
        self.monitor.stop()

    def _offline(self) -> DeviceOffline:
        return DeviceOffline(f"PC/SC reader {self.reader_name!r}: {self.monitor.detail}",
                             zh="社保卡读卡器未就绪，请联系工作人员",
                             en="The card reader is not ready; please call staff")

    def card_present(self) -> bool:
        if not self.monitor.online:
            raise self._offline()
        return self.monitor.present

    def wait_for_card(self, timeout: float, cancelled: threading.Event | None = None) -> CardConnection | None:
        from smartcard.Exceptions import CardConnectionException, NoCardException
        from smartcard.System import readers
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not (cancelled and cancelled.is_set()):
            if not self.monitor.wait(lambda m: m.present or not m.online, deadline - time.monotonic(), cancelled):
                return None
            if not self.monitor.online:
                raise self._offline()
            connection = None
            try:
                reader = next(r for r in readers() if str(r) == self.monitor.reader)
                connection = reader.createConnection()
                connection.connect()
                return _PcscConnection(connection)
            except (NoCardException, CardConnectionException, StopIteration):
                time.sleep(0.1)      # the card left again, or pcscd is still powering it up
            except Exception as exc:  # pcscd vanished between the event and the connect
                log.info("connect failed: %s", exc)
                time.sleep(0.2)
            if connection is not None:
                _PcscConnection(connection).disconnect()   # each pyscard connection holds a context
        return None

    def status(self) -> DeviceStatus:
        if not self.monitor.online:
            return DeviceStatus("cardreader", DeviceState.OFFLINE, detail=self.monitor.detail)
        return DeviceStatus("cardreader", DeviceState.ONLINE, media={"card": "present" if self.monitor.present else "none"},
                            detail=self.monitor.reader)
