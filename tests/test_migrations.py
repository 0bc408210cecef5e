"""The schema's numbered migrations (kiosk/backend/migrations.py): from an empty database on either engine,
from a SQLite database made before migrations were numbered, all-or-nothing, once when two workers start at
once, and a database from a newer release refused."""
from __future__ import annotations

import sqlite3
import threading

import pytest

from kiosk.backend import migrations
from kiosk.backend.store import Store
from tests import databases

# The first release's tables as it made them (before the columns of ADDED_COLUMNS and before the indexes),
# with its service key still in the database: what a kiosk's embedded database from then holds.
FIRST_RELEASE = """
CREATE TABLE persons (id_number TEXT PRIMARY KEY, name TEXT NOT NULL, gender TEXT, birth_date TEXT,
    address TEXT, phone TEXT, region TEXT NOT NULL, insured INTEGER NOT NULL DEFAULT 1);
CREATE TABLE cards (card_number TEXT PRIMARY KEY, id_number TEXT NOT NULL REFERENCES persons(id_number),
    region TEXT NOT NULL, state TEXT NOT NULL, issue_date TEXT, expiry_date TEXT, lost_until TEXT,
    updated_at TEXT NOT NULL);
CREATE TABLE applications (id INTEGER PRIMARY KEY, id_number TEXT NOT NULL REFERENCES persons(id_number),
    kind TEXT NOT NULL, state TEXT NOT NULL, created_at TEXT NOT NULL, reason TEXT, card_number TEXT,
    guardian TEXT, fee_fen INTEGER NOT NULL DEFAULT 0, kiosk_id TEXT);
CREATE TABLE kiosks (kiosk_id TEXT PRIMARY KEY, public_key TEXT NOT NULL, enrolled_at TEXT NOT NULL,
    last_seen TEXT, devices TEXT NOT NULL DEFAULT '[]');
CREATE TABLE staff_calls (id INTEGER PRIMARY KEY, kiosk_id TEXT NOT NULL, at TEXT NOT NULL,
    screen TEXT NOT NULL, service TEXT, state TEXT NOT NULL DEFAULT 'open');
CREATE TABLE idempotency (key TEXT PRIMARY KEY, body TEXT);
CREATE TABLE service_keys (id INTEGER PRIMARY KEY, private_pem TEXT NOT NULL);
INSERT INTO persons VALUES ('610113197001010011', '张三', 'M', '1970-01-01', '', '', '610100', 1);
INSERT INTO cards VALUES ('X00000001', '610113197001010011', '610100', 'normal', '2021-06-01', '2031-06-01',
    NULL, '2024-01-01');
INSERT INTO applications (id_number, kind, state, created_at) VALUES ('610113197001010011', 'new', 'done',
    '2021-05-01');
INSERT INTO kiosks VALUES ('HALL-01', 'PEM', '2024-01-01', NULL, '[]');
"""


def shape(store: Store) -> dict[str, set[str]]:
    """Every table of the service and its columns."""
    with store.engine.connection() as held:
        db = held.db
        if store.dialect == "sqlite":
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        else:
            tables = [r[0] for r in db.execute("SELECT table_name FROM information_schema.tables WHERE "
                                               "table_schema = current_schema()")]
        return {t: store.engine.columns(db, t) for t in tables}


def applied(store: Store) -> list[int]:
    return [r[0] for r in store.query("SELECT version FROM schema_migrations ORDER BY version")]


@pytest.fixture
def empty_db(service_engine, tmp_path):
    db = databases.fresh("sqlite", tmp_path, "empty") if service_engine == "sqlite" else databases.empty(tmp_path)
    yield db
    databases.drop(db)


def test_an_empty_database_is_migrated_to_the_head(empty_db):
    store = Store(empty_db.location)
    try:
        assert applied(store) == [v for v, _, _ in migrations.MIGRATIONS]
        tables = shape(store)
        assert {"persons", "cards", "fee_orders", "key_sessions", "nonces", "idempotent_requests",
                "operators"} <= set(tables)
        assert {"before_loss", "generation", "application_id"} <= tables["cards"]
        assert "idempotency" not in tables                  # the first release's table, replaced
    finally:
        store.close()
    again = Store(empty_db.location)                         # a second start applies nothing
    try:
        assert applied(again) == [v for v, _, _ in migrations.MIGRATIONS]
    finally:
        again.close()


def test_both_engines_arrive_at_the_same_tables_and_columns(tmp_path):
    pg = databases.empty(tmp_path)
    sqlite_store, pg_store = Store(str(tmp_path / "same.db")), Store(pg.location)
    try:
        lite = {t: c for t, c in shape(sqlite_store).items() if not t.startswith("sqlite_")}
        assert lite == shape(pg_store)
    finally:
        sqlite_store.close()
        pg_store.close()
        databases.drop(pg)


def test_a_database_from_before_numbered_migrations_keeps_its_data_and_gets_the_rest(tmp_path):
    path = tmp_path / "first-release.db"
    old = sqlite3.connect(path)
    old.executescript(FIRST_RELEASE)
    old.close()
    store = Store(str(path))
    try:
        assert applied(store) == [v for v, _, _ in migrations.MIGRATIONS]
        fresh = Store(str(tmp_path / "fresh.db"))
        try:
            expected = shape(fresh)
        finally:
            fresh.close()
        got = shape(store)
        assert {t: c for t, c in got.items() if t != "service_keys"} == expected
        assert store.card("X00000001")["state"] == "normal"       # the rows are kept
        assert store.person("610113197001010011")["name"] == "张三"
        assert store.open_application("610113197001010011") is None
        assert store.kiosk_key("HALL-01") == "PEM"
        indexes = {r[0] for r in store.query("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"cards_by_person", "card_events_by_card", "fee_orders_by_application"} <= indexes
    finally:
        store.close()


def test_a_migration_that_fails_half_way_leaves_the_database_as_it_was(empty_db, monkeypatch):
    def broken(engine, db):
        db.execute("CREATE TABLE half_done (id INTEGER PRIMARY KEY)")
        raise RuntimeError("power cut")
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS + ((99, "broken", broken),))
    monkeypatch.setattr(migrations, "HEAD", 99)
    with pytest.raises(RuntimeError, match="power cut"):
        Store(empty_db.location)
    monkeypatch.undo()
    store = Store(empty_db.location)          # nothing of the failed run is left, not even migrations 1 and 2
    try:
        assert "half_done" not in shape(store)
        assert applied(store) == [v for v, _, _ in migrations.MIGRATIONS]
    finally:
        store.close()


def test_workers_starting_at_once_migrate_once(empty_db):
    stores, errors = [], []
    start = threading.Barrier(4)

    def open_store():
        start.wait()
        try:
            stores.append(Store(empty_db.location))
        except Exception as exc:                    # noqa: BLE001 - the test reports any
            errors.append(exc)
    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert not errors
        assert applied(stores[0]) == [v for v, _, _ in migrations.MIGRATIONS]
    finally:
        for s in stores:
            s.close()


def test_a_database_migrated_by_a_newer_release_stops_the_service(empty_db):
    store = Store(empty_db.location)
    with store.transaction() as db:
        db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                   (migrations.HEAD + 1, "from the future", "2030-01-01T00:00:00+00:00"))
    store.close()
    with pytest.raises(migrations.NewerDatabase, match="newer than this service"):
        Store(empty_db.location)
