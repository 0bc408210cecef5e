"""All storage of the reference service, behind one module, on SQLite (a file: the embedded default) or
PostgreSQL (a URL: a province's deployment) — kiosk/backend/engines.py; the schema is kiosk/backend/migrations.py.

Every check-then-change runs inside one ``transaction()`` (one writer at a time, across threads, processes
and hosts: BEGIN IMMEDIATE on SQLite, the writers' advisory lock on PostgreSQL), so two requests at once
cannot both see an order unpaid or an application ready. Transactions nest as savepoints, so a helper that
opens its own (a lapse written while reading a card) joins the caller's."""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
import time

from kiosk.backend import migrations
from kiosk.backend.engines import open_engine
from kiosk.backend.observability import DB_TRANSACTION, DB_WAIT

PURGE_EVERY = 60.0


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


class Store:
    """SQLite: a connection per thread, in WAL mode, so a lookup never waits for another request's commit;
    writers take turns through BEGIN IMMEDIATE (busy_timeout), across threads and processes alike.
    PostgreSQL: a pool of connections; a transaction holds one until it ends."""

    def __init__(self, location: str, pool_size: int = 10):
        self.path = location                   # a file path or a postgresql:// URL
        self.engine = open_engine(location, pool_size)
        self.dialect = self.engine.name
        self._lock = threading.RLock()         # the rare whole-store steps (moving an old key out)
        self._purged = time.monotonic()
        try:
            with self.transaction() as db:
                migrations.migrate(self.engine, db)
        except BaseException:
            self.engine.close()
            raise

    def close(self) -> None:
        self.engine.close()

    @contextlib.contextmanager
    def transaction(self, exclusive: bool = True):
        """One atomic unit: a write transaction at the outermost level, a savepoint inside another one. An
        exception rolls back this level's changes and goes on. ``exclusive=False`` (PostgreSQL) skips the
        writers' lock for a unit whose statements are atomic by themselves (an insert that may conflict)."""
        asked = time.perf_counter()
        with self.engine.connection() as held:
            db, depth = held.db, held.depth
            if depth == 0:
                for statement in self.engine.begin(exclusive):
                    db.execute(statement)
            else:
                db.execute(f"SAVEPOINT level{depth}")
            began = time.perf_counter()
            if depth == 0:
                DB_WAIT.observe(began - asked)
            held.depth += 1
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK" if depth == 0 else f"ROLLBACK TO SAVEPOINT level{depth}")
                if depth:
                    db.execute(f"RELEASE SAVEPOINT level{depth}")
                raise
            else:
                db.execute("COMMIT" if depth == 0 else f"RELEASE SAVEPOINT level{depth}")
            finally:
                held.depth = depth
                if depth == 0:
                    DB_TRANSACTION.observe(time.perf_counter() - began)

    def query(self, sql: str, *args) -> list:
        with self.engine.connection() as held:
            return held.db.execute(sql, args).fetchall()

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
        db.execute("INSERT INTO pin_outcomes_unknown (card_number, operation, since, kiosk_id, txn) "
                   "VALUES (?, ?, ?, ?, ?) ON CONFLICT (card_number) DO UPDATE SET operation = excluded.operation, "
                   "since = excluded.since, kiosk_id = excluded.kiosk_id, txn = excluded.txn",
                   (card_number, operation, now().isoformat(), kiosk_id, txn))

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
                          "(?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          (kiosk_id, at or now().isoformat(), kind, card_number, txn, note, device)).fetchone()[0]

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
            db.execute("INSERT INTO enrolment_codes (code, expires_at, kiosk_id, site, region) "
                       "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", (code, (now() + valid_for).isoformat(), kiosk_id, site, region))
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
            return db.execute("INSERT INTO staff_calls (kiosk_id, at, screen, service, reason) VALUES "
                              "(?, ?, ?, ?, ?) RETURNING id", (kiosk_id, now().isoformat(), screen, service,
                                                               reason)).fetchone()[0]

    def use_nonce(self, kiosk_id: str, nonce: str, expires: int) -> bool:
        """Record a nonce; False when it was used before (a replay). One insert that does nothing on a
        conflict: atomic by itself, so it needs no writers' lock, on either engine."""
        self._purge_expired()
        with self.transaction(exclusive=False) as db:
            return db.execute("INSERT INTO nonces (kiosk_id, nonce, expires) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                              (kiosk_id, nonce, expires)).rowcount == 1

    def _purge_expired(self) -> None:
        """Expired nonces and key sessions, deleted at most every PURGE_EVERY seconds by this process (not at
        every request: the rows they would keep refuse nothing that is not refused anyway)."""
        moment = time.monotonic()
        if moment - self._purged < PURGE_EVERY:
            return
        self._purged = moment
        with self.transaction(exclusive=False) as db:
            db.execute("DELETE FROM nonces WHERE expires < ?", (int(now().timestamp()),))
            db.execute("DELETE FROM key_sessions WHERE expires < ?", (int(now().timestamp()),))

    # -- key-service sessions ----------------------------------------------------------------------
    def open_key_session(self, session_id: str, kiosk_id: str, wrapped_key: str, expires: int) -> None:
        self._purge_expired()
        with self.transaction(exclusive=False) as db:
            db.execute("INSERT INTO key_sessions (session_id, kiosk_id, wrapped_key, expires) VALUES (?, ?, ?, ?)",
                       (session_id, kiosk_id, wrapped_key, expires))

    def key_session(self, session_id: str, kiosk_id: str) -> str | None:
        """The wrapped key of a live session opened by this kiosk, or None."""
        rows = self.query("SELECT wrapped_key FROM key_sessions WHERE session_id = ? AND kiosk_id = ? AND "
                          "expires >= ?", session_id, kiosk_id, int(now().timestamp()))
        return rows[0]["wrapped_key"] if rows else None

    def legacy_service_key(self) -> str | None:
        """The service key an older database kept in ``service_keys`` (now in a key file: keycustody.py)."""
        with self.engine.connection() as held:
            if not self.engine.has_table(held.db, "service_keys"):
                return None
        rows = self.query("SELECT private_pem FROM service_keys WHERE id = 1")
        return rows[0]["private_pem"] if rows else None

    def forget_legacy_service_key(self) -> None:
        """Drop it with its bytes: secure_delete zeroes the freed pages, the checkpoint empties the WAL."""
        if self.dialect != "sqlite":            # only SQLite databases were made by those releases
            with self.transaction() as db:
                db.execute("DROP TABLE IF EXISTS service_keys")
            return
        with self._lock, self.engine.connection() as held:
            held.db.execute("PRAGMA secure_delete = ON")
            with self.transaction() as db:
                db.execute("DROP TABLE IF EXISTS service_keys")
            held.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            held.db.execute("PRAGMA secure_delete = OFF")

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
