"""GA 467 ID-card reader driver over pyserial: the codec under a thin serial transport.

Every exchange has a deadline; bytes are read as they come (real readers stream the 1295-byte answer);
garbage before a frame is skipped; a frame with a bad checksum is retried a bounded number of times; a
port that vanished (USB replug) is reopened on the next call and reported OFFLINE meanwhile.
"""
from __future__ import annotations

import logging
import termios
import threading
import time
from typing import Callable

import serial

from kiosk.hw.base import DeviceError, DeviceOffline, DeviceState, DeviceStatus, DeviceTimeout, Action
from kiosk.hw.idreader import codec
from kiosk.hw.idreader.codec import Command
from kiosk.hw.idreader.idcard import PHOTO_LEN, TEXT_LEN, IdCard, decode_text

log = logging.getLogger(__name__)

BAUD = 115200
# Deadlines per command; vendor code uses ~100 ms for find/select and up to 2-3 s for reads
# (protocols.md §2.1). Ours are looser so a slow USB-serial bridge is not mistaken for a dead reader.
DEADLINES = {
    Command.FIND_CARD: 0.5, Command.SELECT_CARD: 0.5, Command.SAM_STATUS: 1.0,
    Command.RESET_SAM: 2.0, Command.READ_SAM_ID: 1.0, Command.READ_TEXT_PHOTO: 3.0,
    Command.READ_TEXT_PHOTO_FINGERPRINT: 4.0, Command.READ_APPENDED_ADDRESS: 1.0,
    Command.READ_CHIP_SN: 1.0,
}
RETRIES = 2   # further tries after a corrupted or missing answer
QUIET = 0.05  # s of silence on the line after the answers a reader owed: it has nothing more to say


class IdReaderError(DeviceError):
    """The reader answered with a failing SW3, or the link failed."""


class ForeignAnswer(IdReaderError):
    """Only answers that cannot be this command's came (a late answer to an earlier command, a reader out of
    step): none is ever taken as this command's answer."""


class CommandNotSupported(IdReaderError):
    """SW3 0x21: this reader model does not know the command. For an optional one (the appended address,
    the fingerprint templates) a caller reports the part as unavailable and goes on."""


def _sw3_error(command: Command, response: codec.Response) -> IdReaderError:
    detail, zh, en = response.meaning
    action = Action.MAINTENANCE if response.sw3 in (0x60, 0x66, 0x21, 0x23) else Action.RETRY
    kind = CommandNotSupported if response.sw3 == 0x21 else IdReaderError
    return kind(f"{command.name}: SW3 0x{response.sw3:02X} {detail}", zh=zh, en=en,
                         vendor_code=f"SW3={response.sw3:02X}", action=action)


class IdReader:
    """One GA 467 reader on one serial port. Thread-safe: calls are serialised."""

    def __init__(self, port: str, baudrate: int = BAUD,
                 opener: Callable[..., serial.Serial] = serial.serial_for_url):
        self.port = port
        self.baudrate = baudrate
        self._opener = opener
        self._serial: serial.Serial | None = None
        self._lock = threading.Lock()
        self._last_error: str = ""
        self.frames_rejected = 0
        self.answers_foreign = 0       # answers skipped because they do not fit the command sent
        # GA 467 answers carry no sequence number: requests sent and not answered yet (a timed-out try) are
        # counted, and their answers drained before the next command, so none is taken as another's
        self._owed = 0
        self._owed_wait = 0.0

    # -- link -----------------------------------------------------------------------------------
    def _link(self) -> serial.Serial:
        if self._serial is None or not self._serial.is_open:
            try:
                self._serial = self._opener(self.port, baudrate=self.baudrate, timeout=0.05,
                                            write_timeout=1.0, exclusive=True)
            except (serial.SerialException, OSError, ValueError) as exc:
                self._serial = None
                self._last_error = f"cannot open {self.port}: {exc}"
                raise DeviceOffline(self._last_error, zh="身份证读卡器未连接，请联系工作人员",
                                    en="The ID card reader is not connected; please call staff") from None
        return self._serial

    def _drop_link(self, why: str) -> None:
        self._last_error = why
        self._owed = 0                 # a reopened port starts with empty buffers
        if self._serial is not None:
            try:
                self._serial.close()
            except Exception:  # closing a vanished port may itself fail; the port is gone either way
                pass
        self._serial = None

    def close(self) -> None:
        with self._lock:
            self._drop_link("closed")

    def _drain(self, link: serial.Serial) -> None:
        """Read and drop the answers still owed for earlier, timed-out requests (a busy reader answers them in
        order, late), until they are in and the line is quiet, or the owed command's deadline passes again:
        a reader that has not answered by then dropped the request."""
        decoder = codec.FrameDecoder()
        start = time.monotonic()
        deadline, heard = start + self._owed_wait, start
        dropped = 0
        while True:
            now = time.monotonic()
            if now >= deadline or (self._owed <= 0 and now - heard >= QUIET):
                break
            link.timeout = min(deadline - now, QUIET)
            chunk = link.read(max(1, link.in_waiting))
            if not chunk:
                continue
            heard = time.monotonic()
            decoder.feed(chunk)
            while True:
                try:
                    body = decoder.next_body()
                except codec.FrameError:
                    body = b"corrupt"
                if body is None:
                    break
                self._owed -= 1
                dropped += 1
        if dropped or self._owed > 0:
            log.warning("id reader: dropped %d late answer(s) to earlier requests; %d never came", dropped,
                        max(self._owed, 0))
        self._owed = 0

    def _exchange_once(self, command: Command) -> codec.Response:
        link = self._link()
        decoder = codec.FrameDecoder()
        skipped: list[str] = []
        try:
            link.reset_input_buffer()      # a late answer to an earlier request must not be taken as ours
            link.write(codec.encode_request(command))
            self._owed += 1
            self._owed_wait = min(DEADLINES[command], 1.0)
            deadline = time.monotonic() + DEADLINES[command]
            while True:
                try:
                    body = decoder.next_body()
                except codec.FrameError:
                    self._owed -= 1            # a corrupted answer is an answer, though of no use
                    raise
                if body is not None:
                    self._owed -= 1
                    response = codec.decode_response_body(body)
                    why = codec.foreign(command, response)
                    if why is None:
                        return response
                    # an answer to another (earlier) request, or the reader out of step: never ours
                    self.answers_foreign += 1
                    self._owed += 1            # ours is still to come
                    skipped.append(why)
                    log.warning("id reader: %s: skipped an answer that is not its own (%s)", command.name, why)
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    if skipped:
                        raise ForeignAnswer(f"{command.name}: only answers to other commands came within "
                                            f"{DEADLINES[command]} s ({'; '.join(skipped)})",
                                            zh="身份证读卡器应答异常，请重新放置身份证",
                                            en="The ID card reader answered out of step; please place the ID card again",
                                            vendor_code="FOREIGN_ANSWER")
                    raise DeviceTimeout(f"{command.name}: no complete answer within {DEADLINES[command]} s "
                                        f"({decoder.pending()} bytes pending)",
                                        zh="身份证读卡器无响应，请稍后再试",
                                        en="The ID card reader did not answer; please try again")
                link.timeout = min(remaining, 0.05)
                chunk = link.read(max(1, link.in_waiting))
                if chunk:
                    decoder.feed(chunk)
        except (serial.SerialException, OSError, termios.error) as exc:   # termios.error: tty gone
            self._drop_link(f"link lost: {exc}")
            raise DeviceOffline(f"{command.name}: serial link lost: {exc}",
                                zh="身份证读卡器连接中断，请联系工作人员",
                                en="The ID card reader was disconnected; please call staff") from None

    def transact(self, command: Command) -> codec.Response:
        """Send one command and return its answer, retrying a corrupted, missing or foreign answer."""
        with self._lock:
            if self._owed > 0:
                # answers owed to an earlier command: drained first. (Between tries of this command a late
                # answer to an earlier try is an answer to the same question, and is taken.)
                try:
                    self._drain(self._link())
                except (serial.SerialException, OSError, termios.error) as exc:
                    self._drop_link(f"link lost: {exc}")
            last: Exception | None = None
            for attempt in range(1 + RETRIES):
                try:
                    return self._exchange_once(command)
                except codec.FrameError as exc:
                    self.frames_rejected += 1
                    log.warning("id reader: %s rejected frame (%s), attempt %d", command.name, exc, attempt + 1)
                    last = IdReaderError(f"{command.name}: {exc}", zh="身份证读卡器通信错误，请重试",
                                         en="ID card reader communication error; please try again")
                except (DeviceTimeout, ForeignAnswer) as exc:
                    last = exc
                except DeviceOffline as exc:
                    last = exc
                    if attempt:           # reopened once already and still gone: give up
                        break
            assert last is not None
            raise last

    # -- operations -----------------------------------------------------------------------------
    def card_present(self) -> bool:
        """Find card: True when a card is on the reader (SW3 9F), False when there is none (SW3 80)."""
        response = self.transact(Command.FIND_CARD)
        if response.sw3 == codec.SW3_FOUND:
            return True
        if response.sw3 in (0x80, 0x34):
            return False
        raise _sw3_error(Command.FIND_CARD, response)

    def _read(self, command: Command) -> bytes:
        response = self.transact(command)
        if not response.ok:
            raise _sw3_error(command, response)
        return response.data

    def read_card(self, today=None, check: bool = True, fingerprint: bool = False) -> IdCard:
        """Select the card on the reader and read text and photo (and the fingerprint templates).

        With ``check`` a card the kiosk may not use (malformed, bad check character, expired) raises
        :class:`IdCardRefused` saying why."""
        self._read(Command.SELECT_CARD)
        command = Command.READ_TEXT_PHOTO_FINGERPRINT if fingerprint else Command.READ_TEXT_PHOTO
        data = self._read(command)
        header = 6 if fingerprint else 4
        lengths = [int.from_bytes(data[i:i + 2], "big") for i in range(0, header, 2)] if len(data) >= header else []
        if (len(lengths) * 2 != header or lengths[0] != TEXT_LEN or lengths[1] != PHOTO_LEN
                or len(data) != header + sum(lengths)):
            raise IdReaderError(f"{command.name}: lengths {lengths} and {len(data)} data bytes do not match GA 467",
                                zh="读取身份证失败，请重新放置", en="Reading failed, please place the card again")
        text = data[header:header + TEXT_LEN]
        photo = data[header + TEXT_LEN:header + TEXT_LEN + PHOTO_LEN]
        card = decode_text(text, photo)
        if fingerprint:
            card.fingerprint = data[header + TEXT_LEN + PHOTO_LEN:]
        if check:
            refusal = card.refusal(today)
            if refusal is not None:
                raise refusal
        return card

    def appended_address(self) -> str:
        """追加住址 of the selected card, "" when it has none (SW3 91)."""
        response = self.transact(Command.READ_APPENDED_ADDRESS)
        if response.sw3 == 0x91:
            return ""
        if not response.ok:
            raise _sw3_error(Command.READ_APPENDED_ADDRESS, response)
        return response.data.decode("utf-16-le", errors="replace").rstrip(" \x00")

    def chip_serial(self) -> str:
        """30 05 answer as hex (probably the chip's serial number; the meaning is NOT CONFIRMED)."""
        return self._read(Command.READ_CHIP_SN).hex().upper()

    def reset_sam(self) -> None:
        self._read(Command.RESET_SAM)

    def wait_for_card(self, timeout: float, cancelled: threading.Event | None = None,
                      poll: float = 0.3, today=None, check: bool = True,
                      fingerprint: bool = False) -> IdCard | None:
        """Poll for a card until one is read, ``timeout`` passes (None) or ``cancelled`` is set (None)."""
        deadline = time.monotonic() + timeout
        cancelled = cancelled or threading.Event()
        while time.monotonic() < deadline and not cancelled.is_set():
            if self.card_present():
                return self.read_card(today=today, check=check, fingerprint=fingerprint)
            cancelled.wait(poll)
        return None

    def wait_for_removal(self, timeout: float, cancelled: threading.Event | None = None,
                         poll: float = 0.3) -> bool:
        """True once no card is on the reader (e.g. the agent took their own ID card back before the
        holder's is placed); False when ``timeout`` passes or ``cancelled`` is set first."""
        deadline = time.monotonic() + timeout
        cancelled = cancelled or threading.Event()
        while time.monotonic() < deadline and not cancelled.is_set():
            if not self.card_present():
                return True
            cancelled.wait(poll)
        return False

    def sam_id(self) -> str:
        """The SAM's management number, formatted as vendor tools show it (protocols.md §2.4)."""
        d = self._read(Command.READ_SAM_ID)
        if len(d) != 16:
            raise IdReaderError(f"READ_SAM_ID: {len(d)} bytes, expected 16", zh="读卡器信息错误",
                                en="Reader information error")
        return (f"{d[0]:02X}.{d[2]:02X}-{int.from_bytes(d[4:8], 'little')}-"
                f"{int.from_bytes(d[8:12], 'little'):010d}-{int.from_bytes(d[12:16], 'little'):010d}")

    def status(self) -> DeviceStatus:
        """SAM status check (11 FF): ONLINE when the SAM answers 90, else why not."""
        try:
            response = self.transact(Command.SAM_STATUS)
        except DeviceOffline as exc:
            return DeviceStatus("idreader", DeviceState.OFFLINE, detail=exc.detail)
        except DeviceError as exc:
            return DeviceStatus("idreader", DeviceState.HARDWARE_ERROR, detail=exc.detail)
        if response.sw3 == codec.SW3_OK:
            return DeviceStatus("idreader", DeviceState.ONLINE, detail=f"on {self.port}")
        detail, _, _ = response.meaning
        return DeviceStatus("idreader", DeviceState.HARDWARE_ERROR, detail=detail,
                            vendor_code=f"SW3={response.sw3:02X}")
