"""A simulated serial device on a pseudo-terminal: the real driver opens the slave end through pyserial, the
simulator answers on the master end. ``link`` plays udev's stable name (/dev/serial/by-id/…): it always
points at the current pseudo-terminal, so unplug() and plug() behave like pulling and reconnecting USB."""
from __future__ import annotations

import os
import select
import threading
import tty


class PtyDevice:
    thread_name = "pty-device"

    def __init__(self, link: str | None = None):
        self.link = link
        self.port = ""
        self._master = self._slave = -1
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # plug and unplug never interleave: an unplug running in the serving thread (a power cut) must not
        # close the descriptors or remove the link of the plug that follows it
        self._cable = threading.RLock()

    def plug(self) -> None:
        with self._cable:
            self._plug()

    def _plug(self) -> None:
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)          # raw from the start: a cooked pty echoes and rewrites bytes
        self.port = os.ttyname(self._slave)
        if self.link:
            tmp = self.link + ".new"
            if os.path.lexists(tmp):
                os.unlink(tmp)
            os.symlink(self.port, tmp)
            os.replace(tmp, self.link)
        self.on_plug()
        self._stop = threading.Event()
        self._wake = os.pipe()            # written at unplug: the serving thread stops now, not at its next poll
        self._thread = threading.Thread(target=self._serve, args=(self._master, self._stop, self._wake[0]),
                                        name=self.thread_name, daemon=True)
        self._thread.start()

    def on_plug(self) -> None:
        """Power-on state of the device (override)."""

    def unplug(self) -> None:
        with self._cable:
            if self._master < 0:
                return                        # already unplugged
            self._stop.set()
            os.write(self._wake[1], b"x")
            if self._thread is not None and self._thread is not threading.current_thread():
                self._thread.join(timeout=2)
            for fd in self._wake:
                os.close(fd)
            if self.link and os.path.lexists(self.link):
                os.unlink(self.link)
            for fd in (self._master, self._slave):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._master = self._slave = -1

    def close(self) -> None:
        self.unplug()

    def _serve(self, master: int, stop: threading.Event, wake: int) -> None:
        while not stop.is_set():
            try:
                ready, _, _ = select.select([master, wake], [], [], 1.0)
                if wake in ready or stop.is_set():
                    return
                if not ready:
                    continue
                data = os.read(master, 4096)
            except (OSError, ValueError):     # EIO while no one holds the slave open; fd closed on unplug
                if stop.wait(0.05):
                    return
                continue
            try:
                if not self.received(master, data):
                    return
            except OSError:                   # unplugged while answering
                return

    def received(self, master: int, data: bytes) -> bool:
        """Handle bytes from the host, answering on ``master``; False when the device stops (override)."""
        raise NotImplementedError
