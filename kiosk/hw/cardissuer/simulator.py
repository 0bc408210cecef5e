"""A Creator CRT-591 card-issuing module on a pseudo-terminal: a hopper of blank cards, a reject bin, a
gate where the citizen takes the card (or leaves it, or inserts one), the ACK/NAK/EOT handshake, and
scripted faults.

Card entry from the gate is as the module's manual has it (hardware.md §1.4): command 33/30 enables it,
33/31 or any Initialize disables it, and an inserted card goes to the RF position. A card pushed at a
closed gate, or while another card is in the channel, simply does not go in.

Mechanical times are scaled by ``timing`` (1.0 = the module's own, see MECHANICS) so tests can run fast
and the benchmark can run at the real pace.
"""
from __future__ import annotations

import os
import threading
import time
from collections import deque

from kiosk.hw.cardissuer import codec
from kiosk.hw.cardissuer.codec import ACK, EOT, NAK, Command
from kiosk.hw.ptydevice import PtyDevice

VERSION = b"CRT-591-M001"
SERIAL = b"SIM0000591"
# Seconds a real module spends moving a card (vendor brochures give ~1 s per dispense; NOT CONFIRMED for
# each move, so these are planning values, replaceable by measurements on a real module).
MECHANICS = {"dispense": 1.0, "move": 0.5, "capture": 0.8, "eject": 0.5, "init": 0.3}
FAULTS = {
    "hopper_empty": "the hopper runs out",
    "jam_dispense": "the next dispense jams (error 10, card stuck inside)",
    "jam_eject": "the next move to the gate jams (error 10)",
    "bin_full": "the reject bin is full",
    "no_ack": "the next command is not acknowledged (the host must resend after 300 ms)",
    "garbled_reply": "the next reply arrives with a bad BCC (the host must NAK it)",
    "power_cut": "the module loses power while executing the next command",
    "no_reply": "the next command is acknowledged and carried out, but its reply never comes",
    "wrong_reply": "the next command is not carried out and is answered with a reply for another command",
    "wrong_replies": "from now on every command is answered with a reply for another command (STATUS's, or "
                     "READ VERSION's to a STATUS), until the module is replugged",
}
# What a lying module answers instead: a STATUS reply, except to STATUS itself (a firmware mix-up seen in
# testing: a module answering every command with its status made initialise, dispense and present "succeed")
LIE = {Command.STATUS: Command.READ_VERSION}


class IssuerSimulator(PtyDevice):
    thread_name = "issuer-sim"

    def __init__(self, hopper: int = 50, bin_capacity: int = 30, low: int = 10, timing: float = 0.0,
                 link: str | None = None, addr: int = 0, on_move=None):
        self.hopper, self.bin_capacity, self.low = hopper, bin_capacity, low
        self.bin_count = 0                 # cards physically in the reject bin
        self.counter = 0                   # the module's own retract counter (A5)
        self._position = "none"            # none | gate | ic | rf
        # the module's own contact station: on_move(position, cause) lets a card slot follow the card (the
        # blank card appears in the module's PC/SC reader at the IC position and leaves it when moved on);
        # cause is one of dispense, move, taken, captured, ejected, placed, inserted; an inserted card comes
        # as a third argument (the module cannot tell one card from another, the station can)
        self.on_move = on_move or (lambda _p, _c, _card=None: None)
        self.initialised = False
        self.entry_enabled = False         # card entry from the gate (33/30)
        self.timing = timing
        super().__init__(link)
        self.addr = addr
        self.taken = 0                     # cards the citizen took from the gate
        self.faults: deque[str] = deque()
        self.requests: list[Command | None] = []
        self._lock = threading.Lock()
        self.plug()

    @property
    def position(self) -> str:
        return self._position

    @position.setter
    def position(self, value: str) -> None:       # a tester placing a card by hand (e.g. a leftover)
        self._move(value, "placed")

    def _move(self, value: str, cause: str) -> None:
        if value != self._position:
            self._position = value
            self.on_move(value, cause)

    def on_plug(self) -> None:
        self.initialised = False           # power-on: Initialize must come first
        self.entry_enabled = False
        self._decoder = codec.FrameDecoder()
        self._pending_reply: bytes | None = None
        self.lying = False                 # wrong_replies: every reply is for another command

    # -- hands --------------------------------------------------------------------------------------------
    def inject(self, fault: str) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; one of {', '.join(FAULTS)}")
        if fault == "hopper_empty":
            self.hopper = 0
        elif fault == "bin_full":
            self.bin_count = self.bin_capacity
        elif fault == "wrong_replies":
            self.lying = True
        else:
            self.faults.append(fault)

    def take_card(self) -> bool:
        """The citizen pulls the card from the gate."""
        with self._lock:
            if self.position != "gate":
                return False
            self._move("none", "taken")
            self.taken += 1
            return True

    def insert_at_gate(self, card=None) -> bool:
        """The citizen pushes a card into the gate: it goes in only while entry is enabled and the channel
        is empty, and then waits at the RF position."""
        with self._lock:
            if not self.entry_enabled or self.position != "none":
                return False
            self._position = "rf"
            self.on_move("rf", "inserted", card)
            return True

    def refill(self, cards: int) -> None:
        self.hopper += cards

    def empty_bin(self) -> int:
        emptied, self.bin_count = self.bin_count, 0
        return emptied

    # -- the module ---------------------------------------------------------------------------------------
    def _st(self) -> bytes:
        st0 = {"none": b"0", "gate": b"1"}.get(self.position, b"2")
        st1 = b"0" if self.hopper == 0 else (b"1" if self.hopper <= self.low else b"2")
        st2 = b"1" if self.bin_count >= self.bin_capacity else b"0"
        return st0 + st1 + st2

    def _wait(self, what: str) -> None:
        if self.timing:
            time.sleep(MECHANICS[what] * self.timing)

    def _fault(self, name: str) -> bool:
        if self.faults and self.faults[0] == name:
            self.faults.popleft()
            return True
        return False

    def _capture(self, count: bool) -> str | None:
        if self.bin_count >= self.bin_capacity:
            return "A1"
        self._wait("capture")
        self._move("none", "captured")
        self.bin_count += 1
        if count:
            self.counter = (self.counter + 1) % 1000
        return None

    def _execute(self, request: codec.Request) -> bytes:
        """The reply frame for one command (device state changes here)."""
        cm, pm, command = request.cm, request.pm, request.command
        ok = lambda data=b"": codec.encode_positive(cm, pm, self._st(), data, self.addr)  # noqa: E731
        fail = lambda error: codec.encode_negative(cm, pm, error, addr=self.addr)          # noqa: E731
        with self._lock:
            if command is None:
                return fail("00")
            if command.name.startswith("INIT"):
                self._wait("init")
                self.initialised = True
                self.entry_enabled = False          # Initialize disables entry (hardware.md §1.4)
                if self.position != "none":
                    if command in (Command.INIT_CAPTURE, Command.INIT_CAPTURE_COUNT):
                        error = self._capture(count=command is Command.INIT_CAPTURE_COUNT)
                        if error:
                            return fail(error)
                    elif command in (Command.INIT_TO_GATE, Command.INIT_TO_GATE_COUNT):
                        self._move("gate", "move")
                return ok(VERSION)
            if not self.initialised:
                return fail("B0")
            if command is Command.STATUS:
                return ok()
            if command is Command.SENSOR_STATUS:
                sensors = {"none": b"0000000", "gate": b"1100000", "ic": b"0011100", "rf": b"0001110"}
                return ok(sensors[self.position] + b"0")
            if command is Command.MOVE_TO_IC:
                if self.position == "none":
                    if self.hopper == 0:
                        return fail("A0")
                    self._wait("dispense")
                    self.hopper -= 1
                    self._move("ic", "dispense")
                    if self._fault("jam_dispense"):
                        return fail("10")
                    return ok()
                self._wait("move")
                self._move("ic", "move")
                return ok()
            if command in (Command.MOVE_TO_GATE, Command.MOVE_TO_RF):
                if self.position == "none":
                    return fail("02")
                self._wait("move")
                if command is Command.MOVE_TO_GATE and self._fault("jam_eject"):
                    return fail("10")
                self._move("gate" if command is Command.MOVE_TO_GATE else "rf", "move")
                return ok()
            if command is Command.EJECT:
                if self.position == "none":
                    return fail("02")
                self._wait("eject")
                self._move("none", "ejected")
                self.taken += 1
                return ok()
            if command is Command.CAPTURE:
                if self.position == "none":
                    return fail("02")
                error = self._capture(count=True)
                return fail(error) if error else ok()
            if command in (Command.GATE_ENTRY_ENABLE, Command.GATE_ENTRY_DISABLE):
                self.entry_enabled = command is Command.GATE_ENTRY_ENABLE
                return ok()
            if command is Command.READ_BIN_COUNTER:
                return ok(b"%03d" % self.counter)
            if command is Command.SET_BIN_COUNTER:
                if len(request.data) != 3 or not request.data.isdigit():
                    return fail("04")
                self.counter = int(request.data)
                return ok()
            if command is Command.READ_VERSION:
                return ok(VERSION)
            if command is Command.READ_SERIAL:
                return ok(bytes([len(SERIAL)]) + SERIAL)
            if command is Command.RESET_PCSC_READER:
                return ok()
            return fail("03")     # chip and memory-card commands: this module's chip goes through PC/SC

    def _mistaken(self, request: codec.Request) -> codec.Request:
        """The command a lying module carries out (and answers) instead of the one it was sent."""
        other = LIE.get(request.command, Command.STATUS)
        return codec.Request(request.addr, other, *other.value, b"")

    def received(self, master: int, data: bytes) -> bool:
        self._decoder.feed(data)
        while (item := self._decoder.next()) is not None:
            if item == ACK:
                self._pending_reply = None
            elif item == NAK and self._pending_reply is not None:
                os.write(master, self._pending_reply)          # the host got a corrupt reply: send again
            elif item == EOT:
                os.write(master, bytes([EOT]))
            elif isinstance(item, bytes):
                try:
                    request = codec.decode_request(item)
                except codec.FrameError:
                    os.write(master, bytes([NAK]))
                    continue
                if self._fault("no_ack"):
                    continue                                    # silent: the host resends
                os.write(master, bytes([ACK]))
                self.requests.append(request.command)
                if self._fault("power_cut"):
                    self.unplug()                               # everything stops mid-command
                    return False
                if self.lying or self._fault("wrong_reply"):
                    request = self._mistaken(request)
                reply = self._execute(request)
                if self._fault("no_reply"):
                    continue                                    # carried out; the reply is lost
                self._pending_reply = reply
                if self._fault("garbled_reply"):
                    bad = bytearray(reply)
                    bad[-1] ^= 0xFF
                    os.write(master, bytes(bad))
                else:
                    os.write(master, reply)
        return True
