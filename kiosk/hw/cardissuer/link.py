"""The CRT-591 link layer over pyserial: command → ACK (resend after 300 ms without one, or on NAK) →
reply frame (NAK a corrupt one, the module resends) → our ACK → the reply must name our command and
address (else the command is sent again, then the module is reported). Every wait has a deadline."""
from __future__ import annotations

import logging
import termios
import threading
import time

import serial

from kiosk.hw.base import Action, DeviceError, DeviceOffline, DeviceTimeout
from kiosk.hw.cardissuer import codec
from kiosk.hw.cardissuer.codec import ACK, EOT, NAK, Command

log = logging.getLogger(__name__)

ACK_WAIT_S = 0.3        # hardware.md §1.3: resend after 300 ms without ACK
SENDS = 3
REPLY_NAKS = 2
MISMATCH_RESENDS = 2    # a reply for another command: send ours again twice, then report the module faulty
# Execution deadlines: a dispense or capture takes about a second of mechanics (simulator MECHANICS)
SLOW = {Command.MOVE_TO_IC: 8.0, Command.CAPTURE: 8.0, Command.MOVE_TO_GATE: 6.0, Command.EJECT: 6.0,
        Command.MOVE_TO_RF: 6.0}
INIT_S, DEFAULT_S = 10.0, 2.0


def _offline(detail: str) -> DeviceOffline:
    return DeviceOffline(detail, zh="制卡模块未连接，请联系工作人员", en="The card module is not connected; please call staff")


class LinkProtocolError(DeviceError):
    """The module keeps answering with replies that are not for the command sent: its firmware, its
    address setting or another module on the same line is at fault, so a field engineer must look."""
    action = Action.MAINTENANCE


def _name(reply: codec.Reply) -> str:
    command = Command.of(reply.cm, reply.pm)
    return command.name if command else f"CM/PM {reply.cm:02X}/{reply.pm:02X}"


def _mismatch(command: Command, wrong: list[codec.Reply], addr: int) -> LinkProtocolError:
    answers = ", ".join(f"{_name(r)}@{r.addr}" for r in wrong)
    return LinkProtocolError(f"{command.name}@{addr}: {len(wrong)} replies were for another command ({answers})",
                             zh="制卡模块通信错误，请联系工作人员", en="Card module communication error; please call staff",
                             vendor_code="REPLY_MISMATCH")


class Crt591Link:
    def __init__(self, port: str, addr: int = 0, baudrate: int = 9600, deadline_scale: float = 1.0):
        self.port, self.addr, self.baudrate = port, addr, baudrate
        self.deadline_scale = deadline_scale     # tests: a stalled simulator is given up on sooner
        self._serial: serial.Serial | None = None
        self._lock = threading.Lock()
        self.resends = 0
        self.naks_sent = 0
        self.mismatches = 0

    def _link(self) -> serial.Serial:
        if self._serial is None or not self._serial.is_open:
            try:
                self._serial = serial.serial_for_url(self.port, baudrate=self.baudrate, timeout=0.02,
                                                     write_timeout=1.0, exclusive=True)
            except (serial.SerialException, OSError, ValueError) as exc:
                self._serial = None
                raise _offline(f"cannot open {self.port}: {exc}") from None
        return self._serial

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _drop(self) -> None:
        if self._serial is not None:
            try:
                self._serial.close()
            except Exception:  # the port may have vanished; it is closed either way
                pass
        self._serial = None

    def _read_until(self, link, decoder: codec.FrameDecoder, deadline: float):
        while True:
            item = decoder.next()
            if item is not None:
                return item
            if time.monotonic() >= deadline:
                return None
            chunk = link.read(max(1, link.in_waiting))
            if chunk:
                decoder.feed(chunk)

    def transact(self, command: Command, data: bytes = b"") -> codec.Reply:
        """The module's reply to ``command``. A reply naming another command (or another module's address)
        is not ours: whatever the module did, it did not confirm this command, so the command is sent again,
        and after MISMATCH_RESENDS more mismatches the module is reported faulty."""
        frame = codec.encode_command(command, data, self.addr)
        execution = (INIT_S if command.name.startswith("INIT") else SLOW.get(command, DEFAULT_S)) * self.deadline_scale
        with self._lock:
            try:
                link = self._link()
                wrong: list[codec.Reply] = []
                for _ in range(1 + MISMATCH_RESENDS):
                    reply = self._exchange(link, command, frame, execution)
                    if (reply.addr, reply.cm, reply.pm) == (self.addr, *command.value):
                        return reply
                    wrong.append(reply)
                    self.mismatches += 1
                    log.warning("card module: reply to %s names %s at address %d; resending", command.name,
                                _name(reply), reply.addr)
                raise _mismatch(command, wrong, self.addr)
            except (serial.SerialException, OSError, termios.error) as exc:
                self._drop()
                raise _offline(f"{command.name}: serial link lost: {exc}") from None

    def _exchange(self, link, command: Command, frame: bytes, execution: float) -> codec.Reply:
        """One command → ACK → reply frame → our ACK; the reply is checked for integrity only."""
        link.reset_input_buffer()             # a stale reply left from an earlier exchange is not this one's
        decoder = codec.FrameDecoder()
        for _ in range(SENDS):
            link.write(frame)
            answer = self._read_until(link, decoder, time.monotonic() + ACK_WAIT_S)
            if answer == ACK:
                break
            self.resends += 1
            log.info("card module: %s not acknowledged (%r), resending", command.name, answer)
        else:
            raise DeviceTimeout(f"{command.name}: no ACK after {SENDS} sends", zh="制卡模块无响应，请联系工作人员",
                                en="The card module does not answer; please call staff")
        deadline = time.monotonic() + execution
        naks = 0
        while True:
            item = self._read_until(link, decoder, deadline)
            if item is None:
                raise DeviceTimeout(f"{command.name}: no reply within {execution:g} s",
                                    zh="制卡模块无响应，请联系工作人员",
                                    en="The card module does not answer; please call staff")
            if not isinstance(item, bytes):
                continue                  # a stray control byte
            try:
                reply = codec.decode_reply(item)
            except codec.FrameError as exc:
                if naks >= REPLY_NAKS:
                    raise DeviceTimeout(f"{command.name}: reply still corrupt after {naks} NAKs ({exc})",
                                        zh="制卡模块通信错误，请联系工作人员",
                                        en="Card module communication error; please call staff") from None
                naks += 1
                self.naks_sent += 1
                link.write(bytes([NAK]))
                continue
            link.write(bytes([ACK]))          # received intact, whichever command it answers
            return reply

    def cancel(self) -> bool:
        """EOT: ask the module to stop the command in progress; True when it confirmed."""
        with self._lock:
            try:
                link = self._link()
                decoder = codec.FrameDecoder()
                for _ in range(2):                # hardware.md §1.3 case 6: EOT again after 300 ms
                    link.write(bytes([EOT]))
                    if self._read_until(link, decoder, time.monotonic() + ACK_WAIT_S) == EOT:
                        return True
            except (serial.SerialException, OSError, termios.error):
                self._drop()
            return False
