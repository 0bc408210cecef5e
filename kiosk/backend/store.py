"""All storage of the reference service, behind one module: SQLite, one file, WAL.

Every check-then-change runs inside one ``transaction()`` (BEGIN IMMEDIATE: one writer at a time, across
threads and processes), so two requests at once cannot both see an order unpaid or an application ready.
Transactions nest as savepoints, so a helper that opens its own (a lapse written while reading a card)
joins the caller's."""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
import threading
import time
import weakref

from kiosk.backend.observability import DB_TRANSACTION, DB_WAIT
from kiosk.backend.operators import SCHEMA as OPERATOR_SCHEMA

SCHEMA = """
CREATE TABLE IF NOT EXISTS persons (
    id_number TEXT PRIMARY KEY, name TEXT NOT NULL, gender TEXT, birth_date TEXT,
    address TEXT, phone TEXT, region TEXT NOT NULL, insured INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS cards (
    card_number TEXT PRIMARY KEY, id_number TEXT NOT NULL REFERENCES persons(id_number),
    region TEXT NOT NULL, state TEXT NOT NULL, issue_date TEXT, expiry_date TEXT,
    lost_until TEXT, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS applications (
    id INTEGER PRIMARY KEY, id_number TEXT NOT NULL REFERENCES persons(id_number), kind TEXT NOT NULL,
    state TEXT NOT NULL, created_at TEXT NOT NULL, reason TEXT, card_number TEXT, guardian TEXT,
    fee_fen INTEGER NOT NULL DEFAULT 0, kiosk_id TEXT);
CREATE TABLE IF NOT EXISTS fee_orders (
    id INTEGER PRIMARY KEY, application_id INTEGER NOT NULL REFERENCES applications(id),
    amount_fen INTEGER NOT NULL, state TEXT NOT NULL, created_at TEXT NOT NULL, paid_at TEXT, refunded_at TEXT);
CREATE TABLE IF NOT EXISTS card_events (
    id INTEGER PRIMARY KEY, card_number TEXT NOT NULL, at TEXT NOT NULL, kind TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}', kiosk_id TEXT);
CREATE TABLE IF NOT EXISTS kiosks (
    kiosk_id TEXT PRIMARY KEY, public_key TEXT NOT NULL, enrolled_at TEXT NOT NULL, last_seen TEXT,
    devices TEXT NOT NULL DEFAULT '[]');
CREATE TABLE IF NOT EXISTS staff_calls (id INTEGER PRIMARY KEY, kiosk_id TEXT NOT NULL, at TEXT NOT NULL,
    screen TEXT NOT NULL, service TEXT, state TEXT NOT NULL DEFAULT 'open');
CREATE TABLE IF NOT EXISTS nonces (
    kiosk_id TEXT NOT NULL, nonce TEXT NOT NULL, expires INTEGER NOT NULL, PRIMARY KEY (kiosk_id, nonce));
CREATE INDEX IF NOT EXISTS nonces_expiry ON nonces(expires);
DROP TABLE IF EXISTS idempotency;
CREATE TABLE IF NOT EXISTS idempotent_requests (
    kiosk_id TEXT NOT NULL, endpoint TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL,
    status INTEGER NOT NULL, body TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (kiosk_id, endpoint, key));
CREATE TABLE IF NOT EXISTS enrolment_codes (
    code TEXT PRIMARY KEY, expires_at TEXT NOT NULL, kiosk_id TEXT, used_at TEXT);
CREATE TABLE IF NOT EXISTS pin_outcomes_unknown (
    card_number TEXT PRIMARY KEY, operation TEXT NOT NULL, since TEXT NOT NULL, kiosk_id TEXT, txn TEXT);
CREATE TABLE IF NOT EXISTS staff_events (id INTEGER PRIMARY KEY, kiosk_id TEXT NOT NULL, at TEXT NOT NULL,
    kind TEXT NOT NULL, card_number TEXT, txn TEXT, note TEXT, state TEXT NOT NULL DEFAULT 'open');
CREATE TABLE IF NOT EXISTS temporary_cards (
    id INTEGER PRIMARY KEY, id_number TEXT NOT NULL REFERENCES persons(id_number), card_number TEXT NOT NULL,
    application_id INTEGER REFERENCES applications(id), issued_at TEXT NOT NULL, valid_until TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'active', cancelled_at TEXT, cancelled_by TEXT);
-- hall staff (kiosk/backend/staff.py): registered here, a salted PIN hash, never the PIN
CREATE TABLE IF NOT EXISTS staff (
    staff_no TEXT PRIMARY KEY, name TEXT NOT NULL, id_number TEXT NOT NULL UNIQUE, site TEXT NOT NULL DEFAULT '',
    salt TEXT NOT NULL, pin_hash TEXT NOT NULL, failures INTEGER NOT NULL DEFAULT 0, locked_until TEXT,
    active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS staff_sessions (
    session TEXT PRIMARY KEY, staff_no TEXT NOT NULL REFERENCES staff(staff_no), kiosk_id TEXT NOT NULL,
    started_at TEXT NOT NULL, expires_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS staff_audit (
    id INTEGER PRIMARY KEY, kiosk_id TEXT NOT NULL, staff_no TEXT NOT NULL, session TEXT, at TEXT NOT NULL,
    action TEXT NOT NULL, detail TEXT, count INTEGER);
CREATE INDEX IF NOT EXISTS staff_audit_kiosk ON staff_audit(kiosk_id, id);
-- key-service sessions (kiosk/backend/service.py): the SM4 session key wrapped under a key derived from the
-- service's signing key (in its key file, not here), so every worker and host can use a session another opened
CREATE TABLE IF NOT EXISTS key_sessions (
    session_id TEXT PRIMARY KEY, kiosk_id TEXT NOT NULL, wrapped_key TEXT NOT NULL, expires INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS key_sessions_expiry ON key_sessions(expires);
-- codes texted to a new contact phone (kiosk/backend/contact_codes.py): a salted hash, never the code
CREATE TABLE IF NOT EXISTS contact_codes (
    id INTEGER PRIMARY KEY, id_number TEXT NOT NULL, phone TEXT NOT NULL, salt TEXT NOT NULL,
    code_hash TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL DEFAULT 'open', kiosk_id TEXT);
"""
# Columns added after the first release: (table, column, declaration), added to an older database at open.
# cards.before_loss / before_lock: the state a loss report or a PIN lock lies over (kiosk/backend/card_states.py)
ADDED_COLUMNS = (("cards", "application_id", "INTEGER"), ("staff_events", "device", "TEXT"),
                 # a card's generation (2, 3; NULL unknown), its issuing bank, whether its face has a photo (0: a
                 # child's card without one, seeds/003; NULL: unknown, taken as with a photo)
                 ("cards", "generation", "INTEGER"), ("cards", "bank", "TEXT"), ("cards", "photo", "INTEGER"),
                 # a fee waived, and why ("first_gen3_swap", seeds/000); whether the new card has a photo
                 ("applications", "fee_waiver", "TEXT"), ("applications", "photo", "INTEGER"),
                 ("cards", "before_loss", "TEXT"), ("cards", "before_lock", "TEXT"),
                 # an agent who applied for the holder with the power of attorney (seeds/002, 004)
                 ("applications", "agent", "TEXT"),
                 # why staff were called, when the kiosk says (e.g. a face check that failed: "no_match")
                 ("staff_calls", "reason", "TEXT"),
                 # the heartbeat's card module counts (JSON) and whether staff paused the kiosk
                 ("kiosks", "counters", "TEXT NOT NULL DEFAULT '{}'"), ("kiosks", "paused", "INTEGER NOT NULL DEFAULT 0"),
                 # where a kiosk stands (set with its enrolment code), and how many transactions it has open
                 ("kiosks", "site", "TEXT NOT NULL DEFAULT ''"), ("kiosks", "region", "TEXT NOT NULL DEFAULT ''"),
                 ("kiosks", "unsettled", "INTEGER NOT NULL DEFAULT 0"),
                 ("enrolment_codes", "site", "TEXT"), ("enrolment_codes", "region", "TEXT"))

# Indexes for every lookup a request makes by something other than a primary key (tests/test_query_plans.py
# runs EXPLAIN QUERY PLAN on every statement the service issues and fails on a full scan of a table that grows
# with the population or the traffic). Created after ADDED_COLUMNS, since some cover added columns; CREATE INDEX
# IF NOT EXISTS adds them to a database made before them, at open.
INDEXES = """
CREATE INDEX IF NOT EXISTS cards_by_person ON cards(id_number, issue_date);
CREATE INDEX IF NOT EXISTS cards_by_application ON cards(application_id);
CREATE INDEX IF NOT EXISTS applications_by_person ON applications(id_number, created_at);
CREATE INDEX IF NOT EXISTS applications_by_card ON applications(card_number);
CREATE INDEX IF NOT EXISTS applications_unpaid ON applications(state, created_at);
CREATE INDEX IF NOT EXISTS fee_orders_by_application ON fee_orders(application_id);
CREATE INDEX IF NOT EXISTS card_events_by_card ON card_events(card_number, id);
CREATE INDEX IF NOT EXISTS temporary_cards_by_person ON temporary_cards(id_number, state);
CREATE INDEX IF NOT EXISTS contact_codes_by_person ON contact_codes(id_number, created_at);
CREATE INDEX IF NOT EXISTS staff_events_by_state ON staff_events(state, kiosk_id);
CREATE INDEX IF NOT EXISTS staff_calls_by_kiosk ON staff_calls(kiosk_id, state);
CREATE INDEX IF NOT EXISTS kiosks_by_place ON kiosks(region, site);
"""


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


class _Connection:
    """One thread's connection. Its lock is held by that thread's statements and transactions and by close()
    (from any thread), so a connection is never closed under a statement (sqlite would crash)."""
    __slots__ = ("db", "lock", "depth", "__weakref__")

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self.lock = threading.RLock()
        self.depth = 0                   # transactions open on this connection (nesting)


class Store:
    """A connection per thread: SQLite in WAL mode lets readers run beside the one writer, so a lookup never
    waits for another request's commit; writers take turns through BEGIN IMMEDIATE (busy_timeout), across
    threads and processes alike. A thread's connection closes when the thread ends, or at close()."""

    def __init__(self, path: str):
        self.path = path
        self._local = threading.local()
        self._connections: weakref.WeakSet = weakref.WeakSet()
        self._registry = threading.Lock()
        self._closed = False
        self._lock = threading.RLock()       # the rare whole-store steps (moving an old key out)
        db = self._db
        db.executescript(SCHEMA + OPERATOR_SCHEMA)
        for table, column, declaration in ADDED_COLUMNS:
            if column not in {r["name"] for r in db.execute(f"PRAGMA table_info({table})")}:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
        db.executescript(INDEXES)

    def _connection(self) -> _Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.db is None:
            if self._closed:
                raise sqlite3.ProgrammingError("the store is closed")
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA busy_timeout=10000")   # another writer's transaction: wait, do not fail
            conn = _Connection(db)
            with self._registry:
                self._connections.add(conn)
            self._local.conn = conn
        return conn

    @property
    def _db(self) -> sqlite3.Connection:
        return self._connection().db

    def close(self) -> None:
        self._closed = True
        with self._registry:
            connections = list(self._connections)
        for conn in connections:
            with conn.lock:
                if conn.db is not None:
                    conn.db.close()
                    conn.db = None

    @contextlib.contextmanager
    def transaction(self):
        """One atomic unit: BEGIN IMMEDIATE at the outermost level, a savepoint inside another transaction.
        An exception rolls back this level's changes and goes on."""
        asked = time.perf_counter()
        conn = self._connection()
        with conn.lock:
            if conn.db is None:
                raise sqlite3.ProgrammingError("the store is closed")
            db, depth = conn.db, conn.depth
            db.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT level{depth}")
            began = time.perf_counter()
            if depth == 0:
                DB_WAIT.observe(began - asked)
            conn.depth += 1
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK" if depth == 0 else f"ROLLBACK TO level{depth}")
                if depth:
                    db.execute(f"RELEASE level{depth}")
                raise
            else:
                db.execute("COMMIT" if depth == 0 else f"RELEASE level{depth}")
            finally:
                conn.depth = depth
                if depth == 0:
                    DB_TRANSACTION.observe(time.perf_counter() - began)

    def query(self, sql: str, *args) -> list[sqlite3.Row]:
        conn = self._connection()
        with conn.lock:
            if conn.db is None:
                raise sqlite3.ProgrammingError("the store is closed")
            return conn.db.execute(sql, args).fetchall()

    def is_empty(self) -> bool:
        return not self.query("SELECT 1 FROM persons LIMIT 1")

    # -- persons and cards ------------------------------------------------------------------------
    def person(self, id_number: str):
        rows = self.query("SELECT * FROM persons WHERE id_number = ?", id_number)
        return rows[0] if rows else None

    def current_card(self, id_number: str):
        rows = self.query("SELECT * FROM cards WHERE id_number = ? AND state NOT IN ('cancelled', 'void', 'issuing') "
                          "ORDER BY issue_date DESC LIMIT 1", id_number)
        return rows[0] if rows else None

    def last_card(self, id_number: str):
        """The most recent card of any state (to tell a citizen that their card was cancelled)."""
        rows = self.query("SELECT * FROM cards WHERE id_number = ? AND state NOT IN ('void', 'issuing') "
                          "ORDER BY issue_date DESC, updated_at DESC LIMIT 1", id_number)
        return rows[0] if rows else None

    def card(self, card_number: str):
        rows = self.query("SELECT * FROM cards WHERE card_number = ?", card_number)
        return rows[0] if rows else None

    def open_application(self, id_number: str):
        rows = self.query("SELECT * FROM applications WHERE id_number = ? AND state NOT IN ('done', 'void') "
                          "ORDER BY created_at DESC LIMIT 1", id_number)
        return rows[0] if rows else None

    def set_card_state(self, db, card_number: str, state: str, kind: str, kiosk_id: str | None,
                       detail: dict | None = None, lost_until: str | None = None, before_loss: str | None = None,
                       before_lock: str | None = None) -> None:
        """Write a card's state; the service decides it through kiosk/backend/card_states.py (``move``)."""
        stamp = now().isoformat()
        db.execute("UPDATE cards SET state = ?, lost_until = ?, before_loss = ?, before_lock = ?, updated_at = ? "
                   "WHERE card_number = ?", (state, lost_until, before_loss, before_lock, stamp, card_number))
        self.add_event(db, card_number, kind, kiosk_id, detail)

    @staticmethod
    def add_event(db, card_number: str, kind: str, kiosk_id: str | None, detail: dict | None = None) -> None:
        db.execute("INSERT INTO card_events (card_number, at, kind, detail, kiosk_id) VALUES (?, ?, ?, ?, ?)",
                   (card_number, now().isoformat(), kind, json.dumps(detail or {}, ensure_ascii=False), kiosk_id))

    def events(self, card_number: str) -> list[dict]:
        return [dict(r) for r in self.query("SELECT * FROM card_events WHERE card_number = ? ORDER BY id",
                                            card_number)]

    # -- PIN commands whose outcome a kiosk could not see (kiosk/backend/pin_outcomes.py) ----------
    def pin_outcome_unknown(self, card_number: str) -> dict | None:
        rows = self.query("SELECT operation, since, kiosk_id, txn FROM pin_outcomes_unknown WHERE card_number = ?",
                          card_number)
        return dict(rows[0]) if rows else None

    @staticmethod
    def mark_pin_outcome_unknown(db, card_number: str, operation: str, kiosk_id: str, txn: str | None) -> None:
        db.execute("INSERT OR REPLACE INTO pin_outcomes_unknown (card_number, operation, since, kiosk_id, txn) "
                   "VALUES (?, ?, ?, ?, ?)", (card_number, operation, now().isoformat(), kiosk_id, txn))

    @staticmethod
    def clear_pin_outcome_unknown(db, card_number: str) -> dict | None:
        """Remove the mark; returns what it said (None when there was none)."""
        row = db.execute("SELECT operation, txn FROM pin_outcomes_unknown WHERE card_number = ?",
                         (card_number,)).fetchone()
        if row is not None:
            db.execute("DELETE FROM pin_outcomes_unknown WHERE card_number = ?", (card_number,))
        return dict(row) if row else None

    # -- events for the hall's staff (what a kiosk could not settle by itself) ------------------------
    @staticmethod
    def add_staff_event(db, kiosk_id: str, kind: str, card_number: str | None, txn: str | None,
                        note: str | None = None, device: str | None = None, at: str | None = None) -> int:
        """``device`` and ``at`` (the kiosk's time) for a device event; other events are stamped here."""
        return db.execute("INSERT INTO staff_events (kiosk_id, at, kind, card_number, txn, note, device) VALUES "
                          "(?, ?, ?, ?, ?, ?, ?)",
                          (kiosk_id, at or now().isoformat(), kind, card_number, txn, note, device)).lastrowid

    def staff_events(self, kiosk_id: str | None = None, state: str = "open") -> list[dict]:
        sql = "SELECT * FROM staff_events WHERE state = ?" + (" AND kiosk_id = ?" if kiosk_id else "") + " ORDER BY id"
        return [dict(r) for r in self.query(sql, *((state, kiosk_id) if kiosk_id else (state,)))]

    # -- kiosks and replay protection -------------------------------------------------------------
    def kiosk_key(self, kiosk_id: str) -> str | None:
        rows = self.query("SELECT public_key FROM kiosks WHERE kiosk_id = ?", kiosk_id)
        return rows[0]["public_key"] if rows else None

    def add_enrolment_code(self, code: str, valid_for: dt.timedelta, kiosk_id: str | None = None,
                           site: str = "", region: str = "") -> str:
        """An administrator's one-time code, optionally for one kiosk id; it expires after ``valid_for``. The
        kiosk that enrols with it stands at ``site`` in ``region`` (what the operator view filters by)."""
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO enrolment_codes (code, expires_at, kiosk_id, site, region) "
                       "VALUES (?, ?, ?, ?, ?)", (code, (now() + valid_for).isoformat(), kiosk_id, site, region))
        return code

    def enrol_kiosk(self, kiosk_id: str, public_pem: str, code: str) -> str:
        """Spend ``code`` on ``kiosk_id`` and pin its key, in one step. Returns "enrolled", "bad_code" (unknown,
        expired, or spent on another kiosk) or "taken" (the id is enrolled with another key). The same
        kiosk enrolling again with the same key and code is answered "enrolled" again (a retry)."""
        with self.transaction() as db:
            grant = db.execute("SELECT * FROM enrolment_codes WHERE code = ?", (code,)).fetchone()
            if grant is None or (grant["kiosk_id"] not in (None, kiosk_id)) or \
                    (grant["used_at"] is None and dt.datetime.fromisoformat(grant["expires_at"]) <= now()):
                return "bad_code"
            row = db.execute("SELECT public_key FROM kiosks WHERE kiosk_id = ?", (kiosk_id,)).fetchone()
            if row is not None:
                return "enrolled" if row["public_key"] == public_pem else "taken"
            if grant["used_at"] is not None:
                return "bad_code"
            db.execute("UPDATE enrolment_codes SET kiosk_id = ?, used_at = ? WHERE code = ?",
                       (kiosk_id, now().isoformat(), code))
            db.execute("INSERT INTO kiosks (kiosk_id, public_key, enrolled_at, site, region) VALUES (?, ?, ?, ?, ?)",
                       (kiosk_id, public_pem, now().isoformat(), grant["site"] or "", grant["region"] or ""))
        return "enrolled"

    def heartbeat(self, kiosk_id: str, devices: list, counters: dict | None = None, paused: bool = False,
                  unsettled: int = 0) -> None:
        with self.transaction() as db:
            db.execute("UPDATE kiosks SET last_seen = ?, devices = ?, counters = ?, paused = ?, unsettled = ? "
                       "WHERE kiosk_id = ?", (now().isoformat(), json.dumps(devices, ensure_ascii=False),
                                              json.dumps(counters or {}), int(paused), unsettled, kiosk_id))

    def staff_call(self, kiosk_id: str, screen: str, service: str | None, reason: str | None = None) -> int:
        with self.transaction() as db:
            return db.execute("INSERT INTO staff_calls (kiosk_id, at, screen, service, reason) VALUES (?, ?, ?, ?, ?)",
                              (kiosk_id, now().isoformat(), screen, service, reason)).lastrowid

    def use_nonce(self, kiosk_id: str, nonce: str, expires: int) -> bool:
        """Record a nonce; False when it was used before (a replay)."""
        with self.transaction() as db:
            db.execute("DELETE FROM nonces WHERE expires < ?", (int(now().timestamp()),))
            try:
                db.execute("INSERT INTO nonces (kiosk_id, nonce, expires) VALUES (?, ?, ?)", (kiosk_id, nonce, expires))
            except sqlite3.IntegrityError:
                return False
        return True

    # -- key-service sessions ----------------------------------------------------------------------
    def open_key_session(self, session_id: str, kiosk_id: str, wrapped_key: str, expires: int) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM key_sessions WHERE expires < ?", (int(now().timestamp()),))
            db.execute("INSERT INTO key_sessions (session_id, kiosk_id, wrapped_key, expires) VALUES (?, ?, ?, ?)",
                       (session_id, kiosk_id, wrapped_key, expires))

    def key_session(self, session_id: str, kiosk_id: str) -> str | None:
        """The wrapped key of a live session opened by this kiosk, or None."""
        rows = self.query("SELECT wrapped_key FROM key_sessions WHERE session_id = ? AND kiosk_id = ? AND "
                          "expires >= ?", session_id, kiosk_id, int(now().timestamp()))
        return rows[0]["wrapped_key"] if rows else None

    def legacy_service_key(self) -> str | None:
        """The service key an older database kept in ``service_keys`` (now in a key file: keycustody.py)."""
        if not self.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'service_keys'"):
            return None
        rows = self.query("SELECT private_pem FROM service_keys WHERE id = 1")
        return rows[0]["private_pem"] if rows else None

    def forget_legacy_service_key(self) -> None:
        """Drop it with its bytes: secure_delete zeroes the freed pages, the checkpoint empties the WAL."""
        with self._lock:
            self._db.execute("PRAGMA secure_delete = ON")
            with self.transaction() as db:
                db.execute("DROP TABLE IF EXISTS service_keys")
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._db.execute("PRAGMA secure_delete = OFF")

    # -- idempotency ------------------------------------------------------------------------------
    # A key belongs to one kiosk and one endpoint (method and path): another kiosk's or another endpoint's
    # use of the same string is another request. Read and written inside the request's own transaction.
    @staticmethod
    def remembered(db, kiosk_id: str, endpoint: str, key: str):
        """(request hash, status, body) of an earlier request with this key, or None."""
        row = db.execute("SELECT request_hash, status, body FROM idempotent_requests WHERE kiosk_id = ? AND "
                         "endpoint = ? AND key = ?", (kiosk_id, endpoint, key)).fetchone()
        return (row["request_hash"], row["status"], json.loads(row["body"])) if row else None

    @staticmethod
    def remember(db, kiosk_id: str, endpoint: str, key: str, request_hash: str, status: int, body: dict) -> None:
        db.execute("INSERT INTO idempotent_requests (kiosk_id, endpoint, key, request_hash, status, body, at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)", (kiosk_id, endpoint, key, request_hash, status,
                                                    json.dumps(body, ensure_ascii=False), now().isoformat()))
