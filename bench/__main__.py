"""Measures each real path of the walking skeleton and sets it beside the physical limit where there is
one: a serial line's wire time at its baud rate, a smart card's T=0 byte time at the default 9600 bit/s.
The pty and vpcd links have no baud rate of their own, so their times are our software's overhead."""
from __future__ import annotations

import statistics
import tempfile
import threading
import time

from kiosk import demo

RUNS = 30


def timed(fn, runs=RUNS) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def row(name, samples, limit_ms=None, note=""):
    median = statistics.median(samples)
    p95 = sorted(samples)[int(len(samples) * 0.95) - 1]
    limit = f"{limit_ms:8.1f}" if limit_ms is not None else "       -"
    ratio = f"{median / limit_ms:6.2f}x" if limit_ms else "       "
    print(f"{name:<44} {median:8.2f} {p95:8.2f} {limit} {ratio}  {note}")


def header(title):
    print(f"\n{title}\n{'path':<44} {'median':>8} {'p95':>8} {'limit':>8} {'ratio':>7}  (ms)")


def wire_ms(nbytes: int, baud: int, bits_per_byte: int = 10) -> float:
    return nbytes * bits_per_byte / baud * 1000


def bench_idreader():
    from kiosk.hw.idreader.codec import Command, encode_request, encode_response
    from kiosk.hw.idreader.driver import IdReader
    from kiosk.hw.idreader.simulator import IdReaderSimulator
    baud = 115200
    sim = IdReaderSimulator(baud=baud)       # the simulator streams its answers at the line rate
    sim.place(demo.by_key("normal").id_card())
    reader = IdReader(sim.port)
    request = len(encode_request(Command.FIND_CARD))
    find = request + len(encode_response(0x9F, b"\0" * 4))
    select = request + len(encode_response(0x90, b"\0" * 8))
    read = request + 1295

    def full_read():
        assert reader.card_present()
        reader.read_card()
    header(f"GA 467 ID reader over a pseudo-terminal at {baud} baud (driver + codec + simulator)")
    row("find card", timed(reader.card_present), wire_ms(find, baud), f"{find} bytes on the wire")
    row("select + read text and photo", timed(reader.read_card), wire_ms(select + read, baud),
        f"{select + read} bytes")
    row("find + select + read (one ID card read)", timed(full_read), wire_ms(find + select + read, baud),
        f"{find + select + read} bytes; limit = bytes x 10 / baud")
    row("same, answers in 64-byte pieces with pauses",
        timed(lambda: (sim.inject("split_answer"), sim.inject("split_answer"), sim.inject("split_answer"),
                       full_read()), runs=10), wire_ms(find + select + read, baud))
    reader.close()
    sim.close()


def bench_card(vpcd: bool):
    from kiosk.hw.cardreader.readers import InProcessReader, PcscReader
    from kiosk.hw.cardreader.ssse import SocialSecurityCard
    from kiosk.hw.cardreader.virtualcard import VirtualCard
    card = VirtualCard(demo.by_key("normal").card_profile())
    slot = InProcessReader()
    slot.insert(card)
    app = SocialSecurityCard(slot.wait_for_card(1))
    before = card.apdus_seen
    app.read_info()
    apdus = card.apdus_seen - before
    # T=0 at 9600 bit/s (F=372, D=1 at 3.57 MHz), 12 etu per byte: header 5 + data + SW 2, ~ 32 B per read
    limit = wire_ms(apdus * 32, 9600, 12)
    header(f"Social security card: read EF05+EF06 ({apdus} APDUs incl. GET RESPONSE)")
    row("in process (card model only)", timed(app.read_info), limit, "limit = T=0 bytes at 9600 bit/s")
    if vpcd:
        from kiosk.hw.cardreader.vpcd import VpcdBridge
        bridge = VpcdBridge()
        bridge.insert(VirtualCard(demo.by_key("normal").card_profile()))
        connection = PcscReader("Virtual PCD 00 00").wait_for_card(5)
        pcsc_app = SocialSecurityCard(connection)
        row("pyscard → pcscd → vpcd → card model", timed(pcsc_app.read_info, runs=10), limit,
            "two loopback sockets per APDU; a real card at 9600 bit/s is the limit")
        bridge.remove()


def bench_printer():
    from kiosk.hw.printer import builder
    from kiosk.hw.printer.driver import ReceiptPrinter
    from kiosk.hw.printer.simulator import PrinterSimulator
    from kiosk import receipts
    import datetime as dt
    receipt = receipts.status_receipt(kiosk_id="SIM-0001", txn="SIM-0001-20261122110000-ABCDEF",
                                      when=dt.datetime.now(), name="刘䶮", id_number=demo.by_key("no_card").id_number,
                                      card_number=None, state_label="未申领", advice="参保人员可申领。")
    data = builder.build(receipt)
    with tempfile.TemporaryDirectory() as out:
        sim = PrinterSimulator(out_dir=None)
        printer = ReceiptPrinter(sim.transport)
        header(f"Receipt ({len(data)} bytes of ESC/POS, QR and one rare-character line as raster)")
        row("build bytes (python-escpos + GBK + raster)", timed(lambda: builder.build(receipt)))
        row("status query over TCP (DLE EOT 1 + 4)", timed(printer.status))
        row("print to the TCP simulator", timed(lambda: printer.print_receipt(receipt), runs=10),
            wire_ms(len(data), 115200), "limit = same bytes on a 115200-baud serial printer")
        print(f"{'  (on a 9600-baud serial printer the bytes alone take':<44} {wire_ms(len(data), 9600):8.0f} ms)")
        sim.close()


def bench_service():
    from kiosk.backend.client import ServiceClient
    from kiosk.backend.server import ServiceThread
    from kiosk.policy import profile
    with tempfile.TemporaryDirectory() as tmp:
        svc = ServiceThread(f"{tmp}/s.db", profile("shaanxi")).start()
        client = ServiceClient(svc.url, "BENCH")
        number = demo.by_key("temp_lost").id_number
        header("Card-management service over loopback HTTP (requests → uvicorn → SQLite WAL)")
        row("GET card-status", timed(lambda: client.card_status(number), runs=100))
        row("POST pin-event (new idempotency key)",
            timed(lambda: client.pin_event("A00000001", "wrong_pin", 5), runs=50))
        client.close()
        svc.stop()


def main():
    vpcd = False
    try:
        from smartcard.System import readers
        vpcd = any("Virtual PCD" in str(r) for r in readers())
    except Exception:
        pass
    bench_idreader()
    bench_card(vpcd)
    bench_printer()
    bench_service()


if __name__ == "__main__":
    main()
