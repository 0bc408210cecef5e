"""Measures each real path of the walking skeleton and sets it beside the physical limit where there is
one: a serial line's wire time at its baud rate, a smart card's T=0 byte time at the default 9600 bit/s.
The pty and vpcd links have no baud rate of their own, so their times are our software's overhead."""
from __future__ import annotations

import os
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
    print(f"{name:<62} {median:8.2f} {p95:8.2f} {limit} {ratio}  {note}")


def header(title):
    print(f"\n{title}\n{'path':<62} {'median':>8} {'p95':>8} {'limit':>8} {'ratio':>7}  (ms)")


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
    from kiosk.hw.cardreader.inprocess import InProcessReader
    from kiosk.hw.cardreader.readers import PcscReader
    from kiosk.hw.cardreader.ssse import SocialSecurityCard
    from kiosk.hw.cardreader.virtualcard import personalise
    from kiosk.hw.cardreader.vpcd import VpcdBridge
    from kiosk.pin import PinBuffer
    from kiosk.security.module import SoftSecurityModule, demo_masters
    issuer = SoftSecurityModule(demo_masters())

    pin = PinBuffer.typed

    def services(app, card):
        state = {"pin": card_pin[card.holder]}

        def change():
            new = "802468" if state["pin"] != "802468" else "135791"
            app.select()
            app.verify_pin(pin(state["pin"]))
            app.change_pin(pin(state["pin"]), pin(new))
            state["pin"] = new
        return {"read card (EF05 + EF06)": app.read_info, "change PIN (VERIFY + CHANGE)": change,
                "reset PIN (RELOAD, MAC)": lambda: app.reload_pin(pin("802468")),
                "unlock (UNBLOCK, encrypted PIN + MAC)": lambda: app.unblock_pin(pin("802468"))}

    card_pin = {"周建华": "123456", "王小明": "135790"}
    for key, label in (("gen2", "2nd generation, 3DES"), ("normal", "3rd generation, SM4, authenticated")):
        header(f"Social security card services, {label}: APDUs incl. GET RESPONSE")
        paths = [("in process", None)] + ([("pcscd + vpcd", "pcsc")] if vpcd else [])
        for path_name, kind in paths:
            card = personalise(demo.by_key(key).card_profile(), issuer)
            if kind:
                bridge, reader = VpcdBridge(), PcscReader("Virtual PCD 00 00")
                bridge.insert(card)
                connection = reader.wait_for_card(5)
            else:
                slot = InProcessReader()
                slot.insert(card)
                connection = slot.wait_for_card(1)
            app = SocialSecurityCard(connection, issuer)
            for name, fn in services(app, card).items():
                before = card.apdus_seen
                fn()
                apdus = card.apdus_seen - before
                # T=0 at 9600 bit/s, 12 etu per byte, ~32 bytes per exchange: the card's own wire time
                row(f"{path_name}: {name} [{apdus} APDUs]", timed(fn, runs=10 if kind else 30),
                    wire_ms(apdus * 32, 9600, 12))
            if kind:
                connection.disconnect()
                bridge.remove()
                reader.monitor.wait(lambda m: not m.present, 5)
                reader.close()
    print("  limit = ~32 bytes per APDU at T=0 9600 bit/s (12 etu per byte); real cards add their own "
          "processing time, which the model does not")


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
        header(f"Status receipt ({len(data)} bytes of ESC/POS, the QR code as a raster image)")
        row("build bytes (python-escpos + GBK + raster)", timed(lambda: builder.build(receipt)))
        row("status query over TCP (DLE EOT 1 + 4)", timed(printer.status))
        row("print to the TCP simulator", timed(lambda: printer.print_receipt(receipt), runs=10),
            wire_ms(len(data), 115200), "limit = same bytes on a 115200-baud serial printer")
        print(f"  (on a 9600-baud serial printer the bytes alone take {wire_ms(len(data), 9600):.0f} ms)")
        sim.close()


def bench_issuance():
    import threading
    from kiosk.config import Config
    from kiosk.flows.issuance import IssuanceFlow
    from kiosk.hw.cardissuer.faceprinter import SimulatedFacePrinter
    from kiosk.hw.cardissuer.simulator import MECHANICS
    from kiosk.runtime import Kiosk
    with tempfile.TemporaryDirectory() as state:
        kiosk = Kiosk(Config(state_dir=state, issuer_timing=1.0))
        try:
            face = SimulatedFacePrinter(f"{state}/faces", print_seconds=SimulatedFacePrinter.REAL_PRINT_S)
            kiosk.devices.faceprinter = face
            person = demo.by_key("no_card")
            application = kiosk.devices.service.apply(person.id_number, "new", photo=True)
            sim = kiosk.hands.issuer_sim

            def citizen():                      # a citizen who takes the card 2 s after it appears
                while sim.position != "gate":
                    time.sleep(0.02)
                time.sleep(2.0)
                sim.take_card()
            threading.Thread(target=citizen, daemon=True).start()
            start = time.perf_counter()
            outcome = IssuanceFlow(kiosk.devices, application["id"], person.name, person.id_number).run(60)
            total = time.perf_counter() - start
            assert outcome.taken
        finally:
            kiosk.close()
    devices_s = MECHANICS["dispense"] + MECHANICS["move"] + face.REAL_PRINT_S + 2.0
    print("\nFull simulated issuance (dispense → chip → read back → face → gate → taken), realistic delays")
    print(f"  device time: dispense {MECHANICS['dispense']} s + move to gate {MECHANICS['move']} s "
          f"(CRT-591 planning values) + face print {face.REAL_PRINT_S} s (Evolis Primacy 2, 225 cards/h) + "
          f"citizen takes the card after 2.0 s = {devices_s:.1f} s")
    print(f"  measured end to end: {total:.2f} s; the software's own share: {total - devices_s:.2f} s "
          f"({(total - devices_s) / total * 100:.0f} %) — service calls, chip writes and read-back, face rendering")


def bench_sm2():
    import re
    import subprocess
    from kiosk.security import sm2
    message = b"GET\n/v1/cards/A00000001\n1763800000\n0123456789abcdef0123456789abcdef\n" + b"0" * 64
    header("SM2 with SM3 (one signature over a request's canonical text): both engines beside OpenSSL's own speed")
    try:
        out = subprocess.run(["openssl", "speed", "-seconds", "2", "sm2"], capture_output=True, text=True,
                             timeout=60).stdout
        sign_s, verify_s = (float(v) * 1000 for v in
                            re.search(r"SM2 \(CurveSM2\)\s+([\d.]+)s\s+([\d.]+)s", out).groups())
    except (OSError, AttributeError, subprocess.TimeoutExpired):
        sign_s = verify_s = None
        print("  (openssl speed sm2 not available here: no limit column)")
    for engine in (sm2.OPENSSL, sm2.GMSSL):
        try:
            with sm2.using(engine):
                key = sm2.PrivateKey.generate()
                signature = key.sign(message)
                runs = 300 if engine == sm2.OPENSSL else 40
                row(f"sign, {engine}", timed(lambda: key.sign(message), runs=runs), sign_s,
                    "limit = openssl speed sm2, same machine")
                row(f"verify, {engine}", timed(lambda: key.public.verify(message, signature), runs=runs), verify_s)
        except RuntimeError as exc:
            print(f"  {engine}: {exc}")
    print(f"  in use here: {sm2.backend()}")


def bench_service():
    """Signed requests/s of the reference service: one process pinned to one core with each SM2 engine, then
    two worker processes on both cores, in the same run; and where a request's server CPU goes."""
    from kiosk.security import sm2
    header("Card-management service over loopback HTTP (requests → uvicorn → SQLite WAL), signed both ways")
    rates = {}
    for engine, workers, count in ((sm2.GMSSL, 1, 200), (sm2.OPENSSL, 1, 1500), (sm2.OPENSSL, 2, 2000)):
        try:
            with sm2.using(engine):
                rates[(engine, workers)] = _service_throughput(engine, count, workers)
        except RuntimeError as exc:
            print(f"  {engine}: {exc}")
    if (sm2.GMSSL, 1) in rates and (sm2.OPENSSL, 1) in rates:
        print(f"  one core: OpenSSL engine / gmssl engine = "
              f"{rates[(sm2.OPENSSL, 1)] / rates[(sm2.GMSSL, 1)]:.1f}x signed requests/s")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (the workers), from /proc."""
    total, pids = 0.0, [pid]
    while pids:
        p = pids.pop()
        try:
            fields = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            for task in os.listdir(f"/proc/{p}/task"):
                pids += [int(c) for c in open(f"/proc/{p}/task/{task}/children").read().split()]
        except (OSError, ValueError):
            continue
    return total


def wait_until_up(url: str, workers: int) -> None:
    """The service answers, and with several workers each has had a moment to start its app."""
    import requests
    for _ in range(200):
        try:
            requests.get(url + "/v1/health", timeout=5)
            break
        except requests.ConnectionError:
            time.sleep(0.05)
    time.sleep(1.0 if workers > 1 else 0)


def _service_throughput(engine: str, requests: int, workers: int = 1) -> float:
    import shutil
    import socket
    import subprocess
    import sys
    from concurrent.futures import ThreadPoolExecutor

    import requests as http

    from kiosk.backend.client import ServiceClient
    from kiosk.security import signing
    from kiosk.security.sm2 import PrivateKey
    with tempfile.TemporaryDirectory() as tmp:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        pin = ["taskset", "-c", "0"] if shutil.which("taskset") and workers == 1 else []
        server = subprocess.Popen(pin + [sys.executable, "-m", "kiosk.backend", "--db", f"{tmp}/s.db", "--port",
                                         str(port), "--enrolment-code", "bench-code-1", "--workers", str(workers)],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                  env={**os.environ, "KIOSK_SM2": engine})
        try:
            server.stdout.readline()
            url = f"http://127.0.0.1:{port}"
            wait_until_up(url, workers)
            key = PrivateKey.generate()
            client = ServiceClient(url, "BENCH", key=key)
            client.enrol("bench-code-1")
            number = demo.by_key("temp_lost").id_number
            where = "one core (taskset -c 0)" if pin else f"{workers} workers, both cores, the load generator beside them"
            if workers == 1:
                row(f"GET card-status, one kiosk, sign + verify included [{engine}]",
                    timed(lambda: client.card_status(number), runs=30))
                row(f"POST pin-event, one kiosk [{engine}]",
                    timed(lambda: client.pin_event("A00000001", "wrong_pin", 5), runs=20))
            target = f"/v1/persons/{number}/card-status"
            signed = [signing.sign_request(key, "BENCH", "GET", target, b"") for _ in range(requests)]
            sessions = [http.Session() for _ in range(8)]
            cpu_before = _cpu_seconds(server.pid)
            start = time.perf_counter()
            with ThreadPoolExecutor(8) as pool:
                codes = list(pool.map(lambda i: sessions[i % 8].get(url + target, headers=signed[i], timeout=30)
                                      .status_code, range(len(signed))))
            elapsed = time.perf_counter() - start
            cpu = _cpu_seconds(server.pid) - cpu_before
            assert codes.count(200) == len(codes), set(codes)
            rate = len(signed) / elapsed
            print(f"  throughput [{engine}], {where}: {rate:.0f} signed requests/s; server CPU "
                  f"{cpu / len(signed) * 1000:.2f} ms a request" + (f" ({rate / workers:.0f}/s a worker)" if workers > 1 else ""))
            if engine == "openssl" and workers == 1:
                _name_the_bottleneck(cpu / len(signed) * 1000)
            client.close()
            return rate
        finally:
            server.terminate()
            server.wait(timeout=20)


def _name_the_bottleneck(request_cpu_ms: float) -> None:
    """A request's server CPU split: SM2 (check the kiosk's signature, sign the answer) against the rest."""
    from kiosk.security import sm2
    key = sm2.PrivateKey.generate()
    message = b"GET\n/v1/persons/x/card-status\n1763800000\n" + b"0" * 96
    signature = key.sign(message)
    sign_ms = statistics.median(timed(lambda: key.sign(message), runs=300))
    verify_ms = statistics.median(timed(lambda: key.public.verify(message, signature), runs=300))
    share = (sign_ms + verify_ms) / request_cpu_ms
    print(f"  where a request's {request_cpu_ms:.2f} ms of server CPU goes: SM2 {sign_ms + verify_ms:.2f} ms "
          f"({share:.0%}: one check, one signature); the other {1 - share:.0%} is HTTP parsing, FastAPI/pydantic "
          f"and SQLite (the nonce insert, the lookups) in Python: the bottleneck now")


VOICE_PROMPTS = ["请将身份证放在读卡区", "请插入社保卡", "请输入六位密码", "请再次输入新密码", "请取走您的社保卡",
                 "正在办理，请稍候", "请取走凭条", "密码错误，还可以输入3次。", "请在90秒内取走您的卡", "谢谢使用，再见"]


def bench_voice():
    from kiosk.voice import DEFAULT_RATE, DEFAULT_VOICE, EspeakNg, RecordingPlayer, Voice, VoiceCache, wav_seconds
    engine = EspeakNg()
    engine.version                                  # the one `espeak-ng --version` call, outside the timing
    cold, hit, spoken = [], [], []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as tmp:
            cache = VoiceCache(tmp, engine)
            for text in VOICE_PROMPTS:
                cold += timed(lambda: cache.get(text), runs=1)
                spoken.append(wav_seconds(cache.path_for(text)) * 1000)
            for text in VOICE_PROMPTS:
                hit += timed(lambda: cache.get(text), runs=3)
    header(f"Voice prompts: espeak-ng {DEFAULT_VOICE} at {DEFAULT_RATE} words/min, {len(VOICE_PROMPTS)} kiosk prompts")
    row("synthesize one prompt to WAV (cold: an espeak-ng process)", cold, None,
        f"spoken: {min(spoken) / 1000:.1f}-{max(spoken) / 1000:.1f} s, median {statistics.median(spoken) / 1000:.1f} s")
    row("cache hit (sha256 name + WAV header check)", hit)
    with tempfile.TemporaryDirectory() as tmp:
        player = RecordingPlayer()
        with Voice(tmp, player) as voice:
            def say_until_playing(text):
                count = len(player.played)
                start = time.perf_counter()
                voice.say(text)
                player.wait_for(lambda p: len(p.played) > count)
                elapsed = (time.perf_counter() - start) * 1000
                voice.wait_idle()
                return elapsed
            first = [say_until_playing(t) for t in VOICE_PROMPTS]
            again = [say_until_playing(t) for t in VOICE_PROMPTS * 3]
    row("say() until the player starts, first time (synthesis)", first)
    row("say() until the player starts, cached", again)


def bench_faces():
    from bench import faces
    faces.main()


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
    bench_issuance()
    bench_sm2()
    bench_service()
    from bench import store_scale
    store_scale.main()
    bench_voice()
    bench_faces()
    from bench import fleet
    fleet.main()


if __name__ == "__main__":
    main()
