"""PIN digits held as briefly and as narrowly as possible, and the rules a new PIN must meet.

A :class:`PinBuffer` is the only place PIN digits live between the PIN pad and the APDU. Its ``repr``
and ``str`` never show the digits, so an accidental log line or exception text cannot leak them, and
``clear()`` overwrites the bytes in place when the PIN has been used.
"""
from __future__ import annotations

MIN_LEN = 6
MAX_LEN = 6   # every known card uses 6 digits (protocols.md §1.5); the card-side range is NOT CONFIRMED


class PinBuffer:
    __slots__ = ("_digits",)

    def __init__(self) -> None:
        self._digits = bytearray()

    @classmethod
    def typed(cls, digits: str) -> "PinBuffer":
        """A buffer holding ``digits`` as if typed on the PIN pad (tests, benchmarks, the key service)."""
        buf = cls()
        for digit in digits:
            if not buf.push(digit):
                buf.clear()
                raise ValueError(f"a PIN has at most {MAX_LEN} digits")
        return buf

    def push(self, digit: str) -> bool:
        """Append one digit; False when the PIN is already full."""
        if len(digit) != 1 or not digit.isdigit():
            raise ValueError("a PIN digit must be one of 0-9")
        if len(self._digits) >= MAX_LEN:
            return False
        self._digits.append(ord(digit))
        return True

    def pop(self) -> None:
        if self._digits:
            self._digits[-1] = 0
            del self._digits[-1]

    def clear(self) -> None:
        for i in range(len(self._digits)):
            self._digits[i] = 0
        del self._digits[:]

    def __len__(self) -> int:
        return len(self._digits)

    @property
    def complete(self) -> bool:
        return MIN_LEN <= len(self._digits) <= MAX_LEN

    def same_as(self, other: "PinBuffer") -> bool:
        return bytes(self._digits) == bytes(other._digits)

    def equals_text(self, text: str) -> bool:
        return bytes(self._digits) == text.encode("ascii")

    def bcd(self) -> bytearray:
        """Packed BCD, an odd length padded with an F nibble. The caller clears the result after use."""
        nibbles = [d - 0x30 for d in self._digits] + ([0xF] if len(self._digits) % 2 else [])
        return bytearray((nibbles[i] << 4) | nibbles[i + 1] for i in range(0, len(nibbles), 2))

    def weakness(self) -> str | None:
        """Why these digits are too easy to guess (a rule key), or None."""
        d = bytes(self._digits)
        if len(set(d)) == 1:
            return "all_same"
        steps = {d[i + 1] - d[i] for i in range(len(d) - 1)}
        if steps in ({1}, {-1}):
            return "straight_run"
        return None

    def __repr__(self) -> str:
        return f"<PinBuffer {len(self._digits)} digits>"

    __str__ = __repr__


def wipe(buf: bytearray) -> None:
    for i in range(len(buf)):
        buf[i] = 0


class DigitBuffer:
    """Digits typed on the keypad that are not secret (a phone number): shown as typed."""

    def __init__(self, length: int):
        self.length = length
        self.digits: list[str] = []

    def push(self, digit: str) -> None:
        if len(self.digits) < self.length:
            self.digits.append(digit)

    def pop(self) -> None:
        if self.digits:
            self.digits.pop()

    def clear(self) -> None:
        self.digits.clear()

    def __len__(self) -> int:
        return len(self.digits)

    @property
    def complete(self) -> bool:
        return len(self.digits) == self.length

    def text(self) -> str:
        return "".join(self.digits)
