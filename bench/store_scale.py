"""The service's store at a province's scale: 100,000 persons, their cards, applications with fee orders and a
year of card events, on SQLite; the lookups a kiosk request makes, timed with the indexes and again with them
dropped (the schema as shipped before them), in the same run.

    python -m bench.store_scale [--persons N]     (also run by python -m bench, with 100,000)
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sqlite3
import tempfile
import time

from bench.__main__ import header, row, timed
from kiosk import idnumber
from kiosk.backend.migrations import INDEXES
from kiosk.backend.store import Store


def person_id(n: int) -> str:
    """The n-th seeded person's resident ID number (valid: the service checks the check digit)."""
    born = dt.date(1940, 1, 1) + dt.timedelta(days=n // 900)
    return idnumber.with_check(f"610102{born:%Y%m%d}{n % 900 + 100:03d}")


def card_of(n: int) -> str:
    return f"B{n:08d}"


def seed(store: Store, persons: int) -> dict:
    """Persons with a card each, one in five with the finished application that made it (and its fee order),
    ~12 events per card."""
    rng = random.Random(7)
    start = dt.datetime(2025, 12, 1, tzinfo=dt.timezone.utc)
    ids = [person_id(n) for n in range(persons)]
    with store.transaction() as db:
        db.executemany("INSERT INTO persons (id_number, name, region) VALUES (?, ?, '610100')",
                       ((i, f"P{n}") for n, i in enumerate(ids)))
        db.executemany("INSERT INTO cards (card_number, id_number, region, state, issue_date, expiry_date, "
                       "updated_at) VALUES (?, ?, '610100', 'normal', '2020-01-01', '2030-01-01', '2025-01-01')",
                       ((f"B{n:08d}", i) for n, i in enumerate(ids)))
        for n, i in enumerate(ids[::5]):
            # the application that made the person's card (a finished one: it blocks nothing)
            app = db.execute("INSERT INTO applications (id_number, kind, state, created_at, card_number) "
                             "VALUES (?, 'new', 'done', '2020-01-01', ?) RETURNING id", (i, card_of(n * 5))).fetchone()[0]
            db.execute("INSERT INTO fee_orders (application_id, amount_fen, state, created_at) "
                       "VALUES (?, 2000, 'paid', '2026-03-01')", (app,))
        events = ((f"B{rng.randrange(persons):08d}", (start + dt.timedelta(seconds=rng.randrange(365 * 86400))).isoformat(),
                   rng.choice(("pin_changed", "wrong_pin", "status_read", "loss_reported", "released")))
                  for _ in range(persons * 12))
        db.executemany("INSERT INTO card_events (card_number, at, kind) VALUES (?, ?, ?)", events)
    return {"person": ids[persons // 2], "card": f"B{persons // 2:08d}", "application": persons // 10}


def lookups(store: Store, who: dict) -> dict:
    """The statements a card-status request, a card history and a fee step run, as the service issues them."""
    def card_status():
        store.person(who["person"])
        store.current_card(who["person"])
        store.last_card(who["person"])
        store.open_application(who["person"])
        store.query("SELECT 1 FROM applications WHERE card_number = ? AND kind IN ('replacement', 'renewal') "
                    "AND state NOT IN ('done', 'void')", who["card"])
        store.pin_outcome_unknown(who["card"])
    return {
        "card-status store work (6 lookups)": card_status,
        "card history (events of one card)": lambda: store.events(who["card"]),
        "fee order by application": lambda: store.query(
            "SELECT * FROM fee_orders WHERE application_id = ? ORDER BY id DESC LIMIT 1", who["application"]),
    }


def main(persons: int = 100_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"{tmp}/scale.db")
        began = time.perf_counter()
        who = seed(store, persons)
        seeded = time.perf_counter() - began
        counts = {t: store.query(f"SELECT COUNT(*) AS n FROM {t}")[0]["n"] for t in ("persons", "cards", "card_events")}
        header(f"Service store at scale, SQLite WAL: {counts['persons']:,} persons, {counts['cards']:,} cards, "
               f"{counts['card_events']:,} card events (seeded in {seeded:.0f} s); with / without the indexes")
        with_indexes = {name: timed(fn, runs=50) for name, fn in lookups(store, who).items()}
        names = re.findall(r"CREATE INDEX IF NOT EXISTS (\w+)", INDEXES)
        with store.transaction() as db:
            for name in names:
                db.execute(f"DROP INDEX {name}")
        without = {name: timed(fn, runs=10) for name, fn in lookups(store, who).items()}
        for name, samples in with_indexes.items():
            slow = sorted(without[name])[len(without[name]) // 2]
            row(name, samples, None, f"without the indexes: {slow:.2f} ms "
                                     f"({slow / max(sorted(samples)[len(samples) // 2], 1e-6):.0f}x)")
        store.close()
    print(f"  ({len(names)} indexes: {', '.join(names)}; sqlite {sqlite3.sqlite_version})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=100_000)
    main(parser.parse_args().persons)
