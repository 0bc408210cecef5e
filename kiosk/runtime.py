"""Config → devices → service → flows. The embedded default starts every simulator and the reference
service here; a config file swaps any of them for a real port or URL and nothing else changes."""
from __future__ import annotations

import logging
import os
import threading

from kiosk import demo
from kiosk.backend.client import ServiceClient
from kiosk.config import SIM, Config
from kiosk.flows import change_pin
from kiosk.flows.base import Devices
from kiosk.hw.cardreader.readers import InProcessReader, PcscReader
from kiosk.hw.cardreader.virtualcard import VirtualCard, personalise
from kiosk.security.module import KeyServiceModule, NoSecurityModule, SoftSecurityModule, demo_masters
from kiosk.security.sm2 import PrivateKey, PublicKey
from kiosk.hw.idreader.driver import IdReader
from kiosk.hw.base import DeviceError
from kiosk.journal import Journal
from kiosk.hw.printer.driver import ReceiptPrinter
from kiosk.policy import profile

log = logging.getLogger(__name__)
VPCD_READER = "Virtual PCD 00 00"


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
        self.payer = None                     # a ServiceClient: pays fee orders as the citizen's phone would
        self._cards: dict[str, VirtualCard] = {}   # one card per citizen for the whole run
        self._lock = threading.Lock()

    def citizens(self):
        return demo.CITIZENS

    def place_id_card(self, key: str) -> None:
        self.idreader_sim.place(demo.by_key(key).id_card())

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


class Kiosk:
    def __init__(self, config: Config):
        self.config = config
        self._closers: list = []
        os.makedirs(config.state_dir, exist_ok=True)
        policy = profile(config.policy)
        hands = SimulatorHands()

        port = config.idreader_port
        if port == SIM:
            from kiosk.hw.idreader.simulator import IdReaderSimulator
            # the reader is opened by a stable name, as udev's /dev/serial/by-id/… on a kiosk, so a
            # simulated unplug and replug behaves like a USB reader's
            hands.idreader_sim = IdReaderSimulator(link=os.path.join(config.state_dir, "ttyIDREADER"))
            self._closers.append(hands.idreader_sim.close)
            port = hands.idreader_sim.link
        idreader = IdReader(port, config.idreader_baudrate)
        self._closers.append(idreader.close)

        if config.cardreader == SIM:
            cardreader = hands.card_slot = InProcessReader()
        elif config.cardreader == "vpcd":
            from kiosk.hw.cardreader.vpcd import VpcdBridge
            cardreader = PcscReader(VPCD_READER)
            hands.card_slot = VpcdBridge()
            self._closers += [cardreader.close, hands.card_slot.remove]
        else:
            cardreader = PcscReader(config.cardreader)
            self._closers.append(cardreader.close)

        transport = config.printer
        if transport == SIM:
            from kiosk.hw.printer.simulator import PrinterSimulator
            hands.printer_sim = PrinterSimulator(out_dir=os.path.join(config.state_dir, "receipts"))
            self._closers.append(hands.printer_sim.close)
            transport = hands.printer_sim.transport
        printer = ReceiptPrinter(transport)

        url = config.service_url
        self.service = None
        key = load_or_make_key(config.kiosk_key_path)
        if url == "embedded":
            from kiosk.backend.server import ServiceThread
            db = fresh_demo_service_db(config.state_dir)
            self.service = ServiceThread(db, policy).start()
            self._closers.append(self.service.stop)
            url = self.service.url
        client = ServiceClient(url, config.kiosk_id, key=key, service_key=load_public(config.service_key_path))
        self._closers.append(client.close)
        if self.service is not None:            # the embedded service is new each start: enrol with it
            save_public(config.service_key_path, client.enrol(self.service.enrolment_code))
        hands.payer = client

        journal = Journal(os.path.join(config.state_dir, "journal.db"))
        self._closers.append(journal.close)
        if self.service is not None:
            close_previous_demo(journal)
        issuer, issuer_reader, faceprinter = self._issuing_devices(config, hands, policy)

        from kiosk.hw.idreader import photo
        if config.security == "demo":
            security = SoftSecurityModule(demo_masters(), name="demo keys (simulated kiosk only)")
        elif config.security == "keyservice":
            security = KeyServiceModule(client)
        else:
            security = NoSecurityModule()
        self.devices = Devices(idreader, cardreader, printer, client, journal, policy, config.kiosk_id,
                               photo=photo.load(config.idreader_photo), security=security, cardissuer=issuer,
                               issuer_reader=issuer_reader, faceprinter=faceprinter)
        self.hands = hands if config.simulated else None
        from kiosk.voice import Voice
        self.voice = Voice.from_config(config)      # Mandarin prompts, synthesized offline and cached
        self._closers.append(self.voice.close)
        from kiosk.flows import reset_pin, unlock   # PIN set without the old one: same write-ahead recovery
        for txn, outcome in [*change_pin.recover(self.devices), *reset_pin.recover(self.devices),
                             *unlock.recover(self.devices)]:
            log.info("recovered %s: %s", txn, outcome)
        # Initialize first, always, capturing a card a power cut left inside; then settle interrupted issuances
        from kiosk.flows import issuance
        try:
            issuer.initialize()
        except DeviceError as exc:
            log.warning("card module not initialised: %s", exc.detail)
        else:
            for txn, outcome in issuance.recover(self.devices):
                log.info("recovered %s: %s", txn, outcome)
            from kiosk.flows import replacement
            for txn, outcome in replacement.recover(self.devices):
                log.info("recovered %s: %s", txn, outcome)
        from kiosk.flows import staff_notices      # what earlier starts owed staff while the service was down
        for txn in staff_notices.deliver(self.devices):
            log.info("staff notice for %s delivered", txn)

    def _issuing_devices(self, config: Config, hands: "SimulatorHands", policy):
        from kiosk.hw.cardissuer.faceprinter import CupsFacePrinter, EvolisFacePrinter, SimulatedFacePrinter
        from kiosk.hw.cardissuer.issuer import CardIssuer
        from kiosk.hw.cardissuer.link import Crt591Link
        port = config.issuer_port
        if config.issuer_reader == SIM:
            reader = slot = InProcessReader()
        elif config.issuer_reader == "vpcd":
            from kiosk.hw.cardreader.vpcd import VPCD_PORT, VpcdBridge
            reader, slot = PcscReader("Virtual PCD 00 01"), VpcdBridge(port=VPCD_PORT + 1)
            self._closers += [reader.close, slot.remove]
        else:
            reader, slot = PcscReader(config.issuer_reader), None
            self._closers.append(reader.close)
        if port == SIM:
            from kiosk.hw.cardissuer.simulator import IssuerSimulator
            from kiosk.hw.cardissuer.station import SimulatedStation
            hands.station = SimulatedStation(slot, hands.card_factory, policy.region_code,
                                             policy.initial_pin or "123456")
            hands.issuer_sim = IssuerSimulator(link=os.path.join(config.state_dir, "ttyISSUER"),
                                               timing=config.issuer_timing, on_move=hands.station.on_move)
            self._closers.append(hands.issuer_sim.close)
            port = hands.issuer_sim.link
        link = Crt591Link(port)
        self._closers.append(link.close)
        issuer = CardIssuer(link, os.path.join(config.state_dir, "issuer-counts.json"))
        kind, _, name = config.faceprinter.partition(":")
        if kind == SIM:
            faceprinter = hands.faceprinter_sim = SimulatedFacePrinter(os.path.join(config.state_dir, "faces"))
        elif kind == "evolis":
            faceprinter = EvolisFacePrinter(name or None)
        elif kind == "cups" and name:
            faceprinter = CupsFacePrinter(name)
        else:
            raise ValueError(f"faceprinter.kind {config.faceprinter!r}: sim, evolis[:NAME] or cups:QUEUE")
        return issuer, reader, faceprinter

    def close(self) -> None:
        for close in reversed(self._closers):
            try:
                close()
            except Exception:
                log.exception("while shutting down")
        self._closers.clear()


def fresh_demo_service_db(state_dir: str) -> str:
    """The embedded demo's service database, recreated at every start (the virtual cards live in memory, so
    the demo's citizens start over with them), but with the same signing key every time: the kiosk pinned
    that key at its first start and keeps checking every answer against it. The key is kept beside the
    database (demo-service-key.pem, 0600) and put into the new database before the service reads it."""
    from kiosk.backend.store import Store
    db = os.path.join(state_dir, "demo-service.db")
    key_path = os.path.join(state_dir, "demo-service-key.pem")
    make = PrivateKey.generate
    if not os.path.exists(key_path) and os.path.exists(db):
        # a state dir from before the key was kept: the key the kiosk pinned is still in the old database
        old = Store(db)
        try:
            rows = old.query("SELECT private_pem FROM service_keys WHERE id = 1")
        finally:
            old.close()
        if rows:
            make = lambda: PrivateKey.from_pem(rows[0]["private_pem"])  # noqa: E731
    key = load_or_make_key(key_path, make)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    store = Store(db)
    try:
        store.service_private_pem(key.to_pem)
    finally:
        store.close()
    return db


def close_previous_demo(journal: Journal) -> None:
    """The embedded demo's service starts fresh, so a transaction the previous demo run left unfinished
    names cards and applications it no longer knows: recovering it would be refused, or retried at every
    start. Closed as "demo_restarted" before recovery runs (a real service keeps its records, and there the
    journal is recovered as it is)."""
    for row in journal.unfinished():
        journal.step(row["txn"], "demo_restarted")
        journal.finish(row["txn"], "demo_restarted")
        log.warning("demo restarted: %s %s of the previous demo run closed unrecovered", row["kind"], row["txn"])


def load_or_make_key(path: str, make=PrivateKey.generate) -> PrivateKey:
    """An SM2 key (the kiosk's; the demo service's): read, or made on first start and written readable by its
    owner only. Written whole under a temporary name, then linked into place, so a crash while writing never
    leaves a truncated key, and an existing key is never overwritten."""
    if os.path.exists(path):
        with open(path, encoding="ascii") as fh:
            return PrivateKey.from_pem(fh.read())
    key = make()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key.to_pem())
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp, path)                      # fails if a key appeared meanwhile: never overwritten
    finally:
        os.unlink(tmp)
    with open(os.path.splitext(path)[0] + ".pub.pem", "w", encoding="ascii") as fh:
        fh.write(key.public.to_pem())
    return key


def load_public(path: str) -> PublicKey | None:
    if not os.path.exists(path):
        return None
    with open(path, encoding="ascii") as fh:
        return PublicKey.from_pem(fh.read())


def save_public(path: str, key: PublicKey) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="ascii") as fh:
        fh.write(key.to_pem())
    os.replace(tmp, path)
