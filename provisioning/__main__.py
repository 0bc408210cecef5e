"""``python -m provisioning COMMAND`` (or ``sbk-provision``): tools for field technicians.

  detect                      list serial ports (and which answer as a GA 467 reader), PC/SC readers, USB printers
  probe-idreader PORT         SAM status and id, then wait for an ID card and show it masked
  probe-cardreader NAME       wait for a social security card and show its basic data masked
  probe-printer TRANSPORT     printer status; --test-page prints a short page
  simulate                    run the ID reader and printer simulators for a kiosk in another process
  selftest [--config FILE]    every device and the service of a config, as a table; exit 1 if any is down
"""
from __future__ import annotations

import argparse
import glob
import sys
import threading
import time

from kiosk import masking


def _table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))


def _show_status(status) -> bool:
    media = "  ".join(f"{k}: {v}" for k, v in status.media.items())
    print(f"status: {status.state.value}  {media}  {status.detail} {status.vendor_code}".rstrip())
    return status.usable


def _wait(reader, seconds: float, what: str):
    print(f"{what} within {seconds:g} s …")
    started = time.monotonic()
    found = reader.wait_for_card(seconds)
    if found is None:
        print("no card")
    else:
        print(f"found after {time.monotonic() - started:.2f} s")
    return found


def detect(_args) -> int:
    from serial.tools import list_ports
    from kiosk.hw.base import DeviceState
    from kiosk.hw.idreader.driver import IdReader
    rows = [("kind", "where", "what")]
    for port in list_ports.comports():
        reader = IdReader(port.device)
        status = reader.status()
        reader.close()
        what = "GA 467 ID reader" if status.state is DeviceState.ONLINE else f"serial port ({port.description})"
        rows.append(("serial", port.device, what))
    try:
        from smartcard.System import readers
        rows += [("pc/sc", str(r), "smart card reader") for r in readers()]
    except Exception as exc:
        rows.append(("pc/sc", "-", f"pcscd not reachable: {exc}"))
    rows += [("printer", path, "usblp printer node (use file:PATH)") for path in sorted(glob.glob("/dev/usb/lp*"))]
    _table(rows)
    return 0


def probe_idreader(args) -> int:
    from kiosk.hw.idreader.driver import IdReader
    reader = IdReader(args.port)
    if not _show_status(reader.status()):
        return 1
    print(f"SAM id: {reader.sam_id()}")
    card = _wait(reader, args.wait, "place an ID card")
    if card is None:
        return 1
    print(f"{masking.name(card.name)} {masking.id_number(card.id_number)} valid to {card.valid_to or '长期'}")
    return 0


def probe_cardreader(args) -> int:
    from kiosk.hw.cardreader.readers import PcscReader
    from kiosk.hw.cardreader.ssse import SocialSecurityCard
    reader = PcscReader(args.name)
    if not _show_status(reader.status()):
        return 1
    connection = _wait(reader, args.wait, "insert a social security card")
    if connection is None:
        return 1
    info = SocialSecurityCard(connection).read_info()
    print(f"ATR {info.atr.hex().upper()}  spec {info.spec_version}  algorithm {info.algorithm}  "
          f"region {info.region_code}")
    print(f"card {masking.card_number(info.card_number)}  {masking.name(info.name)}  "
          f"{masking.id_number(info.ssn)}  expires {info.expiry_date}")
    return 0


def probe_printer(args) -> int:
    from kiosk.hw.printer.driver import ReceiptPrinter
    from kiosk.hw.printer.receipt import Receipt
    printer = ReceiptPrinter(args.transport)
    usable = _show_status(printer.status())
    if args.test_page:
        printer.print_receipt(Receipt(qr="TEST").add("打印测试 Print test", align="center", large=True)
                              .add("中文、标点，￥20.00 与 生僻字 䶮"))
        print("test page sent")
    return 0 if usable else 1


def simulate(args) -> int:
    from kiosk import demo
    from kiosk.hw.idreader.simulator import IdReaderSimulator
    from kiosk.hw.printer.simulator import PrinterSimulator
    idsim = IdReaderSimulator()
    printer = PrinterSimulator(out_dir=args.receipts)
    if args.id_card:
        idsim.place(demo.by_key(args.id_card).id_card())
    print(f"ID reader simulator: [idreader] port = \"{idsim.port}\"")
    print(f"printer simulator:   [printer] transport = \"{printer.transport}\" (receipts in {args.receipts})")
    bridge = None
    if args.card:
        from kiosk.hw.cardreader.virtualcard import VirtualCard
        from kiosk.hw.cardreader.vpcd import VpcdBridge
        bridge = VpcdBridge()
        bridge.insert(VirtualCard(demo.by_key(args.card).card_profile()))
        print("virtual card in reader \"Virtual PCD 00 00\"")
    print("Ctrl+C to stop")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        if bridge:
            bridge.remove()
        idsim.close()
        printer.close()
    return 0


def selftest(args) -> int:
    from kiosk.config import ConfigError, load
    from kiosk.runtime import Kiosk
    try:
        config = load(args.config)
    except ConfigError as exc:
        print(f"configuration error: {exc}")
        return 2
    kiosk = Kiosk(config)
    try:
        rows = [("device", "state", "media", "detail")]
        ok = True
        for name in ("idreader", "cardreader", "printer", "service"):
            status = kiosk.devices.status(name)
            ok &= status.usable
            rows.append((name, status.state.value, ",".join(f"{k}={v}" for k, v in status.media.items()),
                         status.detail))
        _table(rows)
    finally:
        kiosk.close()
    return 0 if ok else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="sbk-provision", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("detect").set_defaults(run=detect)
    p = sub.add_parser("probe-idreader")
    p.add_argument("port")
    p.add_argument("--wait", type=float, default=20)
    p.set_defaults(run=probe_idreader)
    p = sub.add_parser("probe-cardreader")
    p.add_argument("name")
    p.add_argument("--wait", type=float, default=20)
    p.set_defaults(run=probe_cardreader)
    p = sub.add_parser("probe-printer")
    p.add_argument("transport")
    p.add_argument("--test-page", action="store_true")
    p.set_defaults(run=probe_printer)
    p = sub.add_parser("simulate")
    p.add_argument("--id-card", help="demo citizen whose ID card is on the reader")
    p.add_argument("--card", help="demo citizen whose card is in the vpcd reader (needs pcscd)")
    p.add_argument("--receipts", default="var/sim-receipts")
    p.set_defaults(run=simulate)
    p = sub.add_parser("selftest")
    p.add_argument("--config")
    p.set_defaults(run=selftest)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except Exception as exc:     # a technician gets the reason, not a traceback
        message = getattr(exc, "detail", None) or str(exc)
        print(f"error: {type(exc).__name__}: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
