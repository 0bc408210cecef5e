"""Card readers behind one port: PC/SC through pyscard and pcscd, or the virtual card in process.

A reader hands out a :class:`~kiosk.hw.cardreader.apdu.CardConnection` when a card is inserted; the card
application (``ssse``) is the same whichever reader is below it.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

from kiosk.hw.base import DeviceError, DeviceOffline, DeviceState, DeviceStatus
from kiosk.hw.cardreader.apdu import CardConnection
from kiosk.hw.cardreader.virtualcard import VirtualCard

log = logging.getLogger(__name__)


class CardReaderPort(Protocol):
    def status(self) -> DeviceStatus: ...
    def wait_for_card(self, timeout: float, cancelled: threading.Event | None = None) -> CardConnection | None: ...
    def card_present(self) -> bool: ...


class CardRemoved(DeviceError):
    pass


def _removed() -> CardRemoved:
    return CardRemoved("card removed during the exchange", zh="社保卡已被取出，请重新插卡",
                       en="The card was removed; please insert it again")


# -- in-process: the virtual card model in a simulated slot -------------------------------------------
class _InProcessConnection:
    def __init__(self, slot: "InProcessReader", card: VirtualCard):
        self._slot, self._card = slot, card

    def transmit(self, apdu: bytes) -> tuple[bytes, int, int]:
        if self._slot.card is not self._card:
            raise _removed()
        response = self._card.process(bytes(apdu))
        return response[:-2], response[-2], response[-1]

    def atr(self) -> bytes:
        return self._card.atr

    def disconnect(self) -> None:
        pass


class InProcessReader:
    """A card slot whose card is a :class:`VirtualCard` in this process (embedded default only)."""

    name = "in-process virtual reader"

    def __init__(self) -> None:
        self.card: VirtualCard | None = None
        self._changed = threading.Condition()

    def insert(self, card: VirtualCard) -> None:
        with self._changed:
            card.reset()
            self.card = card
            self._changed.notify_all()

    def remove(self) -> None:
        with self._changed:
            self.card = None
            self._changed.notify_all()

    def card_present(self) -> bool:
        return self.card is not None

    def wait_for_card(self, timeout: float, cancelled: threading.Event | None = None) -> CardConnection | None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while self.card is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (cancelled and cancelled.is_set()):
                    return None
                self._changed.wait(min(remaining, 0.2))
            return _InProcessConnection(self, self.card)

    def status(self) -> DeviceStatus:
        return DeviceStatus("cardreader", DeviceState.ONLINE,
                            media={"card": "present" if self.card else "none"}, detail=self.name)


# -- PC/SC through pyscard -----------------------------------------------------------------------------
class _PcscConnection:
    def __init__(self, connection):
        self._connection = connection

    def transmit(self, apdu: bytes) -> tuple[bytes, int, int]:
        from smartcard.Exceptions import CardConnectionException
        try:
            data, sw1, sw2 = self._connection.transmit(list(apdu))
        except CardConnectionException:
            raise _removed() from None
        return bytes(data), sw1, sw2

    def atr(self) -> bytes:
        return bytes(self._connection.getATR())

    def disconnect(self) -> None:
        try:
            self._connection.disconnect()
        except Exception:  # the card may already be gone; there is nothing left to release
            pass


class PcscReader:
    """A PC/SC reader chosen by (part of) its name, e.g. ``"Virtual PCD 00 00"`` or ``"ACS ACR39U"``."""

    def __init__(self, reader_name: str):
        self.reader_name = reader_name

    def _reader(self):
        from smartcard.System import readers
        from smartcard.Exceptions import ListReadersException
        try:
            found = [r for r in readers() if self.reader_name in str(r)]
        except (ListReadersException, Exception) as exc:   # pcscd not running raises several types
            raise DeviceOffline(f"PC/SC unavailable: {exc}", zh="社保卡读卡器未就绪，请联系工作人员",
                                en="The card reader is not ready; please call staff") from None
        if not found:
            raise DeviceOffline(f"no PC/SC reader matching {self.reader_name!r}",
                                zh="社保卡读卡器未连接，请联系工作人员",
                                en="The card reader is not connected; please call staff")
        return found[0]

    def card_present(self) -> bool:
        from smartcard.Exceptions import NoCardException, CardConnectionException
        connection = self._reader().createConnection()
        try:
            connection.connect()
        except (NoCardException, CardConnectionException):
            return False
        connection.disconnect()
        return True

    def wait_for_card(self, timeout: float, cancelled: threading.Event | None = None) -> CardConnection | None:
        from smartcard.Exceptions import NoCardException, CardConnectionException
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not (cancelled and cancelled.is_set()):
            connection = self._reader().createConnection()
            try:
                connection.connect()
                return _PcscConnection(connection)
            except (NoCardException, CardConnectionException):
                time.sleep(0.2)   # SCardGetStatusChange would block uncancellably; short polls stay cancellable
        return None

    def status(self) -> DeviceStatus:
        try:
            reader = self._reader()
        except DeviceOffline as exc:
            return DeviceStatus("cardreader", DeviceState.OFFLINE, detail=exc.detail)
        return DeviceStatus("cardreader", DeviceState.ONLINE, detail=str(reader))
