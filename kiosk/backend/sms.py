"""The service's port to an SMS provider (短信平台): the service, not the kiosk, texts a verification code to a
phone number before that number becomes the holder's contact number (kiosk/backend/contact_codes.py).

A province plugs in its own provider (its government SMS gateway, a carrier's) behind ``SmsProvider``. The
embedded default uses ``SimulatedSms``: it keeps the messages in memory, for the simulator panel and the tests
to read as the citizen's phone would. No provider here writes a message to a log: the message carries a code.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol


class SmsFailed(Exception):
    """The provider did not take the message (down, refused the number)."""


class SmsProvider(Protocol):
    def send(self, phone: str, text: str) -> None:
        """Hand one text message to the provider for ``phone`` (11 digits); raises SmsFailed."""


@dataclass(frozen=True)
class Sms:
    phone: str
    text: str


class SimulatedSms:
    """The citizen's phones, simulated: every message the service sent, newest last (memory only)."""

    def __init__(self, keep: int = 50):
        self._sent: list[Sms] = []
        self._keep = keep
        self._lock = threading.Lock()
        self.down = False          # a test turns the provider off

    def send(self, phone: str, text: str) -> None:
        if self.down:
            raise SmsFailed("simulated provider down")
        with self._lock:
            self._sent = (self._sent + [Sms(phone, text)])[-self._keep:]

    def last(self, phone: str | None = None) -> Sms | None:
        with self._lock:
            return next((m for m in reversed(self._sent) if phone is None or m.phone == phone), None)

    def __len__(self) -> int:
        return len(self._sent)
