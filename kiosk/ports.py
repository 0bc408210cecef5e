"""The ports: one typed protocol per device class the flows use, in one place.

A flow sees only these. A driver (kiosk/hw) or a simulator (chosen by kiosk/simulated.py when config says
"sim") stands behind each; ``kiosk.wiring.build_devices`` decides which from the config. Each protocol lists
what flows, screens and the technician's selftest call, no more: every device answers ``status()`` in the
one status model (kiosk.hw.base).
"""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from kiosk.hw.base import DeviceStatus

if TYPE_CHECKING:                          # types only: the ports module imports no driver
    from collections.abc import Callable

    from PIL import Image

    from kiosk.hw.cardissuer.codec import CardPosition
    from kiosk.hw.cardreader.apdu import CardConnection
    from kiosk.hw.idreader.idcard import IdCard
    from kiosk.pin import PinBuffer
    from kiosk.hw.printer.receipt import Receipt
    from kiosk.security.rules import CardIdentity


@runtime_checkable
class IdReaderPort(Protocol):
    """The resident ID card reader (GA 467)."""
    def status(self) -> DeviceStatus: ...
    def wait_for_card(self, timeout: float, cancelled: threading.Event | None = None) -> "IdCard | None": ...
    def wait_for_removal(self, timeout: float, cancelled: threading.Event | None = None) -> bool: ...


@runtime_checkable
class CardReaderPort(Protocol):
    """A contact reader for the social security card: the citizen's slot, or the one inside the module."""
    def status(self) -> DeviceStatus: ...
    def wait_for_card(self, timeout: float,
                      cancelled: threading.Event | None = None) -> "CardConnection | None": ...
    def card_present(self) -> bool: ...


@runtime_checkable
class ReceiptPrinterPort(Protocol):
    def status(self) -> DeviceStatus: ...
    def print_receipt(self, receipt: "Receipt") -> None: ...


@runtime_checkable
class CardIssuerPort(Protocol):
    """The card-issuing module (CRT-591 class): hopper → chip station → gate, reject bin.

    ``status()`` is the side-effect-free question (the module's status command); ``initialize()`` captures a
    card left inside and is a start-up step (kiosk.startup), never a check."""
    leftover_captured: bool
    position: "CardPosition"     # as last reported by the module: the session is held while it is not NONE

    def status(self) -> DeviceStatus: ...
    def initialize(self) -> str: ...
    def card_position(self) -> "CardPosition": ...
    def dispense_to_chip(self) -> None: ...
    def present(self) -> None: ...
    def wait_taken(self, timeout: float, cancelled: threading.Event | None = None, poll: float = 0.3) -> bool: ...
    def capture(self) -> None: ...
    def accept_card(self, timeout: float, cancelled: threading.Event | None = None, poll: float = 0.3,
                    on_open: "Callable[[], None] | None" = None) -> bool: ...
    def give_back(self, timeout: float, cancelled: threading.Event | None = None, poll: float = 0.3) -> bool: ...
    # staff mode: the module opened to refill the hopper or empty the reject bin (busy for the kiosk meanwhile)
    def start_exchange(self) -> None: ...
    def end_exchange(self, bin_emptied: bool, loaded: int | None = None) -> dict: ...


@runtime_checkable
class FacePrinterPort(Protocol):
    def status(self) -> DeviceStatus: ...
    def print_face(self, face: "Image.Image") -> None: ...


@runtime_checkable
class CameraPort(Protocol):
    """The camera: live frames for 人证核验 and the applicant's photo (申领照片). Frames are read on the
    driver's own thread; ``frame()`` blocks a worker, never the UI thread."""
    resolution: tuple[int, int]

    def status(self) -> DeviceStatus: ...
    def start(self) -> None: ...        # open and stream (idempotent); DeviceError (zh/en words) when it cannot
    def frame(self, timeout: float = 1.0) -> "Image.Image": ...   # the next NEW frame, RGB; DeviceError when
                                        # none comes within ``timeout`` or the camera is lost
    def stop(self) -> None: ...         # release the device (idempotent)
    def capture(self) -> "Image.Image": ...   # one fresh still (starts the camera if needed)


@runtime_checkable
class SecurityModulePort(Protocol):
    """Card cryptograms and MACs; keys never leave it (kiosk.security.module)."""
    name: str

    def status(self) -> DeviceStatus: ...
    def internal_auth_ok(self, card: "CardIdentity", random: bytes, answer: bytes) -> bool: ...
    def external_auth(self, card: "CardIdentity", key_id: int, challenge: bytes) -> bytes: ...
    def reload_mac(self, card: "CardIdentity", challenge: bytes, header: bytes, new_pin: "PinBuffer") -> bytes: ...
    def unblock_data(self, card: "CardIdentity", challenge: bytes, header: bytes,
                     new_pin: "PinBuffer") -> bytes: ...


@runtime_checkable
class KeyTransportPort(Protocol):
    """A key-transport session with the card service: the service seals the personalisation data of a new card
    under a session key this kiosk sent it SM2-encrypted, and only this end can open it."""
    def status(self) -> DeviceStatus: ...
    def session_id(self) -> str: ...
    def open_sealed(self, data_hex: str) -> bytes: ...


@runtime_checkable
class PhotoDecoderPort(Protocol):
    """The ID card photo (WLT) decoder: a licensed vendor library, or none."""
    installed: bool
    status: str

    def decode(self, wlt: bytes) -> "Image.Image": ...
