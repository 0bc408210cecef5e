"""The simulated devices, and the only production module that imports a simulator: kiosk.wiring imports it
when, and only when, the config says "sim" (or "vpcd") for some device.

Each simulator speaks its device's own protocol (a pty for serial devices, vpcd for PC/SC, raw ESC/POS on
TCP), so the real drivers that kiosk.wiring opens on top of them are the production code paths. What a
tester's hands do to them (place an ID card, insert a card, pay) is :class:`SimulatorHands`.
"""
from __future__ import annotations

import dataclasses
import os
import threading

from kiosk import demo
from kiosk.hw.camera.simulated import SimulatedCamera
from kiosk.hw.cardissuer.faceprinter import SimulatedFacePrinter
from kiosk.hw.cardissuer.simulator import IssuerSimulator
from kiosk.hw.cardissuer.station import SimulatedStation
from kiosk.hw.cardreader.inprocess import InProcessReader
from kiosk.hw.cardreader.virtualcard import VirtualCard, personalise
from kiosk.hw.cardreader.vpcd import VPCD_PORT, VpcdBridge
from kiosk.hw.idreader.photo import SimulatedPhotoDecoder, simulated_person, simulated_wlt
from kiosk.hw.idreader.simulator import IdReaderSimulator
from kiosk.hw.printer.simulator import PrinterSimulator
from kiosk.security.module import SoftSecurityModule, demo_masters

__all__ = ["SimulatorHands", "camera", "card_slot", "faceprinter", "idreader_link", "issuer_link",
           "photo_decoder", "printer_transport"]

# Whose photograph (kiosk.faces.samples.PERSONS) is on each demo citizen's ID card: two real people for eleven
# citizens, so most share a face (they are never compared with each other). Every demo citizen may stand at the
# camera for a face check or a new card's photo, so each is someone the simulated camera shows sharp, frontal
# and blinking: not Grace Hopper (her glasses hide her lids: a face check of hers could never pass), nor Eileen
# Collins (her portrait's face is 87 px wide; enlarged to a card photo's size it is as soft as the blur limit,
# so her photo passed or failed by the frame). Collins stays on a foreign ID card that no journey photographs.
ID_PHOTO_PERSON = {"normal": "obama", "no_card": "obama", "sealed": "obama", "temp_lost": "biden",
                   "pin_locked": "biden", "gen2": "biden", "lost": "biden", "cancelled": "biden",
                   "expiring": "obama", "producing": "obama", "child": "biden"}


class SimulatorHands:
    """What a tester's hands do to simulated devices: place an ID card, insert a card, take them away.
    Core code (no Kivy) so tests and the on-screen simulator panel use the same calls."""

    def __init__(self, idreader_sim=None, card_slot=None, printer_sim=None, card_factory=None):
        self.idreader_sim = idreader_sim
        self.card_slot = card_slot            # InProcessReader or VpcdBridge
        self.printer_sim = printer_sim
        # the demo cards are made with the demo issuer keys, as a card factory would with real ones
        self.card_factory = card_factory or SoftSecurityModule(demo_masters(), name="demo card factory")
        self.issuer_sim = self.station = self.faceprinter_sim = None
        self.camera = None                    # the SimulatedCamera, when the camera is simulated
        self.payer = None                     # a ServiceClient: pays fee orders as the citizen's phone would
        self.sms = None                       # the embedded service's SimulatedSms: the texts phones received
        self._cards: dict[str, VirtualCard] = {}   # one card per citizen for the whole run
        self._lock = threading.Lock()

    def citizens(self):
        return demo.CITIZENS

    def staff_member(self):
        """The demo hall's staff member: (their key for place_id_card, name, staff PIN)."""
        return demo.STAFF.key, demo.STAFF.name, demo.STAFF_PIN

    def place_id_card(self, key: str) -> None:
        self.idreader_sim.place(id_card_of(key))

    def holder_person(self) -> str | None:
        """Whose photo is on the ID card now on the simulated reader (None: no card, or no readable photo):
        the person the simulated camera shows as "holder"."""
        card = self.idreader_sim.card if self.idreader_sim is not None else None
        return simulated_person(card.photo_wlt) if card is not None else None

    def show_at_camera(self, what: str) -> None:
        """Who stands in front of the simulated camera: holder, other, photo, nobody or two."""
        self.camera.show(what)

    def remove_id_card(self) -> None:
        self.idreader_sim.remove()

    def card_of(self, key: str) -> VirtualCard | None:
        with self._lock:
            if key not in self._cards:
                profile_ = demo.by_key(key).card_profile()
                if profile_ is None:
                    return None
                self._cards[key] = personalise(profile_, self.card_factory)
            return self._cards[key]

    def insert_card(self, key: str) -> bool:
        card = self.card_of(key)
        if card is None:
            return False
        self.card_slot.insert(card)
        return True

    def remove_card(self) -> None:
        self.card_slot.remove()

    def insert_old_card(self, key: str) -> bool:
        """Push the citizen's card into the card module's gate (handing it back at a replacement); False
        when the gate is closed or the module is not empty, as a real gate would refuse it."""
        card = self.card_of(key)
        return card is not None and self.issuer_sim.insert_at_gate(card)

    def pay(self, order: int | str) -> dict:
        """Pay a fee order the way the citizen's phone would after scanning the QR code: by the order's id
        or the QR payload itself (sbkpay://order/N). The embedded service's pay endpoint stands in for the
        payment provider."""
        order_id = int(str(order).rsplit("/", 1)[-1])
        return self.payer.pay(order_id)


    def last_sms(self, phone: str | None = None):
        """The last text message the service sent (to ``phone``), as the citizen's phone shows it; None if none."""
        return self.sms.last(phone) if self.sms is not None else None

    def texted_code(self, phone: str | None = None) -> str | None:
        """The verification code in the last text message (what the citizen reads off their phone)."""
        import re
        message = self.last_sms(phone)
        found = re.search(r"验证码(\d{6})", message.text) if message else None
        return found.group(1) if found else None


# -- the simulators, started for kiosk.wiring; each registers its close in ``closers`` ------------------------
def idreader_link(hands: SimulatorHands, state_dir: str, closers: list) -> str:
    """A GA 467 reader on a pty. Opened by a stable name, as udev's /dev/serial/by-id/… on a kiosk, so a
    simulated unplug and replug behaves like a USB reader's."""
    hands.idreader_sim = IdReaderSimulator(link=os.path.join(state_dir, "ttyIDREADER"))
    closers.append(hands.idreader_sim.close)
    return hands.idreader_sim.link


def card_slot(kind: str, closers: list, second: bool = False):
    """Where a virtual card is inserted: in process ("sim": the slot is the reader too) or behind pcscd
    ("vpcd": the real PcscReader sees it; ``second``: vpcd's second reader, the card module's)."""
    if kind == "sim":
        return InProcessReader()
    slot = VpcdBridge(port=VPCD_PORT + 1 if second else VPCD_PORT)
    closers.append(slot.remove)
    return slot


def printer_transport(hands: SimulatorHands, state_dir: str, closers: list) -> str:
    hands.printer_sim = PrinterSimulator(out_dir=os.path.join(state_dir, "receipts"))
    closers.append(hands.printer_sim.close)
    return hands.printer_sim.transport


def issuer_link(hands: SimulatorHands, slot, policy, state_dir: str, timing: float, closers: list) -> str:
    """A CRT-591 on a pty whose contact station puts blank cards into ``slot`` (the module's chip reader)."""
    hands.station = SimulatedStation(slot, hands.card_factory, policy.region_code, policy.initial_pin or "123456")
    hands.issuer_sim = IssuerSimulator(link=os.path.join(state_dir, "ttyISSUER"), timing=timing,
                                       on_move=hands.station.on_move)
    closers.append(hands.issuer_sim.close)
    return hands.issuer_sim.link


def faceprinter(hands: SimulatorHands, state_dir: str) -> SimulatedFacePrinter:
    hands.faceprinter_sim = SimulatedFacePrinter(os.path.join(state_dir, "faces"))
    return hands.faceprinter_sim


def id_card_of(key: str):
    """A demo citizen's ID card, with the photo block of the person ``ID_PHOTO_PERSON`` gives them."""
    card = demo.by_key(key).id_card()
    person = ID_PHOTO_PERSON.get(key)
    return dataclasses.replace(card, photo_wlt=simulated_wlt(person)) if person else card


def camera(hands: SimulatorHands | None = None, resolution: tuple[int, int] = (1280, 720), fps: float = 15.0,
           showing: str = "holder") -> SimulatedCamera:
    """The simulated camera, showing the person on the ID card placed on the simulated reader as "holder";
    paced to ``fps`` as a real camera is."""
    holder = hands.holder_person if hands is not None else None
    cam = SimulatedCamera(holder, showing=showing, resolution=resolution, fps=fps, realtime=True)
    if hands is not None:
        hands.camera = cam
    return cam


def photo_decoder() -> SimulatedPhotoDecoder:
    """The ID photo decoder of the simulated reader: the demo cards' photos (kiosk.hw.idreader.photo)."""
    return SimulatedPhotoDecoder()
