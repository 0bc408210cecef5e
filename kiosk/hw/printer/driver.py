"""The receipt printer: python-escpos transports chosen by a config string, status read honestly.

Transport strings (after pyserial's URL handlers):
  ``net:HOST:PORT``                 raw TCP (port 9100 printers, and the simulator)
  ``usb:VID:PID``                   python-escpos Usb (hex ids, e.g. usb:0416:5011)
  ``serial:DEVICE[:BAUD]``          python-escpos Serial
  ``file:PATH``                     python-escpos File (e.g. the usblp node /dev/usb/lp0; no status)
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

from kiosk.hw.base import DeviceError, DeviceState, DeviceStatus, Action
from kiosk.hw.printer import builder
from kiosk.hw.printer.receipt import Receipt

log = logging.getLogger(__name__)

DLE_EOT_PRINTER = b"\x10\x04\x01"
DLE_EOT_PAPER = b"\x10\x04\x04"


class PrinterError(DeviceError):
    action = Action.CLEAR


def open_transport(spec: str, timeout: float = 3.0):
    """A python-escpos printer object for a transport string; raises ValueError on a bad string."""
    from escpos import printer as p
    kind, _, rest = spec.partition(":")
    if kind == "net":
        host, _, port = rest.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"printer transport {spec!r}: expected net:HOST:PORT")
        return p.Network(host, int(port), timeout=timeout)
    if kind == "usb":
        vid, _, pid = rest.partition(":")
        try:
            return p.Usb(int(vid, 16), int(pid, 16), timeout=int(timeout * 1000))
        except ValueError:
            raise ValueError(f"printer transport {spec!r}: expected usb:VID:PID in hex") from None
    if kind == "serial":
        device, _, baud = rest.partition(":")
        if not device or (baud and not baud.isdigit()):
            raise ValueError(f"printer transport {spec!r}: expected serial:DEVICE[:BAUD]")
        return p.Serial(device, baudrate=int(baud or 9600), timeout=timeout)
    if kind == "file":
        if not rest:
            raise ValueError(f"printer transport {spec!r}: expected file:PATH")
        return p.File(rest)
    raise ValueError(f"printer transport {spec!r}: kind must be net, usb, serial or file")


def paper_from_dle_eot4(reply: bytes) -> str:
    """DLE EOT 4 (paper sensor): bits 2-3 near end, bits 5-6 paper end. No reply is "unknown"."""
    if not reply:
        return "unknown"
    status = reply[0]
    if status & 0x60:
        return "out"
    if status & 0x0C:
        return "low"
    return "ok"


class ReceiptPrinter:
    def __init__(self, transport: str, timeout: float = 3.0, on_event: Callable[[str], None] | None = None):
        open_transport(transport, timeout)   # validate the string now, not at the first receipt
        self.transport = transport
        self.timeout = timeout
        self.on_event = on_event or (lambda _e: None)
        self._paper = "unknown"              # as last read: an event is raised when it turns low or out
        self._lock = threading.Lock()

    def _observe(self, paper: str) -> None:
        """"paper_low" / "paper_out" once when the sensor turns so, not at every status query."""
        before, self._paper = self._paper, paper
        if paper != before and paper in ("low", "out"):
            self.on_event(f"paper_{paper}")

    def _query(self, printer, command: bytes) -> bytes | None:
        """The reply; b"" when the printer did not answer; None when the transport cannot read at all."""
        try:
            return printer.query_status(command)
        except NotImplementedError:         # File/LP transports cannot read
            return None
        except Exception as exc:            # socket timeout, USB error: no answer is no answer
            log.info("printer status query %s got no answer: %s", command.hex(), exc)
            return b""

    def status(self) -> DeviceStatus:
        with self._lock:
            try:
                printer = open_transport(self.transport, self.timeout)
                printer.open()
            except Exception as exc:
                return DeviceStatus("printer", DeviceState.OFFLINE, media={"paper": "unknown"},
                                    detail=f"cannot open {self.transport}: {' '.join(str(exc).split())}")
            try:
                online = self._query(printer, DLE_EOT_PRINTER)
                paper = paper_from_dle_eot4(self._query(printer, DLE_EOT_PAPER) or b"")
            finally:
                printer.close()
            if online:                       # no answer says nothing about the paper
                self._observe(paper)
        if online is None:
            return DeviceStatus("printer", DeviceState.ONLINE, media={"paper": "unknown"},
                                detail=f"on {self.transport}; this transport cannot report status")
        if not online:
            return DeviceStatus("printer", DeviceState.OFFLINE, media={"paper": paper},
                                detail="printer does not answer status queries (DLE EOT 1)")
        if online[0] & 0x08:
            return DeviceStatus("printer", DeviceState.OFFLINE, media={"paper": paper},
                                detail="printer reports offline (cover open or paper out)")
        state = DeviceState.ONLINE
        if paper == "out":
            state = DeviceState.HARDWARE_ERROR
        return DeviceStatus("printer", state, media={"paper": paper}, detail=f"on {self.transport}")

    def print_receipt(self, receipt: Receipt) -> None:
        data = builder.build(receipt)
        with self._lock:
            try:
                printer = open_transport(self.transport, self.timeout)
                printer.open()
                printer._raw(data)
                printer.close()
            except Exception as exc:
                raise PrinterError(f"printing on {self.transport} failed: {' '.join(str(exc).split())}",
                                   zh="凭条打印失败，请联系工作人员",
                                   en="The receipt could not be printed; please call staff") from None
