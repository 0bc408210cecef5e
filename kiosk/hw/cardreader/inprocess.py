"""The virtual card model in a simulated slot, in this process (the embedded default's card reader, and tests).
A simulator: production code gets it only through kiosk.simulated."""
from __future__ import annotations

import threading
import time

from kiosk.hw.base import DeviceState, DeviceStatus
from kiosk.hw.cardreader.apdu import CardConnection
from kiosk.hw.cardreader.readers import MUTE_TIMEOUT_S, _mute, _removed
from kiosk.hw.cardreader.virtualcard import CardFault, VirtualCard


class _InProcessConnection:
    def __init__(self, slot: "InProcessReader", card: VirtualCard):
        self._slot, self._card = slot, card

    def transmit(self, apdu: bytes) -> tuple[bytes, int, int]:
        if self._slot.card is not self._card:
            raise _removed()
        try:
            response = self._card.process(bytes(apdu))
        except CardFault as fault:
            if fault.kind == "mute":
                time.sleep(MUTE_TIMEOUT_S)
                raise _mute() from None
            self._slot.remove()
            raise _removed() from None
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
