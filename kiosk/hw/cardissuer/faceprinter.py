"""Card face printers behind one port: a simulator that keeps the PNG, Evolis through the vendor's Python
SDK (``evolis-sdk`` from PyPI, optional: ``pip install sbk-kiosk[evolis]``), or any printer with a CUPS
queue that takes an image. Each reports the DESIGN status model; none pretends to print."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from typing import Protocol

from PIL import Image

from kiosk.hw.base import Action, DeviceError, DeviceState, DeviceStatus


class FacePrintError(DeviceError):
    action = Action.CLEAR


def _failed(detail: str) -> FacePrintError:
    return FacePrintError(detail, zh="卡面打印失败，请联系工作人员", en="The card face could not be printed; please call staff")


class FacePrinter(Protocol):
    def status(self) -> DeviceStatus: ...
    def print_face(self, face: Image.Image) -> None: ...


class SimulatedFacePrinter:
    FAULTS = ("ribbon_out", "jam")

    # An Evolis Primacy 2 prints a single-sided colour card in about 16 s (225 cards/hour, vendor brochure;
    # a planning value, NOT CONFIRMED on a kiosk model): used by the benchmark, 0 in tests.
    REAL_PRINT_S = 16.0

    def __init__(self, out_dir: str, print_seconds: float = 0.0):
        self.out_dir = out_dir
        self.print_seconds = print_seconds
        self.printed: list[str] = []
        self.faults: list[str] = []
        self.ribbon_out = False

    def inject(self, fault: str) -> None:
        if fault not in self.FAULTS:
            raise ValueError(f"unknown fault {fault!r}")
        if fault == "ribbon_out":
            self.ribbon_out = True
        else:
            self.faults.append(fault)

    def status(self) -> DeviceStatus:
        if self.ribbon_out:
            return DeviceStatus("faceprinter", DeviceState.HARDWARE_ERROR, media={"ribbon": "out"},
                                detail="ribbon ended")
        return DeviceStatus("faceprinter", DeviceState.ONLINE, media={"ribbon": "ok"}, detail="simulated")

    def print_face(self, face: Image.Image) -> None:
        if self.ribbon_out:
            raise _failed("ribbon ended")
        if self.faults:
            self.faults.pop(0)
            raise _failed("card jam in the printer")
        if self.print_seconds:
            import time
            time.sleep(self.print_seconds)
        os.makedirs(self.out_dir, exist_ok=True)
        path = os.path.join(self.out_dir, f"face-{len(self.printed) + 1:03d}.png")
        face.save(path, dpi=(300, 300))
        self.printed.append(path)


class EvolisFacePrinter:
    """Through the Evolis SDK; the printer's own smart station is not used (the chip is personalised in
    the card module's reader)."""

    def __init__(self, name: str | None = None):
        self.name = name

    def _connection(self):
        try:
            import evolis
        except ImportError:
            raise _failed("Evolis SDK not installed (pip install evolis-sdk)") from None
        devices = evolis.Evolis.get_devices()
        names = [d.name for d in devices]
        if not names or (self.name and self.name not in names):
            raise _failed(f"no Evolis printer {self.name or ''} connected (found: {names})")
        return evolis.Connection(self.name or names[0])

    def status(self) -> DeviceStatus:
        try:
            connection = self._connection()
        except FacePrintError as exc:
            return DeviceStatus("faceprinter", DeviceState.OFFLINE, detail=exc.detail)
        connection.close()
        return DeviceStatus("faceprinter", DeviceState.ONLINE, detail=f"Evolis {self.name or ''}".strip())

    def print_face(self, face: Image.Image) -> None:
        import evolis
        connection = self._connection()
        try:
            job = evolis.PrintSession(connection)
            with tempfile.NamedTemporaryFile(suffix=".png") as tmp:
                face.save(tmp.name, dpi=(300, 300))
                job.set_image(evolis.CardFace.FRONT, tmp.name)
                error = job.print()
            if error != evolis.ReturnCode.OK:
                raise _failed(f"Evolis print returned {error}")
        finally:
            connection.close()


class CupsFacePrinter:
    """Any card printer with a CUPS queue (Zebra, HID FARGO, Evolis's rastertoevolis): ``lp -d QUEUE``."""

    def __init__(self, queue: str):
        self.queue = queue

    def status(self) -> DeviceStatus:
        if not shutil.which("lpstat"):
            return DeviceStatus("faceprinter", DeviceState.OFFLINE, detail="CUPS is not installed (lpstat missing)")
        result = subprocess.run(["lpstat", "-p", self.queue], capture_output=True, text=True, timeout=10)
        if result.returncode != 0:
            return DeviceStatus("faceprinter", DeviceState.OFFLINE, detail=result.stderr.strip() or "no such queue")
        state = DeviceState.ONLINE if "idle" in result.stdout or "printing" in result.stdout else \
            DeviceState.HARDWARE_ERROR
        return DeviceStatus("faceprinter", state, detail=result.stdout.strip())

    def print_face(self, face: Image.Image) -> None:
        if not shutil.which("lp"):
            raise _failed("CUPS is not installed (lp missing)")
        with tempfile.NamedTemporaryFile(suffix=".png") as tmp:
            face.save(tmp.name, dpi=(300, 300))
            result = subprocess.run(["lp", "-d", self.queue, "-o", "fit-to-page", tmp.name], capture_output=True,
                                    text=True, timeout=60)
        if result.returncode != 0:
            raise _failed(f"lp: {result.stderr.strip()}")
