"""``python -m provisioning COMMAND`` (or ``sbk-provision``): tools for field technicians.

  install [--config FILE|--demo] [--device ROLE=usb:VID:PID[:SERIAL]] [--root DIR] [--dry-run]
                                            lay out this kiosk (venv in /opt, user, config in /etc/sbk-kiosk,
                                            systemd units, X session, udev, polkit); idempotent
  uninstall [--purge [--force]] [--root DIR]   remove it (config, keys and state kept unless --purge)
  detect                                    serial ports (and which answer as GA 467 readers), PC/SC readers, printers
  probe idreader --port PORT [--json]       read one ID card; exit 0 read, 2 no card, 3 device error
  probe card [--reader NAME] [--json]       read a social security card; exit 2 no card, 3 error, 4 no security module
  probe printer --device SPEC [--test-receipt]   printer status; print a test receipt (file:PATH keeps the bytes)
  simulate idreader [--card NAME] [--fault F]    a GA 467 reader on a pseudo-terminal; prints its path first
  simulate printer [--out DIR]              a network receipt printer on 127.0.0.1; prints its transport first
  simulate issuer [--hopper N] [--fault F]  a CRT-591 card-issuing module on a pseudo-terminal; path first
  probe issuer --port PORT [--json]         initialise (capturing any card inside) and show the module's status
  simulate card [--demo NAME] [--vpcd HOST:PORT] [--state FILE]   a demo card in pcscd's vpcd reader
  enroll --code CODE [--config kiosk.toml]   make this kiosk's SM2 keys where its config reads them and
                                             register it at the config's service (or --backend URL --dir DIR)
  probe backend [--config kiosk.toml]   one signed heartbeat: round trip, and whether the answer verified
  probe camera [--device /dev/video0|sim] [--json]   resolution, measured fps, one frame's quality figures
                                            and faces found; exit 3 when there is no camera
  facecheck ID_PHOTO LIVE_PHOTO [--threshold T] [--json]   the kiosk's face match on two photographs;
                                            exit 0 match, 1 no match, 2 not one face in one of them
  selftest [--config FILE]                  every device's status, the photo decoder and the service, as a
                                            table; no side effects (no recovery, no card moved)
"""
from __future__ import annotations

import argparse
import datetime as dt
import glob
import json
import signal
import sys
import threading
import time

from kiosk import masking

EXIT_READ, EXIT_NO_CARD, EXIT_DEVICE, EXIT_NO_SECURITY = 0, 2, 3, 4


def _table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())


def _show_status(status) -> bool:
    media = "  ".join(f"{k}: {v}" for k, v in status.media.items())
    print(f"status: {status.state.value}  {media}  {status.detail} {status.vendor_code}".rstrip())
    return status.usable


def _enrolment_options(q) -> None:
    q.add_argument("--config", help="the kiosk's config: the keys go where it reads them, to its service.url "
                                    "(default: the installed kiosk's config)")
    q.add_argument("--backend", help="the card-management service's URL (default: the config's service.url)")
    q.add_argument("--kiosk-id", help="default: the config's kiosk_id")
    q.add_argument("--dir", help="keep the keys in this folder instead of the config's paths (benches, tests)")


def _fail(message: str, code: int) -> int:
    print(message, file=sys.stderr)
    return code


def _serve_until_killed(*closers) -> int:
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    for close in closers:
        close()
    return 0


# -- detect -------------------------------------------------------------------------------------------
def detect(_args) -> int:
    """Every device a kiosk may use, with the ``usb:VID:PID[:SERIAL]`` that ``install --device ROLE=…``
    takes for a stable /dev/sbk/ROLE name."""
    from serial.tools import list_ports
    from kiosk.hw.base import DeviceState
    from kiosk.hw.idreader.driver import IdReader
    from provisioning.usbids import node_usb_id
    rows = [("kind", "where", "what", "usb (for install --device)")]
    for port in list_ports.comports():
        reader = IdReader(port.device)
        status = reader.status()
        reader.close()
        what = "GA 467 ID reader" if status.state is DeviceState.ONLINE else f"serial port ({port.description})"
        rows.append(("serial", port.device, what, node_usb_id(port.device, "tty") or "-"))
    try:
        from smartcard.System import readers
        rows += [("pc/sc", str(r), "smart card reader", "-") for r in readers()]
    except Exception as exc:
        rows.append(("pc/sc", "-", f"pcscd not reachable: {exc}", "-"))
    rows += [("printer", path, "usblp printer node (use file:PATH)", node_usb_id(path, "usbmisc") or "-")
             for path in sorted(glob.glob("/dev/usb/lp*"))]
    rows += [("camera", path, "V4L2 video node", node_usb_id(path, "video4linux") or "-")
             for path in sorted(glob.glob("/dev/video*"))]
    _table(rows)
    return 0


# -- probes -------------------------------------------------------------------------------------------
OPTIONAL_READS = {"appended_address": "READ_APPENDED_ADDRESS", "fingerprint": "READ_TEXT_PHOTO_FINGERPRINT"}


def probe_idreader(args) -> int:
    """Read one ID card. What a reader model may lack (the appended address, the fingerprint templates: it
    answers SW3 0x21) is reported as unavailable; only the card itself is needed for exit 0."""
    from kiosk.hw.base import DeviceError
    from kiosk.hw.idreader.driver import CommandNotSupported, IdReader
    reader = IdReader(args.port)
    unavailable: list[str] = []
    try:
        status = reader.status()
        if not status.usable:
            return _fail(f"ID reader on {args.port} is {status.state.value}: {status.detail}", EXIT_DEVICE)
        try:
            card = reader.wait_for_card(args.wait, check=False, fingerprint=args.fingerprint)
        except CommandNotSupported:
            if not args.fingerprint:
                raise
            unavailable.append("fingerprint")            # read again without the templates
            card = reader.wait_for_card(args.wait, check=False)
        if card is None:
            return _fail(f"no ID card on the reader within {args.wait:g} s", EXIT_NO_CARD)
        try:
            address = reader.appended_address()
        except CommandNotSupported:
            address = None
            unavailable.append("appended_address")
    except DeviceError as exc:
        return _fail(f"ID reader error: {exc.detail}", EXIT_DEVICE)
    finally:
        reader.close()
    if args.json:
        out = card.to_json() | {"appended_address": address or None, "unavailable": unavailable}
        if args.fingerprint and "fingerprint" not in unavailable:
            out["fingerprint_bytes"] = len(card.fingerprint)
        print(json.dumps(out, ensure_ascii=False))
    else:
        refusal = card.refusal()
        print(f"{card.card_type}: {masking.name(card.display_name)} {masking.id_number(card.id_number)} "
              f"valid to {'长期' if card.long_term else card.valid_until}"
              + (f"  REFUSED: {refusal.detail}" if refusal else ""))
        for part in unavailable:
            print(f"{part.replace('_', ' ')}: unavailable (this reader does not support the command, SW3 0x21)")
    return EXIT_READ


def probe_card(args) -> int:
    from kiosk.hw.base import DeviceError
    from kiosk.hw.cardreader.readers import PcscReader
    from kiosk.hw.cardreader.ssse import SocialSecurityCard
    from kiosk.security.module import NoSecurityModule, SecurityModuleMissing, SoftSecurityModule, demo_masters
    name = args.reader
    if name is None:
        try:
            from smartcard.System import readers
            found = [str(r) for r in readers()]
        except Exception as exc:
            return _fail(f"pcscd is not reachable: {exc}", EXIT_DEVICE)
        if not found:
            return _fail("no PC/SC reader is connected", EXIT_DEVICE)
        name = found[0]
    security = SoftSecurityModule(demo_masters(), name="demo") if args.security == "demo" else NoSecurityModule()
    reader = PcscReader(name)
    try:
        status = reader.status()
        if not status.usable:
            return _fail(f"card reader {name!r} is {status.state.value}: {status.detail}", EXIT_DEVICE)
        connection = reader.wait_for_card(args.wait)
        if connection is None:
            return _fail(f"no card in {name!r} within {args.wait:g} s", EXIT_NO_CARD)
        app = SocialSecurityCard(connection, security)
        try:
            info = app.read_info()
        except SecurityModuleMissing:
            return _fail(f"spec {app.spec_version} card: the holder's data needs a security module "
                         "(none configured; --security demo for demo cards)", EXIT_NO_SECURITY)
        tries = app.pin_tries_left()
        connection.disconnect()
    except DeviceError as exc:
        return _fail(f"card or reader error: {exc.detail}", EXIT_DEVICE)
    finally:
        reader.close()
    if args.json:
        print(json.dumps({
            "spec_version": info.spec_version, "card_id": info.card_id_code, "card_number": info.card_number,
            "issue_date": info.issue_date.isoformat() if info.issue_date else None,
            "expiry_date": info.expiry_date.isoformat() if info.expiry_date else None,
            "ssn": info.ssn, "name": info.name, "sex": {"1": "male", "2": "female"}.get(info.gender),
            "nation": info.nation, "birth_date": info.birth_date.isoformat() if info.birth_date else None,
            "birthplace": info.birthplace, "algorithm": info.algorithm, "region": info.region_code,
            "atr": info.atr.hex().upper(), "pin_tries_left": tries}, ensure_ascii=False))
    else:
        print(f"ATR {info.atr.hex().upper()}  spec {info.spec_version}  algorithm {info.algorithm}  "
              f"region {info.region_code}  PIN tries left {tries}")
        print(f"card {masking.card_number(info.card_number)}  {masking.name(info.name)}  "
              f"{masking.id_number(info.ssn)}  expires {info.expiry_date}")
    return EXIT_READ


def probe_printer(args) -> int:
    from kiosk import receipts
    from kiosk.hw.printer.driver import PrinterError, ReceiptPrinter
    from kiosk.journal import new_txn_id
    try:
        printer = ReceiptPrinter(args.device)
    except ValueError as exc:
        return _fail(str(exc), EXIT_DEVICE)
    usable = _show_status(printer.status())
    if args.test_receipt:
        txn = new_txn_id("PROBE")
        try:
            printer.print_receipt(receipts.test_receipt(kiosk_id="PROBE", txn=txn, when=dt.datetime.now()))
        except PrinterError as exc:
            return _fail(f"printing failed: {exc.detail}", EXIT_DEVICE)
        print(f"test receipt sent (QR: {txn})")
    return EXIT_READ if usable else EXIT_DEVICE


# -- simulators ---------------------------------------------------------------------------------------
def simulate_idreader(args) -> int:
    from kiosk import demo
    from kiosk.hw.idreader.samples import SCRIPTED
    from kiosk.hw.idreader.simulator import IdReaderSimulator
    sim = IdReaderSimulator(without=tuple(OPTIONAL_READS[name] for name in args.without or []))
    if args.card:
        if args.card in SCRIPTED:
            sim.place(SCRIPTED[args.card]())
        else:
            try:
                sim.place(demo.by_key(args.card).id_card())
            except KeyError:
                sim.close()
                names = sorted(SCRIPTED) + [c.key for c in demo.CITIZENS]
                return _fail(f"unknown card {args.card!r}; one of {', '.join(names)}", 2)
    for fault in args.fault or []:
        sim.inject(fault)
    print(sim.port, flush=True)          # first line: what to open
    return _serve_until_killed(sim.close)


def simulate_printer(args) -> int:
    from kiosk.hw.printer.simulator import PrinterSimulator
    sim = PrinterSimulator(out_dir=args.out)
    sim.paper = args.paper
    print(sim.transport, flush=True)
    print(f"receipts (raw bytes and PNG previews) go to {args.out}", flush=True)
    return _serve_until_killed(sim.close)


def simulate_card(args) -> int:
    import os
    from kiosk import demo
    from kiosk.hw.cardreader.virtualcard import VirtualCard, personalise
    from kiosk.hw.cardreader.vpcd import VPCD_PORT, VpcdBridge
    from kiosk.security.module import SoftSecurityModule, demo_masters
    host, _, port = (args.vpcd or f"127.0.0.1:{VPCD_PORT}").rpartition(":")
    if not host or not port.isdigit():
        return _fail(f"--vpcd {args.vpcd!r}: expected HOST:PORT", 2)
    if args.state and os.path.exists(args.state):
        card = VirtualCard.load(args.state)          # the same card as last time, PIN counter and all
    else:
        try:
            profile = demo.by_key(args.demo).card_profile()
        except KeyError:
            return _fail(f"unknown demo card {args.demo!r}; one of "
                         f"{', '.join(c.key for c in demo.CITIZENS if c.card_state)}", 2)
        if profile is None:
            return _fail(f"demo citizen {args.demo!r} has no card", 2)
        card = personalise(profile, SoftSecurityModule(demo_masters(), name="demo card factory"), path=args.state)
    bridge = VpcdBridge(host, int(port))
    try:
        bridge.insert(card)
    except OSError as exc:
        return _fail(f"cannot reach vpcd at {host}:{port} (is pcscd running with vsmartcard-vpcd?): {exc}",
                     EXIT_DEVICE)
    print(f"card of {masking.name(card.holder)} (spec {card.spec_version}) inserted at vpcd {host}:{port}",
          flush=True)
    return _serve_until_killed(bridge.remove)


def simulate_issuer(args) -> int:
    from kiosk.hw.cardissuer.simulator import IssuerSimulator
    sim = IssuerSimulator(hopper=args.hopper, timing=args.timing)
    for fault in args.fault or []:
        sim.inject(fault)
    print(sim.port, flush=True)
    return _serve_until_killed(sim.close)


def probe_issuer(args) -> int:
    from kiosk.hw.base import DeviceError
    from kiosk.hw.cardissuer.issuer import CardIssuer
    from kiosk.hw.cardissuer.link import Crt591Link
    link = Crt591Link(args.port, baudrate=args.baud)
    issuer = CardIssuer(link, args.counts)
    try:
        version = issuer.initialize()
        status = issuer.status()
    except DeviceError as exc:
        return _fail(f"card module error: {exc.detail}", EXIT_DEVICE)
    finally:
        link.close()
    out = {"device": status.state.value, "card_position": status.media.get("card_position"),
           "hopper": status.media.get("hopper"), "reject_bin": status.media.get("reject_bin"),
           "reject_count": status.media.get("reject_count"), "version": version}
    if args.json:
        print(json.dumps(out))
    else:
        _show_status(status)
    return 0


# -- the card-management service ------------------------------------------------------------------------
def _key_paths(folder: str) -> tuple[str, str, str, str]:
    import os
    return (os.path.join(folder, "kiosk-key.pem"), os.path.join(folder, "kiosk-key.pub.pem"),
            os.path.join(folder, "service-key.pem"), os.path.join(folder, "kiosk-id"))


def _enrolment_files(args) -> tuple[str, str, str, str | None, str]:
    """(kiosk key, service key, kiosk id, kiosk-id file or None, service URL) for enroll and probe backend:
    the paths the kiosk's config reads (``--config``, default the installed kiosk's), or a plain folder
    (``--dir``, for a bench or a second service)."""
    import os
    from kiosk.config import ConfigError, default_path, load
    if args.dir:
        private, _, service, id_file = _key_paths(args.dir)
        kiosk_id = args.kiosk_id
        if kiosk_id is None and os.path.exists(id_file):
            with open(id_file, encoding="ascii") as fh:
                kiosk_id = fh.read().strip()
        if not (kiosk_id and args.backend):
            raise SystemExit(_fail("with --dir, give --kiosk-id and --backend", 2))
        return private, service, kiosk_id, id_file, args.backend
    path = args.config or default_path()
    if path is None:
        raise SystemExit(_fail("no config: give --config PATH (the kiosk's kiosk.toml) or --dir", 2))
    try:
        config = load(path)
    except ConfigError as exc:
        raise SystemExit(_fail(f"configuration error: {exc}", 2)) from None
    if args.kiosk_id and args.kiosk_id != config.kiosk_id:
        raise SystemExit(_fail(f"--kiosk-id {args.kiosk_id} is not the config's kiosk_id {config.kiosk_id}", 2))
    backend = args.backend or config.service_url
    if backend == "embedded":
        raise SystemExit(_fail(f"{path}: service.url is 'embedded' (the demo enrols itself): nothing to enrol", 2))
    return config.kiosk_key_path, config.service_key_path, config.kiosk_id, None, backend


def enroll(args) -> int:
    import os
    from kiosk.backend.client import ServiceClient, ServiceError, ServiceRefused
    from kiosk.keyfiles import hand_to_folder_owner, load_or_make_key, save_public
    private, service, kiosk_id, id_file, backend = _enrolment_files(args)
    for folder in {os.path.dirname(os.path.abspath(private)), os.path.dirname(os.path.abspath(service))}:
        os.makedirs(folder, exist_ok=True)
    key = load_or_make_key(private)            # PKCS#8, mode 0600; the public key beside it
    client = ServiceClient(backend, kiosk_id, key=key)
    try:
        service_key = client.enrol(args.code)
    except (ServiceRefused, ServiceError) as exc:     # a wrong code is a refusal, not a ServiceError
        return _fail(f"enrolment refused: {exc.detail}: {exc.en}", EXIT_DEVICE)
    finally:
        client.close()
    save_public(service, service_key)
    hand_to_folder_owner(private, os.path.splitext(private)[0] + ".pub.pem", service)
    if id_file:
        with open(id_file, "w", encoding="ascii") as fh:
            fh.write(kiosk_id + "\n")
    print(f"kiosk {kiosk_id} enrolled at {backend}; service key pinned in {service}")
    print(os.path.splitext(os.path.abspath(private))[0] + ".pub.pem")
    return 0


def probe_camera(args) -> int:
    from kiosk.hw.base import DeviceError
    from provisioning import camera_probe
    try:
        width, height = (int(v) for v in args.resolution.lower().split("x"))
    except ValueError:
        return _fail(f"--resolution {args.resolution!r}: WIDTHxHEIGHT, e.g. 640x480", 2)
    try:
        result = camera_probe.probe(args.device, (width, height))
    except DeviceError as exc:
        if args.json:
            print(json.dumps({"device": args.device, "error": exc.detail}, ensure_ascii=False))
        return _fail(f"no camera: {exc.detail}", camera_probe.EXIT_NO_CAMERA)
    print(json.dumps(result, ensure_ascii=False) if args.json else camera_probe.line(result))
    return camera_probe.EXIT_OK


def probe_backend(args) -> int:
    from kiosk.backend.client import ServiceClient, ServiceError, ServiceRefused
    from kiosk.errors import StartRefused
    from kiosk.keyfiles import required_key, required_public
    private, service, kiosk_id, _, backend = _enrolment_files(args)
    try:
        key, service_key = required_key(private), required_public(service)
    except StartRefused as exc:
        return _fail(f"not enrolled: {exc.detail}", EXIT_DEVICE)
    client = ServiceClient(backend, kiosk_id, key=key, service_key=service_key, retries=0)
    started = time.perf_counter()
    try:
        answer = client.heartbeat([])        # a heartbeat with no device report: run with the kiosk stopped
    except (ServiceRefused, ServiceError) as exc:
        return _fail(f"heartbeat failed after {(time.perf_counter() - started) * 1000:.0f} ms: {exc.detail}",
                     EXIT_DEVICE)
    finally:
        client.close()
    print(f"heartbeat round trip {(time.perf_counter() - started) * 1000:.1f} ms; service answer signature "
          f"verified; service clock {answer.get('server_time')}")
    return 0


# -- selftest -----------------------------------------------------------------------------------------
# every device the kiosk uses, in the order a technician checks them; "service" last (it may be remote)
SELFTEST = ("idreader", "cardreader", "printer", "cardissuer", "issuer_reader", "faceprinter", "camera", "security",
            "key_transport", "service")
NOT_INITIALISED = "EB0"        # the card module's answer to anything but Initialize after power-on


def selftest(args) -> int:
    """Each configured device's status, and nothing else: the devices are built as the kiosk builds them
    (kiosk.wiring) but the kiosk's start-up step is not run, so no recovery, no initialise (which would
    capture a card left in the module), no card moved; each device is asked its status command only."""
    from kiosk.config import ConfigError, load
    from kiosk.hw.base import DeviceState, DeviceStatus
    from kiosk.wiring import build_devices
    try:
        config = load(args.config)
    except ConfigError as exc:
        return _fail(f"configuration error: {exc}", 2)
    wiring = build_devices(config)
    try:
        devices = wiring.devices
        rows = [("device", "state", "media", "detail")]
        ok = True
        for name in SELFTEST:
            try:
                status = devices.status(name)
            except Exception as exc:     # one device's broken status query must not hide the others'
                status = DeviceStatus(name, DeviceState.HARDWARE_ERROR, detail=f"{type(exc).__name__}: {exc}")
            detail = f"{status.detail} {status.vendor_code}".strip()
            passed = status.usable or status.state is DeviceState.NO_DEVICE   # "none" configured is not a fault
            if name == "cardissuer" and status.vendor_code == NOT_INITIALISED:
                passed = True       # it answers; initialising is the kiosk's start-up step, not a check's
                detail += ": the kiosk initialises it at start (capturing any card inside)"
            ok &= passed
            rows.append((name, status.state.value, ",".join(f"{k}={v}" for k, v in status.media.items()), detail))
        photo = devices.photo
        rows.append(("id photo", "installed" if photo.installed else "not installed", "", photo.status))
        _table(rows)
    finally:
        wiring.close()
    return 0 if ok else 1


def parser() -> argparse.ArgumentParser:
    from kiosk.hw.idreader.simulator import FAULTS
    p = argparse.ArgumentParser(prog="sbk-provision", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("detect").set_defaults(run=detect)
    from provisioning import install
    q = sub.add_parser("install", help="lay out this kiosk: venv, user, config, systemd units, udev, polkit")
    install.add_arguments(q)
    q.set_defaults(run=install.main_install)
    q = sub.add_parser("uninstall", help="remove what install laid out (config, keys and state kept)")
    install.add_uninstall_arguments(q)
    q.set_defaults(run=install.main_uninstall)

    q = sub.add_parser("enroll")
    q.add_argument("--code", required=True, help="the enrolment code from the service's administrator")
    _enrolment_options(q)
    q.set_defaults(run=enroll)

    probe = sub.add_parser("probe").add_subparsers(dest="device", required=True)
    q = probe.add_parser("issuer")
    q.add_argument("--port", required=True)
    q.add_argument("--baud", type=int, default=9600)
    q.add_argument("--json", action="store_true")
    q.add_argument("--counts", default="var/issuer-counts.json", help="where the kiosk keeps the module's counts")
    q.set_defaults(run=probe_issuer)
    q = probe.add_parser("backend")
    _enrolment_options(q)
    q.set_defaults(run=probe_backend)
    q = probe.add_parser("idreader")
    q.add_argument("--port", required=True)
    q.add_argument("--json", action="store_true")
    q.add_argument("--wait", type=float, default=10)
    q.add_argument("--fingerprint", action="store_true", help="read with the fingerprint templates (30 10)")
    q.set_defaults(run=probe_idreader)
    q = probe.add_parser("card")
    q.add_argument("--reader", help="(part of) the PC/SC reader name; default: the first reader")
    q.add_argument("--json", action="store_true")
    q.add_argument("--wait", type=float, default=10)
    q.add_argument("--security", choices=("none", "demo"), default="none",
                   help="security module for 3rd-generation cards (demo: the simulated issuer's keys)")
    q.set_defaults(run=probe_card)
    q = probe.add_parser("printer")
    q.add_argument("--device", required=True, help="net:HOST:PORT | usb:VID:PID | serial:DEV[:BAUD] | file:PATH")
    q.add_argument("--test-receipt", action="store_true")
    q.set_defaults(run=probe_printer)
    q = probe.add_parser("camera")
    q.add_argument("--device", default="/dev/video0",
                   help="/dev/videoN, sim (the simulated camera), or a video file (tests and demos)")
    q.add_argument("--resolution", default="640x480")
    q.add_argument("--json", action="store_true")
    q.set_defaults(run=probe_camera)

    simulate = sub.add_parser("simulate").add_subparsers(dest="device", required=True)
    q = simulate.add_parser("idreader")
    q.add_argument("--card", help="a scripted card (resident, foreign_2017, foreign_2023, hk_mo_tw, expired) "
                                  "or a demo citizen")
    q.add_argument("--fault", action="append", choices=sorted(FAULTS), help="queue a fault (repeatable)")
    q.add_argument("--without", action="append", choices=sorted(OPTIONAL_READS),
                   help="a reader model without this optional command: it answers SW3 0x21 (repeatable)")
    q.set_defaults(run=simulate_idreader)
    q = simulate.add_parser("printer")
    q.add_argument("--out", default="var/sim-receipts")
    q.add_argument("--paper", default="ok", choices=("ok", "low", "out"))
    q.set_defaults(run=simulate_printer)
    q = simulate.add_parser("issuer")
    q.add_argument("--hopper", type=int, default=50)
    q.add_argument("--timing", type=float, default=1.0, help="scale of the module's mechanical times (0: instant)")
    from kiosk.hw.cardissuer.simulator import FAULTS as ISSUER_FAULTS
    q.add_argument("--fault", action="append", choices=sorted(ISSUER_FAULTS))
    q.set_defaults(run=simulate_issuer)
    q = simulate.add_parser("card")
    q.add_argument("--demo", default="gen2", help="demo card (gen2: 2nd generation, PIN 123456, 6 tries)")
    q.add_argument("--vpcd", help="HOST:PORT of vpcd (default 127.0.0.1:35963)")
    q.add_argument("--state", help="file keeping the card's state between runs")
    q.set_defaults(run=simulate_card)

    from provisioning.facecheck import add_parser as add_facecheck
    add_facecheck(sub)

    q = sub.add_parser("selftest")
    q.add_argument("--config")
    q.set_defaults(run=selftest)
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except Exception as exc:     # a technician gets the reason, not a traceback
        message = getattr(exc, "detail", None) or str(exc)
        return _fail(f"error: {type(exc).__name__}: {message}", 1)


if __name__ == "__main__":
    sys.exit(main())
