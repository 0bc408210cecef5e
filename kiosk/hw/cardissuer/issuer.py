"""The card issuer: the module's movements behind one port, with the storage model of XFS4IoT
(anchors.md §1.6): a hopper (ok/low/empty), a reject bin (count, full), the card's position, counts kept
across restarts, thresholds raising events, and an exchange procedure for staff.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from typing import Callable

from kiosk.hw.base import Action, DeviceError, DeviceOffline, DeviceState, DeviceStatus, DeviceTimeout
from kiosk.hw.cardissuer import codec
from kiosk.hw.cardissuer.codec import CardPosition, Command, Hopper, RejectBin
from kiosk.hw.cardissuer.link import Crt591Link

log = logging.getLogger(__name__)


class IssuerError(DeviceError):
    pass


def _error(command: Command, reply: codec.Reply) -> IssuerError:
    detail, zh, en, action = reply.meaning
    return IssuerError(f"{command.name}: e1e0 {reply.error} {detail}", zh=zh, en=en,
                       vendor_code=f"E{reply.error}", action=action)


class CardIssuer:
    def __init__(self, link: Crt591Link, counts_path: str, bin_capacity: int = 30, bin_warning: int = 25,
                 on_event: Callable[[str], None] | None = None):
        self.link = link
        self.counts_path = counts_path
        self.bin_capacity, self.bin_warning = bin_capacity, bin_warning
        self.on_event = on_event or (lambda _e: None)
        self.position = CardPosition.NONE
        self.last_status: codec.Status | None = None
        self.version = ""
        self.exchange = False
        self.leftover_captured = False     # the last initialize() found a card inside and captured it
        self._lock = threading.RLock()
        # reject_count: cards in the reject bin; loaded: cards put in at the last refill, since_refill: cards
        # taken from the hopper since (the module only senses empty/low/ok: staff count what they load)
        self.counts = {"reject_count": 0, "dispensed": 0, "issued": 0, "captured": 0, "loaded": 0, "since_refill": 0}
        if os.path.exists(counts_path):
            with open(counts_path, encoding="utf-8") as fh:
                self.counts.update(json.load(fh))

    # -- counts and events --------------------------------------------------------------------------------
    def _save(self) -> None:
        tmp = self.counts_path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(self.counts, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.counts_path)

    def _count(self, name: str) -> None:
        self.counts[name] += 1
        if name == "dispensed":
            self.counts["since_refill"] += 1
        if name == "captured":
            self.counts["reject_count"] += 1
            if self.counts["reject_count"] == self.bin_warning:
                self.on_event("reject_bin_near_full")
        self._save()

    def _observe(self, status: codec.Status | None) -> None:
        if status is None:
            return
        before, self.last_status = self.last_status, status
        if before is None or before.hopper != status.hopper:
            if status.hopper in (Hopper.LOW, Hopper.EMPTY):
                self.on_event(f"hopper_{status.hopper.value}")
        if (before is None or before.reject_bin != status.reject_bin) and status.reject_bin is RejectBin.FULL:
            self.on_event("reject_bin_full")
        if status.position is CardPosition.NONE:
            self.position = CardPosition.NONE
        elif status.position is CardPosition.GATE:
            self.position = CardPosition.GATE

    def _do(self, command: Command, data: bytes = b"") -> codec.Reply:
        with self._lock:
            reply = self.link.transact(command, data)
            self._observe(reply.status)
            if not reply.ok:
                raise _error(command, reply)
            return reply

    # -- operations ---------------------------------------------------------------------------------------
    def initialize(self) -> str:
        """Initialize first, always; a card left inside (power cut mid-issuance) goes to the reject bin."""
        with self._lock:
            reply = self._do(Command.INIT_CAPTURE_COUNT)
            self.version = reply.data.decode("ascii", errors="replace")
            self.position = CardPosition.NONE
            # The module counts what Initialize captured; our count (kept on disk) says what it was before.
            module = self.module_counter()
            expected = self.counts["reject_count"] % 1000
            self.leftover_captured = module is not None and module == (expected + 1) % 1000
            if self.leftover_captured:
                self._count("captured")
                self.on_event("leftover_card_captured")
            elif module is not None and module != expected:
                log.warning("reject counter: module says %03d, kiosk records %03d; taking the module's", module,
                            expected)
                self.counts["reject_count"] = module
                self._save()
            return self.version

    def module_counter(self) -> int | None:
        try:
            reply = self.link.transact(Command.READ_BIN_COUNTER)
        except DeviceError:
            return None
        if reply.ok and reply.data.isdigit():
            return int(reply.data)
        return None

    def dispense_to_chip(self) -> None:
        """A blank card from the hopper to the IC contact position (for personalisation through PC/SC)."""
        self._do(Command.MOVE_TO_IC)
        self.position = CardPosition.INSIDE
        self._count("dispensed")

    def present(self) -> None:
        """Hold the card at the gate for the citizen to take."""
        self._do(Command.MOVE_TO_GATE)
        self.position = CardPosition.GATE

    def card_position(self) -> CardPosition:
        """Where the module itself says a card is (asked, not remembered): the issuing flow asks before
        every dispense and after every failure."""
        return self._do(Command.STATUS).status.position

    def capture(self) -> None:
        self._do(Command.CAPTURE)
        self.position = CardPosition.NONE
        self._count("captured")

    def accept_card(self, timeout: float, cancelled: threading.Event | None = None, poll: float = 0.3,
                    on_open: Callable[[], None] | None = None) -> bool:
        """Take a card from the citizen through the gate (an old card handed back) and bring it to the IC
        contact position. True when one came in within ``timeout``.

        The module takes a card only while entry is enabled and puts it at the RF position (hardware.md
        §1.4); entry is disabled again however this ends, so nothing else can be pushed in afterwards.
        ``on_open`` is called once the gate accepts cards (the screen then says "insert now")."""
        with self._lock:
            if self._do(Command.STATUS).status.position is not CardPosition.NONE:
                raise IssuerError("a card is already in the channel", zh="制卡模块内有卡片，暂不能收卡，请联系工作人员",
                                  en="A card is already inside the card module; please call staff",
                                  action=Action.CLEAR)
            self._do(Command.GATE_ENTRY_ENABLE)
        try:
            if on_open is not None:
                on_open()
            self._poll(lambda position: position is CardPosition.INSIDE, timeout, cancelled, poll)
        finally:
            try:
                self._do(Command.GATE_ENTRY_DISABLE)
            except DeviceError as exc:     # a failed close is for staff to see; the card question is below
                log.warning("gate entry not disabled: %s", exc.detail)
                self.on_event("gate_entry_not_disabled")
        # asked once more after closing: a card pushed in at the last moment is inside and must not be forgotten
        if self._do(Command.STATUS).status.position is not CardPosition.INSIDE:
            return False
        self._do(Command.MOVE_TO_IC)
        self.position = CardPosition.INSIDE
        return True

    def wait_taken(self, timeout: float, cancelled: threading.Event | None = None, poll: float = 0.3) -> bool:
        """True when the citizen took the card from the gate within ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not (cancelled and cancelled.is_set()):
            if self._do(Command.STATUS).status.position is CardPosition.NONE:
                self._count("issued")
                return True
            time.sleep(poll)
        return False

    def give_back(self, timeout: float, cancelled: threading.Event | None = None, poll: float = 0.3) -> bool:
        """Hold a card the citizen inserted at the gate for them to take back (not an issued card: not
        counted). True when taken within ``timeout``; otherwise it stays at the gate for the caller to
        capture."""
        self.present()
        return self._poll(lambda position: position is CardPosition.NONE, timeout, cancelled, poll)

    def _poll(self, reached, timeout: float, cancelled: threading.Event | None, poll: float) -> bool:
        """Ask the status until the card's position is ``reached`` or the time is up; a cancel ends the wait
        at once instead of after a poll interval."""
        deadline = time.monotonic() + timeout
        while not (cancelled and cancelled.is_set()):
            if reached(self._do(Command.STATUS).status.position):
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            (cancelled.wait if cancelled else time.sleep)(min(poll, left))
        return False

    # -- staff: refill the hopper, empty the reject bin -----------------------------------------------------
    def start_exchange(self) -> None:
        """Staff open the module (staff mode): it is busy for the kiosk until end_exchange."""
        self.exchange = True

    def end_exchange(self, bin_emptied: bool, loaded: int | None = None) -> dict:
        """Staff closed the module: the bin was emptied (its count reset, here and in the module) and/or
        ``loaded`` cards were put in the hopper. Answers the counts before, for the audit trail."""
        with self._lock:
            before = dict(self.counts)
            try:
                if bin_emptied:
                    self._do(Command.SET_BIN_COUNTER, b"000")
                    self.counts["reject_count"] = 0
                if loaded is not None:
                    self.counts["loaded"], self.counts["since_refill"] = loaded, 0
                self._save()
            finally:
                self.exchange = False
            self._observe(self._do(Command.STATUS).status)
        return before

    # -- status -------------------------------------------------------------------------------------------
    def status(self) -> DeviceStatus:
        media = {"reject_count": self.counts["reject_count"]}
        if self.exchange:
            return DeviceStatus("cardissuer", DeviceState.BUSY, media=media, detail="staff exchange in progress")
        try:
            reply = self.link.transact(Command.STATUS)
        except DeviceOffline as exc:
            return DeviceStatus("cardissuer", DeviceState.OFFLINE, media=media, detail=exc.detail)
        except DeviceTimeout as exc:
            return DeviceStatus("cardissuer", DeviceState.HARDWARE_ERROR, media=media, detail=exc.detail)
        if not reply.ok:
            detail, *_ = reply.meaning
            state = DeviceState.OFFLINE if reply.error == "B0" else DeviceState.HARDWARE_ERROR
            return DeviceStatus("cardissuer", state, media=media, detail=detail, vendor_code=f"E{reply.error}")
        self._observe(reply.status)
        s = reply.status
        # inside, the module cannot tell IC from RF: the last move says which, unless this driver moved nothing
        # yet (a card left from before it was opened), when "inside" is all that is known
        known = s.position is CardPosition.INSIDE and self.position is not CardPosition.NONE
        position = self.position.value if known else s.position.value
        media.update(hopper=s.hopper.value, reject_bin=s.reject_bin.value, card_position=position)
        usable = s.hopper is not Hopper.EMPTY and s.reject_bin is not RejectBin.FULL
        return DeviceStatus("cardissuer", DeviceState.ONLINE if usable else DeviceState.HARDWARE_ERROR, media=media,
                            detail=f"{self.version or 'CRT-591'} on {self.link.port}")
