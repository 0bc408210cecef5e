"""A GA 467 reader that speaks the protocol on a pseudo-terminal.

The kiosk's real driver opens the slave end through pyserial; this class answers on the master end the way
a reader does: SAM commands, find/select/read against the card that has been "placed" (any of the four
card types, with or without fingerprint and appended address), and scripted faults. Answers are paced at
the line's baud rate, as a real reader streams them, unless ``baud=None``.

A ``link`` path plays the part of a udev name (/dev/serial/by-id/…): it always points at the current
pseudo-terminal, so an unplug (``unplug()``) and replug (``plug()``) can be tested like a USB reader's.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from dataclasses import dataclass

from kiosk.hw.idreader import codec
from kiosk.hw.ptydevice import PtyDevice
from kiosk.hw.idreader.codec import Command
from kiosk.hw.idreader.idcard import PHOTO_LEN, IdCard, encode_text

log = logging.getLogger(__name__)

# Faults a test can queue; each is used by the next answer.
FAULTS = {
    "bad_checksum": "the answer's checksum byte is wrong",
    "split_answer": "the answer comes in 64-byte pieces with pauses",
    "slow_answer": "the answer starts 0.3 s late",
    "silence": "no answer at all",
    "garbage_before": "line noise before the answer",
    "sam_fault": "SW3 0x60: the SAM failed its self-test",
    "remove_after_select": "the citizen lifts the card right after SELECT succeeds",
    "close_mid_answer": "the port disappears half-way through the answer (USB pulled)",
}
SAM_ID = bytes.fromhex("05000000010203040100000002000000")   # u32 fields little-endian
CHIP_SN = bytes.fromhex("0123456789ABCDEF")


@dataclass
class SimCard:
    """A card on the reader: its text, photo and the optional parts."""
    card: IdCard
    fingerprint: bytes = b""           # 1024 bytes (two 512-byte templates) when the card has them
    appended_address: str = ""         # 追加住址, written by the police after an address change


class IdReaderSimulator(PtyDevice):
    thread_name = "idreader-sim"

    def on_plug(self) -> None:
        self._decoder = codec.FrameDecoder()

    def __init__(self, baud: int | None = 115200, link: str | None = None, without: tuple = ()):
        super().__init__(link)
        self.baud = baud
        # a reader model without some optional commands (Command names, e.g. READ_APPENDED_ADDRESS): it answers
        # them SW3 0x21, "command not known", as such readers do
        self.without = frozenset(Command[name] if isinstance(name, str) else name for name in without)
        self._card: SimCard | None = None
        self._selected = False
        self._faults: deque = deque()
        self._lock = threading.Lock()
        self.requests: list[Command | None] = []
        self._decoder = codec.FrameDecoder()
        self.plug()

    # -- what a tester does with hands ------------------------------------------------------------------
    def place(self, card: IdCard | SimCard) -> None:
        with self._lock:
            self._card = card if isinstance(card, SimCard) else SimCard(card)
            self._selected = False

    def remove(self) -> None:
        with self._lock:
            self._card, self._selected = None, False

    @property
    def card(self) -> IdCard | None:
        return self._card.card if self._card else None

    def inject(self, fault: str) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; one of {', '.join(FAULTS)}")
        self._faults.append(fault)

    def inject_delay(self, seconds: float) -> None:
        """Answer the next command ``seconds`` late, as a busy reader does; requests that come meanwhile wait
        and are answered in order afterwards (a reader handles one command at a time)."""
        self._faults.append(("delay", seconds))

    def inject_sw3(self, sw3: int) -> None:
        """Answer the next command with this result code (any code of GA 467 §2.5) and no data, but for 9F,
        which carries a find-card answer's 4 bytes."""
        self._faults.append(("sw3", sw3))

    # -- the device ---------------------------------------------------------------------------------------
    def _answer(self, command: Command | None) -> bytes:
        with self._lock:
            sim = self._card
            if command is None or command in self.without:
                return codec.encode_response(0x21)
            if command in (Command.SAM_STATUS, Command.RESET_SAM):
                return codec.encode_response(0x90)
            if command is Command.READ_SAM_ID:
                return codec.encode_response(0x90, SAM_ID)
            if command is Command.FIND_CARD:
                self._selected = False
                return codec.encode_response(0x9F, b"\x00" * 4) if sim else codec.encode_response(0x80)
            if command is Command.SELECT_CARD:
                if not sim:
                    return codec.encode_response(0x81)
                self._selected = True
                return codec.encode_response(0x90, b"\x00" * 8)
            if not (sim and self._selected):        # every read needs a selected card still on the reader
                return codec.encode_response(0x41)
            photo = (sim.card.photo_wlt or b"\x00" * PHOTO_LEN)[:PHOTO_LEN].ljust(PHOTO_LEN, b"\x00")
            text = encode_text(sim.card)
            if command is Command.READ_TEXT_PHOTO:
                return codec.encode_response(0x90, b"\x01\x00\x04\x00" + text + photo)
            if command is Command.READ_TEXT_PHOTO_FINGERPRINT:
                fp = sim.fingerprint
                header = b"\x01\x00\x04\x00" + len(fp).to_bytes(2, "big")
                return codec.encode_response(0x90, header + text + photo + fp)
            if command is Command.READ_APPENDED_ADDRESS:
                if not sim.appended_address:
                    return codec.encode_response(0x91)
                encoded = sim.appended_address.encode("utf-16-le")[:70]
                return codec.encode_response(0x90, encoded.ljust(70, b"\x00"))
            if command is Command.READ_CHIP_SN:
                return codec.encode_response(0x90, CHIP_SN)
            return codec.encode_response(0x21)

    def _send(self, master: int, frame: bytes, pieces: int = 256, pause: float = 0.0) -> None:
        """Write a frame as a line at ``baud`` would deliver it."""
        for i in range(0, len(frame), pieces):
            chunk = frame[i:i + pieces]
            os.write(master, chunk)
            if self.baud:
                time.sleep(len(chunk) * 10 / self.baud)
            if pause:
                time.sleep(pause)

    def _respond(self, master: int, command: Command | None) -> None:
        fault = self._faults.popleft() if self._faults else None
        if isinstance(fault, tuple) and fault[0] == "delay":
            time.sleep(fault[1])
            fault = None
        elif isinstance(fault, tuple):        # a find-card success carries its 4 bytes, any other code none
            self._send(master, codec.encode_response(fault[1], b"\x00" * 4 if fault[1] == 0x9F else b""))
            return
        if fault == "silence":
            return
        if fault == "sam_fault":
            self._send(master, codec.encode_response(0x60))
            return
        if fault == "slow_answer":
            time.sleep(0.3)
        frame = bytearray(self._answer(command))
        if fault == "remove_after_select" and command is Command.SELECT_CARD:
            self.remove()
        if fault == "bad_checksum":
            frame[-1] ^= 0xFF
        if fault == "garbage_before":
            frame[:0] = b"\x00\x13\xAA\x96"
        if fault == "close_mid_answer":
            self._send(master, bytes(frame[:len(frame) // 2]))
            self.unplug()          # synchronously: a later plug() must never be undone by this one
            return
        if fault == "split_answer":
            self._send(master, bytes(frame), pieces=64, pause=0.005)
            return
        self._send(master, bytes(frame))

    def received(self, master: int, data: bytes) -> bool:
        self._decoder.feed(data)
        while True:
            try:
                body = self._decoder.next_body()
            except codec.FrameError:
                self._send(master, codec.encode_response(0x10))   # the SAM's own checksum error
                continue
            if body is None:
                return True
            try:
                command = codec.decode_request_body(body)[0]
            except codec.FrameError:
                self._send(master, codec.encode_response(0x11))
                continue
            self.requests.append(command)
            self._respond(master, command)
            if self._master != master:        # unplugged mid-answer
                return False
