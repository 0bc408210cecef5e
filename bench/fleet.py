"""A province's fleet against one service: N simulated kiosks (default 2,000), each enrolled with its own SM2
key, sending heartbeats and citizens' transactions — card status, PIN events, temporary loss reports and their
release, applications with the fee paid — at an open-loop rate for a bounded time, through the real client
(every request signed, every answer checked). Run against the single-process service and against N worker
processes on the same database file, in the same run.

    python -m bench.fleet [--kiosks 2000] [--seconds 60] [--workers 2] [--persons 50000]

Prints throughput, p50/p99 latency by route, errors, and the share of the service's CPU spent in SM2.
The load generator shares this 2-core machine with the service: its own signing and checking (one SM2
signature and one check a request) is CPU the service does not get, so the figures are a floor.
"""
from __future__ import annotations

import argparse
import collections
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bench.__main__ import _cpu_seconds, wait_until_up
from bench.store_scale import card_of, person_id, seed
from kiosk.backend.client import ServiceClient, ServiceError, ServiceRefused
from kiosk.backend.store import Store
from kiosk.security import sm2

HEARTBEAT_S = 30.0        # a kiosk's heartbeat (compressed from the product's 60 s so a short run sees many)
VISIT_EVERY_S = 120.0     # a kiosk serves a citizen about every two minutes at peak (compressed)


class Fleet:
    def __init__(self, url: str, db: str, kiosks: int, persons: int, seed_: int = 11):
        self.url, self.db = url, db
        self.rng = random.Random(seed_)
        self.persons = persons
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = collections.defaultdict(list)
        self.errors: collections.Counter = collections.Counter()
        self.next_person = iter(range(persons))
        store = Store(db)
        try:
            codes = [store.add_enrolment_code(f"fleet-{n:05d}-{os.urandom(4).hex()}", _hours(2)) for n in range(kiosks)]
        finally:
            store.close()
        self.kiosks = [ServiceClient(url, f"K{n:05d}", key=sm2.PrivateKey.generate(), retries=0) for n in range(kiosks)]
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda pair: pair[0].enrol(pair[1]), zip(self.kiosks, codes)))

    def timed(self, route: str, call) -> object | None:
        began = time.perf_counter()
        try:
            result = call()
        except ServiceRefused as refused:          # a rule's answer: counted apart, not an error of the service
            result = None
            with self.lock:
                self.errors[f"{route}: refused {refused.code}"] += 1
        except (ServiceError, OSError) as exc:
            with self.lock:
                self.errors[f"{route}: {type(exc).__name__}"] += 1
            return None
        with self.lock:
            self.latency[route].append((time.perf_counter() - began) * 1000)
        return result

    # -- what a kiosk sends -----------------------------------------------------------------------------
    def heartbeat(self, kiosk: ServiceClient) -> None:
        self.timed("heartbeat", lambda: kiosk.heartbeat([{"device": "idreader", "state": "online"},
                                                         {"device": "cardissuer", "state": "online"}],
                                                        counters={"dispensed": 3, "loaded": 180}))

    def visit(self, kiosk: ServiceClient) -> None:
        """One citizen: the card status first, then what they came for."""
        with self.lock:
            n = self.rng.randrange(self.persons)
            roll = self.rng.random()
        id_number, card = person_id(n), card_of(n)
        self.timed("card-status", lambda: kiosk.card_status(id_number))
        if roll < 0.4:
            self.timed("pin-event", lambda: kiosk.pin_event(card, "changed"))
        elif roll < 0.6:
            if self.timed("loss-report", lambda: kiosk.report_loss(card, "temporary", id_verified=True)) is not None:
                self.timed("release", lambda: kiosk.release(card, id_verified=True))
        elif roll < 0.8:
            with self.lock:
                fresh = next(self.next_person, None)
            if fresh is None:
                return
            applied = self.timed("application", lambda: kiosk.apply(person_id(fresh), "replacement",
                                                                    reason="damaged"))
            order = (applied or {}).get("fee_order") or {}
            if order.get("id"):
                self.timed("pay", lambda: kiosk.pay(order["id"]))

    def run(self, seconds: float, threads: int = 48) -> float:
        """Open loop: each kiosk's heartbeats and visits fall due on their own clocks; returns the elapsed s."""
        due: list[tuple[float, int, str]] = []
        start = time.monotonic()
        for i in range(len(self.kiosks)):
            due.append((start + self.rng.uniform(0, HEARTBEAT_S), i, "heartbeat"))
            due.append((start + self.rng.expovariate(1 / VISIT_EVERY_S), i, "visit"))
        due.sort()
        busy = [False] * len(self.kiosks)          # one request at a time per kiosk, as a kiosk does
        end = start + seconds
        with ThreadPoolExecutor(threads) as pool:
            import heapq
            heapq.heapify(due)
            while due and due[0][0] < end:
                at, i, what = heapq.heappop(due)
                wait = at - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                if busy[i]:                         # still serving: try again a moment later
                    heapq.heappush(due, (at + 0.5, i, what))
                    continue
                busy[i] = True

                def job(i=i, what=what):
                    try:
                        (self.heartbeat if what == "heartbeat" else self.visit)(self.kiosks[i])
                    finally:
                        busy[i] = False
                pool.submit(job)
                nxt = at + (HEARTBEAT_S if what == "heartbeat" else self.rng.expovariate(1 / VISIT_EVERY_S))
                heapq.heappush(due, (nxt, i, what))
        return time.monotonic() - start

    def close(self):
        for kiosk in self.kiosks:
            kiosk.close()


def _hours(h: float):
    import datetime as dt
    return dt.timedelta(hours=h)


def _start(db: str, workers: int) -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "kiosk.backend", "--db", db, "--port", str(port),
                                "--no-seed", "--workers", str(workers)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = re.search(r"(http://[\d.]+:\d+)", process.stdout.readline()).group(1)
    wait_until_up(url, workers)
    return process, url


def one_setup(label: str, workers: int, kiosks: int, seconds: float, persons: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = f"{tmp}/fleet.db"
        store = Store(db)
        seed(store, persons)
        store.close()
        process, url = _start(db, workers)
        try:
            began = time.perf_counter()
            fleet = Fleet(url, db, kiosks, persons)
            enrolled = time.perf_counter() - began
            cpu_before = _cpu_seconds(process.pid)
            elapsed = fleet.run(seconds)
            cpu = _cpu_seconds(process.pid) - cpu_before
            fleet.close()
        finally:
            process.terminate()
            process.wait(timeout=30)
    total = sum(len(v) for v in fleet.latency.values())
    failures = sum(v for k, v in fleet.errors.items() if ": refused" not in k)
    refusals = sum(v for k, v in fleet.errors.items() if ": refused" in k)
    print(f"\n{label}: {kiosks:,} kiosks enrolled in {enrolled:.0f} s; {elapsed:.0f} s of load: "
          f"{total / elapsed:.0f} requests/s answered, {failures} errors, {refusals} refusals by the rules")
    print(f"{'route':<16} {'count':>7} {'per s':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for route, samples in sorted(fleet.latency.items()):
        ordered = sorted(samples)
        print(f"{route:<16} {len(samples):>7} {len(samples) / elapsed:>7.1f} {statistics.median(samples):>8.1f} "
              f"{ordered[max(0, int(len(ordered) * 0.99) - 1)]:>8.1f}")
    for what, n in sorted(fleet.errors.items()):
        print(f"  {what}: {n}")
    key = sm2.PrivateKey.generate()
    message = b"GET\n/v1/persons/x/card-status\n1763800000\n" + b"0" * 96
    signature = key.sign(message)
    runs = 200
    began = time.perf_counter()
    for _ in range(runs):
        key.sign(message)
        key.public.verify(message, signature)
    sm2_ms = (time.perf_counter() - began) / runs * 1000
    share = total * sm2_ms / 1000 / cpu if cpu else 0
    print(f"  service CPU {cpu:.1f} s for {total} requests ({cpu / max(total, 1) * 1000:.2f} ms each); SM2 "
          f"({sm2.backend()}, one check + one signature = {sm2_ms:.2f} ms a request) is {share:.0%} of it")


def main(kiosks: int = 2000, seconds: float = 60, workers: int = 2, persons: int = 50_000) -> None:
    print(f"Fleet load test: {kiosks:,} kiosks, heartbeat every {HEARTBEAT_S:.0f} s, a citizen every "
          f"~{VISIT_EVERY_S:.0f} s per kiosk, {persons:,} persons (SQLite WAL; SM2 on {sm2.backend()})")
    one_setup("single process", 1, kiosks, seconds, persons)
    one_setup(f"{workers} worker processes, one database", workers, kiosks, seconds, persons)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--kiosks", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--persons", type=int, default=50_000)
    args = parser.parse_args()
    main(args.kiosks, args.seconds, args.workers, args.persons)
