"""Puts a :class:`VirtualCard` behind pcscd through the vsmartcard ``vpcd`` driver.

vpcd listens on 127.0.0.1:35963 (reader "Virtual PCD 00 00"). Its framing: a 2-byte big-endian length,
then either one control byte (0 power off, 1 power on, 2 reset, 4 ATR request) or an APDU, which is
answered with the response APDU in the same framing. While the socket is connected the reader sees a card;
closing it is pulling the card out.
"""
from __future__ import annotations

import logging
import socket
import struct
import threading

import time

from kiosk.hw.cardreader.virtualcard import CardFault, VirtualCard

log = logging.getLogger(__name__)

VPCD_PORT = 35963
MUTE_TIMEOUT_S = 1.0
POWER_OFF, POWER_ON, RESET, GET_ATR = 0, 1, 2, 4


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    out = b""
    while len(out) < n:
        # vpcd writes the length and the APDU in two sends; acknowledging at once stops its Nagle wait
        # on our delayed ACK (~40 ms per APDU otherwise). Linux resets QUICKACK, so set it every time.
        if hasattr(socket, "TCP_QUICKACK"):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        chunk = sock.recv(n - len(out))
        if not chunk:
            raise ConnectionError("vpcd closed the connection")
        out += chunk
    return out


class VpcdBridge:
    """Insert and remove virtual cards in a vpcd reader slot."""

    def __init__(self, host: str = "127.0.0.1", port: int = VPCD_PORT):
        self.host, self.port = host, port
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.card: VirtualCard | None = None

    def insert(self, card: VirtualCard, timeout: float = 5.0) -> None:
        self.remove()
        sock = socket.create_connection((self.host, self.port), timeout=timeout)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)   # one small answer per APDU: no Nagle delay
        self._sock, self.card = sock, card
        self._thread = threading.Thread(target=self._serve, args=(sock, card), name="vpcd-card", daemon=True)
        self._thread.start()

    def remove(self) -> None:
        sock, self._sock, self.card = self._sock, None, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def _serve(self, sock: socket.socket, card: VirtualCard) -> None:
        try:
            while True:
                (length,) = struct.unpack(">H", _recv_exact(sock, 2))
                message = _recv_exact(sock, length)
                if length == 1:
                    control = message[0]
                    if control in (POWER_ON, RESET, POWER_OFF):
                        card.reset()
                    elif control == GET_ATR:
                        sock.sendall(struct.pack(">H", len(card.atr)) + card.atr)
                    continue
                try:
                    response = card.process(message)
                except CardFault as fault:
                    # a silent card makes the reader give up after its timeout; a pulled card ends the
                    # link at once. vpcd reports either to pcscd as the card gone mid-command.
                    if fault.kind == "mute":
                        time.sleep(MUTE_TIMEOUT_S)
                    break
                sock.sendall(struct.pack(">H", len(response)) + response)
        except (ConnectionError, OSError):
            pass   # card pulled or pcscd gone: the slot is empty either way
        finally:
            try:
                sock.close()
            except OSError:
                pass
            if self._sock is sock:
                self._sock, self.card = None, None
