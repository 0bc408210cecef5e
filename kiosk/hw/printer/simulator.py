"""A network receipt printer on 127.0.0.1: takes ESC/POS over TCP like a port-9100 printer.

It reads the stream command by command (so a DLE EOT query inside a job is answered where a printer
would answer it, and bytes inside a raster image are never mistaken for one), keeps each job's raw bytes,
and writes a PNG preview of what the paper would show. Paper state can be scripted.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass

from kiosk.hw.printer.escpos_decode import Decoded, EscposDecoder, render_png

log = logging.getLogger(__name__)

PAPER_REPLY = {"ok": 0x12, "low": 0x1E, "out": 0x72}      # DLE EOT 4 replies (hardware.md §3.4)


@dataclass
class Job:
    raw: bytes
    decoded: Decoded
    png: str | None


class PrinterSimulator:
    def __init__(self, out_dir: str | None = None, host: str = "127.0.0.1", port: int = 0):
        self.out_dir = out_dir
        self.paper = "ok"          # ok | low | out
        self.offline = False       # when True the printer does not answer at all
        self.jobs: list[Job] = []
        self._server = socket.create_server((host, port))
        self._server.settimeout(0.2)
        self.host, self.port = self._server.getsockname()[:2]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="printer-sim", daemon=True)
        self._thread.start()

    @property
    def transport(self) -> str:
        return f"net:{self.host}:{self.port}"

    def close(self) -> None:
        self._stop.set()
        try:
            self._server.shutdown(socket.SHUT_RDWR)     # wakes the accept() at once (Linux), not at its timeout
        except OSError:
            pass
        self._thread.join(timeout=2)
        self._server.close()

    def _reply(self, query: int) -> bytes:
        if query == 4:
            return bytes([PAPER_REPLY[self.paper]])
        if query == 1:
            return bytes([0x16 | (0x08 if self.paper == "out" else 0)])
        return bytes([0x12])

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            if self.offline:
                conn.close()
                continue
            threading.Thread(target=self._job, args=(conn,), daemon=True).start()

    def _job(self, conn: socket.socket) -> None:
        decoder = EscposDecoder()
        decoder.style.chinese = True      # like most Chinese models, Chinese mode is on at power-up
        raw = bytearray()
        conn.settimeout(5)
        with conn:
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                raw += chunk
                for query in decoder.feed(chunk):
                    conn.sendall(self._reply(query))
        decoded = decoder.finish()
        if not decoded.items:            # a status-only connection is not a job
            return
        png = None
        if self.out_dir:
            os.makedirs(self.out_dir, exist_ok=True)
            stem = os.path.join(self.out_dir, f"receipt-{len(self.jobs) + 1:03d}")
            with open(stem + ".bin", "wb") as fh:
                fh.write(raw)
            png = stem + ".png"
            render_png(decoded, png)
        self.jobs.append(Job(bytes(raw), decoded, png))
