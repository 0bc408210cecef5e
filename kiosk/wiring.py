"""Config → devices, and nothing else: ``build_devices`` opens what the config names and hands back the
:class:`~kiosk.flows.base.Devices` the flows use.

It does not recover, initialise the card module (which would capture a card left inside) or move a card;
that is the kiosk's start-up step (kiosk.startup.recover_at_start). So the technician's selftest can build
the same devices the kiosk would and only ask their status.

Real drivers are imported here; a simulator only through kiosk.simulated, and only when the config says
"sim" (or "vpcd") for a device. Every device opened registers its close, run in reverse by
:meth:`Wiring.close`.
"""
from __future__ import annotations

import dataclasses
import logging
import os
from dataclasses import dataclass, field

from kiosk.backend.client import ServiceClient
from kiosk.config import SIM, Config
from kiosk.deviceevents import DeviceEvents
from kiosk.flows.base import Devices
from kiosk.hw.cardissuer.branding import branding
from kiosk.hw.cardissuer.issuer import CardIssuer
from kiosk.hw.cardissuer.link import Crt591Link
from kiosk.hw.cardreader.readers import PcscReader
from kiosk.hw.idreader import photo
from kiosk.hw.idreader.driver import IdReader
from kiosk.hw.printer.driver import ReceiptPrinter
from kiosk.journal import Journal
from kiosk.keyfiles import load_or_make_key, load_public, required_key, required_public, save_public
from kiosk.policy import profile
from kiosk.security.module import KeyServiceModule, NoSecurityModule, SoftSecurityModule, demo_masters

log = logging.getLogger(__name__)
VPCD_READER = "Virtual PCD 00 00"
VPCD_ISSUER_READER = "Virtual PCD 00 01"


@dataclass
class Wiring:
    devices: Devices
    hands: object = None        # kiosk.simulated.SimulatorHands when any device is simulated, else None
    service: object = None      # the embedded reference service (kiosk.backend.server.ServiceThread) or None
    closers: list = field(default_factory=list)

    def close(self) -> None:
        for close in reversed(self.closers):
            try:
                close()
            except Exception:
                log.exception("while shutting down")
        self.closers.clear()


def _needs_simulators(config: Config) -> bool:
    return config.simulated or config.issuer_reader in (SIM, "vpcd") or config.camera == SIM


def build_devices(config: Config) -> Wiring:
    """Open every device the config names. On failure, what was already opened is closed again."""
    wiring = Wiring(devices=None)
    try:
        _build(config, wiring)
    except BaseException:
        wiring.close()
        raise
    return wiring


def _build(config: Config, wiring: Wiring) -> None:
    os.makedirs(config.state_dir, exist_ok=True)
    closers = wiring.closers
    policy = profile(config.policy)
    if config.face_services is not None or config.face_threshold is not None:     # [face] overrides the region
        policy = dataclasses.replace(
            policy, face_check_services=policy.face_check_services if config.face_services is None
            else config.face_services,
            face_match_threshold=policy.face_match_threshold if config.face_threshold is None
            else config.face_threshold)
    sim = None
    if _needs_simulators(config):
        from kiosk import simulated as sim        # the one place simulators come from
        wiring.hands = sim.SimulatorHands()
    hands = wiring.hands
    # every driver's own events go to one sink; sending them to the service is the kiosk's start-up
    # (kiosk.runtime), not building's
    events = DeviceEvents(os.path.join(config.state_dir, "device-events.jsonl"))

    port = config.idreader_port
    if port == SIM:
        port = sim.idreader_link(hands, config.state_dir, closers)
    idreader = IdReader(port, config.idreader_baudrate)
    closers.append(idreader.close)

    if config.cardreader == SIM:
        cardreader = hands.card_slot = sim.card_slot(SIM, closers)
    else:
        cardreader = PcscReader(VPCD_READER if config.cardreader == "vpcd" else config.cardreader,
                                on_event=events.listener("cardreader"))
        closers.append(cardreader.close)
        if config.cardreader == "vpcd":
            hands.card_slot = sim.card_slot("vpcd", closers)

    transport = sim.printer_transport(hands, config.state_dir, closers) if config.printer == SIM else config.printer
    printer = ReceiptPrinter(transport, on_event=events.listener("printer"))

    client = _service_client(config, wiring, policy)
    if hands is not None:
        hands.payer = client
        # the embedded service's simulated SMS provider: the citizen's phone, for the panel and the tests
        hands.sms = wiring.service.sms if wiring.service is not None else None

    journal = Journal(os.path.join(config.state_dir, "journal.db"))
    closers.append(journal.close)
    issuer, issuer_reader, faceprinter = _issuing_devices(config, sim, hands, policy, closers, events)
    security = _security_module(config, client)
    wiring.devices = Devices(
        idreader, cardreader, printer, client, journal, policy, config.kiosk_id,
        photo=_photo_decoder(config, sim), security=security, cardissuer=issuer,
        issuer_reader=issuer_reader, faceprinter=faceprinter, camera=_camera(config, sim, hands, closers),
        key_transport=_key_transport(security, client), events=events,
        card_face=branding(policy.card_issuer, config.bank_name, config.bank_mark))


def _photo_decoder(config: Config, sim):
    """The ID photo decoder: the vendor's library when configured; the simulated reader's demo cards carry
    photos the simulated decoder reads; otherwise none (the photo stays bytes)."""
    if config.idreader_port == SIM and not config.idreader_photo.library:
        return sim.photo_decoder()
    return photo.load(config.idreader_photo)


def _camera(config: Config, sim, hands, closers: list):
    """[camera]: "none" → None (no photo on the face); "sim"; or a V4L2 camera, opened when first used (a
    camera unplugged at start is a status, not a failed start-up)."""
    if config.camera == "none":
        return None
    if config.camera == SIM:
        camera = sim.camera(hands, config.camera_resolution, config.camera_fps, config.camera_person)
    else:
        from kiosk.hw.camera.opencv import OpenCvCamera
        camera = OpenCvCamera(config.camera, config.camera_resolution)
    closers.append(camera.stop)
    return camera


def _service_client(config: Config, wiring: Wiring, policy) -> ServiceClient:
    """A client that signs with the kiosk's key and checks every answer against the pinned service key. A real
    service: both keys were written by enrolment and must be there (kiosk.errors.StartRefused when not). The
    embedded demo service is new at each start, so the kiosk makes its key and enrols at every start."""
    url = config.service_url
    if url == "embedded":
        from kiosk.backend.server import ServiceThread
        from kiosk.embedded import fresh_demo_service_db
        key = load_or_make_key(config.kiosk_key_path)
        wiring.service = ServiceThread(fresh_demo_service_db(config.state_dir), policy).start()
        wiring.closers.append(wiring.service.stop)
        url = wiring.service.url
        service_key = load_public(config.service_key_path)
    else:
        key = required_key(config.kiosk_key_path)
        service_key = required_public(config.service_key_path)
    client = ServiceClient(url, config.kiosk_id, key=key, service_key=service_key)
    wiring.closers.append(client.close)
    if wiring.service is not None:      # the embedded service is new each start: opening it means enrolling
        save_public(config.service_key_path, client.enrol(wiring.service.enrolment_code))
    return client


def _issuing_devices(config: Config, sim, hands, policy, closers: list, events: DeviceEvents):
    """The card-issuing module, its own chip reader and the card face printer."""
    slot = None
    if config.issuer_reader == SIM:
        reader = slot = sim.card_slot(SIM, closers)
    else:
        reader = PcscReader(VPCD_ISSUER_READER if config.issuer_reader == "vpcd" else config.issuer_reader,
                            on_event=events.listener("issuer_reader"))
        closers.append(reader.close)
        if config.issuer_reader == "vpcd":
            slot = sim.card_slot("vpcd", closers, second=True)
    port = config.issuer_port
    if port == SIM:
        port = sim.issuer_link(hands, slot, policy, config.state_dir, config.issuer_timing, closers)
    link = Crt591Link(port)
    closers.append(link.close)
    issuer = CardIssuer(link, os.path.join(config.state_dir, "issuer-counts.json"),
                        on_event=events.listener("cardissuer"))

    kind, _, name = config.faceprinter.partition(":")
    if kind == SIM:
        faceprinter = sim.faceprinter(hands, config.state_dir)
    elif kind == "evolis":
        from kiosk.hw.cardissuer.faceprinter import EvolisFacePrinter
        faceprinter = EvolisFacePrinter(name or None)
    else:                                  # kiosk.config checked it: cups:QUEUE
        from kiosk.hw.cardissuer.faceprinter import CupsFacePrinter
        faceprinter = CupsFacePrinter(name)
    return issuer, reader, faceprinter


def _security_module(config: Config, client: ServiceClient):
    """[security] module: the card security module for chip authentication and PIN MACs."""
    if config.security == "demo":
        return SoftSecurityModule(demo_masters(), name="demo keys (simulated kiosk only)")
    if config.security == "keyservice":
        return KeyServiceModule(client)
    return NoSecurityModule()


def _key_transport(security, client: ServiceClient) -> KeyServiceModule:
    """Issuance needs a key-transport session with the service whatever [security] says: the service seals a
    new card's personalisation data under a session key this kiosk sends it. With the key service as the
    security module, that is the same module (one session); otherwise its own, over the same signed client."""
    if isinstance(security, KeyServiceModule):
        return security
    return KeyServiceModule(client, name="key transport")
