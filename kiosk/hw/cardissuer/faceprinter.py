"""Card face printers behind one port: a simulator that keeps the PNG, Evolis through the vendor's Python
SDK (``evolis-sdk`` from PyPI, optional: ``pip install sbk-kiosk[evolis]``), or any printer with a CUPS
queue that takes an image. Each reports the DESIGN status model; none pretends to print, and each turns its
own failures (a hung subprocess, an OS error, an SDK exception) into a typed FacePrintError."""
from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile
import time

from PIL import Image

from kiosk.hw.base import Action, DeviceError, DeviceState, DeviceStatus
from kiosk.ports import FacePrinterPort as FacePrinter  # noqa: F401  (the port lives in kiosk.ports)

log = logging.getLogger(__name__)


class FacePrintError(DeviceError):
    action = Action.CLEAR


def _failed(detail: str) -> FacePrintError:
    return FacePrintError(detail, zh="卡面打印失败，请联系工作人员", en="The card face could not be printed; please call staff")


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
        path = os.path.join(self.out_dir, f"face-{len(self.printed) + 1:03d}.png")
        try:
            os.makedirs(self.out_dir, exist_ok=True)
            face.save(path, dpi=(300, 300))
        except OSError as exc:
            raise _failed(f"face not stored: {exc}") from None
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
            connection.close()
        except FacePrintError as exc:
            return DeviceStatus("faceprinter", DeviceState.OFFLINE, detail=exc.detail)
        except Exception as exc:   # the SDK's own exceptions are not ours to know
            return DeviceStatus("faceprinter", DeviceState.OFFLINE, detail=f"Evolis SDK: {type(exc).__name__}: {exc}")
        return DeviceStatus("faceprinter", DeviceState.ONLINE, detail=f"Evolis {self.name or ''}".strip())

    def print_face(self, face: Image.Image) -> None:
        try:
            self._print(face)
        except FacePrintError:
            raise
        except Exception as exc:   # the SDK's own exceptions (and OSError) become ours, typed
            raise _failed(f"Evolis SDK: {type(exc).__name__}: {exc}") from None

    def _print(self, face: Image.Image) -> None:
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
    """Any card printer with a CUPS queue (Zebra, HID FARGO, Evolis's rastertoevolis): ``lp -d QUEUE``, then
    the job is followed until it leaves the queue: lp's own success only means the job was accepted, and a
    card whose face never printed must not be handed out. A job still queued at ``job_timeout`` is
    cancelled (so it cannot print on the next citizen's card) and reported."""

    def __init__(self, queue: str, timeout: float = 30.0, job_timeout: float = 90.0, poll: float = 1.0):
        self.queue = queue
        self.timeout = timeout            # for each lp / lpstat / cancel call
        self.job_timeout = job_timeout    # for the job to print: ~16 s a card on an Evolis Primacy 2
        self.poll = poll

    def _run(self, *command: str) -> subprocess.CompletedProcess:
        """A CUPS command; its own failures (missing, hanging, refused by the OS) become FacePrintErrors."""
        try:
            return subprocess.run(list(command), capture_output=True, text=True, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            raise FacePrintError(f"{command[0]}: no answer within {self.timeout:g} s",
                                 zh="卡面打印机无响应，请联系工作人员",
                                 en="The card face printer does not answer; please call staff",
                                 vendor_code="CUPS_TIMEOUT") from None
        except (OSError, subprocess.SubprocessError) as exc:
            raise _failed(f"{command[0]}: {type(exc).__name__}: {exc}") from None

    def status(self) -> DeviceStatus:
        if not shutil.which("lpstat"):
            return DeviceStatus("faceprinter", DeviceState.OFFLINE, detail="CUPS is not installed (lpstat missing)")
        try:
            result = self._run("lpstat", "-p", self.queue)
        except FacePrintError as exc:
            return DeviceStatus("faceprinter", DeviceState.OFFLINE, detail=exc.detail, vendor_code=exc.vendor_code)
        if result.returncode != 0:
            return DeviceStatus("faceprinter", DeviceState.OFFLINE, detail=result.stderr.strip() or "no such queue")
        state = DeviceState.ONLINE if "idle" in result.stdout or "printing" in result.stdout else \
            DeviceState.HARDWARE_ERROR
        return DeviceStatus("faceprinter", state, detail=result.stdout.strip())

    def print_face(self, face: Image.Image) -> None:
        if not shutil.which("lp"):
            raise _failed("CUPS is not installed (lp missing)")
        with tempfile.NamedTemporaryFile(suffix=".png") as tmp:
            try:
                face.save(tmp.name, dpi=(300, 300))
            except OSError as exc:
                raise _failed(f"face image not written: {exc}") from None
            try:
                result = self._run("lp", "-d", self.queue, "-o", "fit-to-page", tmp.name)
            except FacePrintError:
                self._cancel("-a", self.queue)    # lp may have queued the job before it hung (a dedicated queue)
                raise
        if result.returncode != 0:
            raise _failed(f"lp: {result.stderr.strip()}")
        match = re.search(r"request id is (\S+)", result.stdout)
        if not match:
            raise _failed(f"lp gave no job id: {result.stdout.strip()[:200]!r}")
        self._wait_printed(match.group(1))

    def _wait_printed(self, job: str) -> None:
        """Until the job leaves the not-completed list. (CUPS lists cancelled and aborted jobs as completed
        too; a printer that aborts a job reports it in its own state, which status() shows.)"""
        deadline = time.monotonic() + self.job_timeout
        while True:
            result = self._run("lpstat", "-W", "not-completed", "-o", self.queue)
            if result.returncode == 0 and job not in {line.split()[0] for line in result.stdout.splitlines()
                                                      if line.strip()}:
                return
            if time.monotonic() >= deadline:
                break
            time.sleep(self.poll)
        self._cancel(job)
        raise FacePrintError(f"job {job} not printed within {self.job_timeout:g} s (cancelled)",
                             zh="卡面打印未完成，请联系工作人员", en="The card face was not printed; please call staff",
                             vendor_code="CUPS_JOB_STUCK")

    def _cancel(self, *what: str) -> None:
        try:
            self._run("cancel", *what)
        except FacePrintError as exc:      # reported with the failure that led here
            log.warning("CUPS cancel %s not done: %s", " ".join(what), exc.detail)
