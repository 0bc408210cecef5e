"""A GA 467 reader that speaks the protocol on a pseudo-terminal.

The kiosk's real driver opens the slave end through pyserial; this class answers on the master end the way
a reader does: find/select/read against whatever card has been "placed", SAM status, and scripted faults.
"""
from __future__ import annotations

import logging
import os
import select
import threading
import time
import tty
from collections import deque

from kiosk.hw.idreader import codec
from kiosk.hw.idreader.codec import Command
from kiosk.hw.idreader.idcard import PHOTO_LEN, IdCard, encode_text

log = logging.getLogger(__name__)

# Faults a test can queue; each is consumed by the next matching command.
FAULTS = ("bad_checksum", "split_answer", "sam_fault", "silence", "garbage_before")


class IdReaderSimulator:
    def __init__(self) -> None:
        self._master, self._slave = os.openpty()
        # raw from the start: a cooked pty echoes and rewrites bytes (hardware.md §4.2)
        tty.setraw(self._slave)
        self.port = os.ttyname(self._slave)
        self._card: IdCard | None = None
        self._selected = False
        self._faults: deque[str] = deque()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.requests: list[Command | None] = []
        self._thread = threading.Thread(target=self._serve, name="idreader-sim", daemon=True)
        self._thread.start()

    # -- what a tester does with hands --------------------------------------------------------------
    def place(self, card: IdCard) -> None:
        with self._lock:
            self._card, self._selected = card, False

    def remove(self) -> None:
        with self._lock:
            self._card, self._selected = None, False

    @property
    def card(self) -> IdCard | None:
        return self._card

    def inject(self, fault: str) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; one of {FAULTS}")
        self._faults.append(fault)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for fd in (self._master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass

    # -- the device ---------------------------------------------------------------------------------
    def _answer(self, command: Command | None) -> bytes:
        with self._lock:
            card = self._card
            if command is None:
                return codec.encode_response(0x21)
            if command in (Command.SAM_STATUS, Command.RESET_SAM):
                return codec.encode_response(0x90)
            if command is Command.READ_SAM_ID:
                return codec.encode_response(0x90, bytes.fromhex("05000000010203040000000100000002"))
            if command is Command.FIND_CARD:
                self._selected = False
                return codec.encode_response(0x9F, b"\x00" * 4) if card else codec.encode_response(0x80)
            if command is Command.SELECT_CARD:
                if not card:
                    return codec.encode_response(0x81)
                self._selected = True
                return codec.encode_response(0x90, b"\x00" * 8)
            if command is Command.READ_TEXT_PHOTO:
                if not (card and self._selected):
                    return codec.encode_response(0x41)
                photo = (card.photo_wlt or b"\x00" * PHOTO_LEN)[:PHOTO_LEN].ljust(PHOTO_LEN, b"\x00")
                return codec.encode_response(0x90, b"\x01\x00\x04\x00" + encode_text(card) + photo)
            if command is Command.READ_APPENDED_ADDRESS:
                return codec.encode_response(0x91)
            return codec.encode_response(0x21)

    def _respond(self, command: Command | None) -> None:
        fault = self._faults.popleft() if self._faults else None
        if fault == "sam_fault":
            os.write(self._master, codec.encode_response(0x60))
            return
        if fault == "silence":
            return
        frame = bytearray(self._answer(command))
        if fault == "bad_checksum":
            frame[-1] ^= 0xFF
        if fault == "garbage_before":
            frame[:0] = b"\x00\x13\xAA\x96"
        if fault == "split_answer":
            for i in range(0, len(frame), 64):     # a slow reader streaming in 64-byte pieces
                os.write(self._master, bytes(frame[i:i + 64]))
                time.sleep(0.005)
            return
        os.write(self._master, bytes(frame))

    def _serve(self) -> None:
        decoder = codec.FrameDecoder()
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.1)
            if not ready:
                continue
            try:
                decoder.feed(os.read(self._master, 4096))
            except OSError:       # EIO while no one holds the slave open: wait for the next open
                time.sleep(0.05)
                continue
            while True:
                try:
                    body = decoder.next_body()
                except codec.FrameError:
                    os.write(self._master, codec.encode_response(0x10))   # the SAM's own checksum error
                    continue
                if body is None:
                    break
                try:
                    command = codec.decode_request_body(body)[0]
                except codec.FrameError:
                    os.write(self._master, codec.encode_response(0x11))
                    continue
                self.requests.append(command)
                self._respond(command)
