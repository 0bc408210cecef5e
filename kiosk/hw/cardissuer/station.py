"""The simulated module's contact station: blank cards appear in the module's PC/SC reader when the module
dispenses to the IC position, leave it when the card moves on, and end in the citizen's hand or the
reject bin. A card the citizen inserted at the gate (an old card handed back) is the one the reader sees
when it reaches the IC position, not a blank. Tests read from here where every card went."""
from __future__ import annotations

import threading

from kiosk.hw.cardreader.virtualcard import VirtualCard, blank_card


class SimulatedStation:
    def __init__(self, slot, card_factory, region: str = "610100", initial_pin: str = "666666",
                 first_serial: int = 1):
        self.slot = slot                      # InProcessReader or VpcdBridge: the module's own reader
        self.factory = card_factory
        self.region, self.initial_pin = region, initial_pin
        self.serial = first_serial
        self.card: VirtualCard | None = None  # the card inside the module or at its gate
        self.in_hand: list[VirtualCard] = []  # taken by citizens
        self.in_bin: list[VirtualCard] = []   # captured
        self._lock = threading.Lock()

    def _new_blank(self) -> VirtualCard:
        code = f"{self.region}D1560000059911{self.serial:06d}"[:32]
        self.serial += 1
        return blank_card(code, self.initial_pin, self.factory)

    def on_move(self, position: str, cause: str, card: VirtualCard | None = None) -> None:
        with self._lock:
            if cause == "inserted":
                self.card = card              # at the RF position: not in the contact reader yet
                self.slot.remove()
                return
            if position == "ic":
                if self.card is None:
                    self.card = self._new_blank()
                self.slot.insert(self.card)
                return
            self.slot.remove()
            if position == "none" and self.card is not None:
                (self.in_bin if cause == "captured" else self.in_hand).append(self.card)
                self.card = None
            elif position == "none" and cause == "captured":
                self.in_bin.append(None)      # a card nobody dispensed (placed by hand) went to the bin
