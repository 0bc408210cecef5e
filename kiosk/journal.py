"""Write-ahead journal (SQLite, WAL): every irreversible step is recorded before it is attempted and
after it answers, so an interrupted transaction is found and reconciled at the next start (DESIGN rule 5).

Rows hold transaction ids, step names, card numbers and outcomes — never a PIN, key or full ID number.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import secrets
import sqlite3
import threading

SCHEMA = """
CREATE TABLE IF NOT EXISTS transactions (
    txn TEXT PRIMARY KEY, kind TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT,
    outcome TEXT, context TEXT NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS steps (
    id INTEGER PRIMARY KEY, txn TEXT NOT NULL REFERENCES transactions(txn), at TEXT NOT NULL,
    step TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '{}');
"""


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def new_txn_id(kiosk_id: str) -> str:
    stamp = dt.datetime.now().strftime("%Y%m%d%H%M%S")
    return f"{kiosk_id}-{stamp}-{secrets.token_hex(3).upper()}"


MAX_KEY = 64      # the contract's longest Idempotency-Key


def request_key(txn: str, purpose: str) -> str:
    """The idempotency key of one request a transaction makes: ``txn:purpose``, or — when a long kiosk id
    makes that longer than the contract allows — its SHA-256 in hex (as stable, and exactly 64 long)."""
    key = f"{txn}:{purpose}"
    return key if len(key) <= MAX_KEY else hashlib.sha256(key.encode()).hexdigest()


def age(started_at: str) -> dt.timedelta:
    """How long ago a transaction started (its ``started_at``; a naive time is UTC, as the journal writes)."""
    started = dt.datetime.fromisoformat(started_at)
    if started.tzinfo is None:
        started = started.replace(tzinfo=dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc) - started


class JournalClosed(RuntimeError):
    """The journal was closed (the kiosk is shutting down): nothing more can be written or read."""


class Journal:
    def __init__(self, path: str, after_step=None):
        self._lock = threading.Lock()
        self.after_step = after_step        # tests: called with (txn, step) once a step is on disk
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")   # a step is on disk before the device is told to act
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        """Under the lock: a thread still writing (a worker, staff mode's sign-out) finishes its statement
        first and then gets JournalClosed; sqlite's connection is never closed under a thread inside it."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    @contextlib.contextmanager
    def _open(self):
        with self._lock:
            if self._db is None:
                raise JournalClosed("the journal is closed")
            yield self._db

    def begin(self, txn: str, kind: str, **context) -> str:
        with self._open() as db:
            db.execute("INSERT INTO transactions (txn, kind, started_at, context) VALUES (?, ?, ?, ?)",
                             (txn, kind, _now(), json.dumps(context, ensure_ascii=False)))
        return txn

    def step(self, txn: str, step: str, **detail) -> None:
        with self._open() as db:
            db.execute("INSERT INTO steps (txn, at, step, detail) VALUES (?, ?, ?, ?)",
                             (txn, _now(), step, json.dumps(detail, ensure_ascii=False)))
        if self.after_step is not None:
            self.after_step(txn, step)

    def finish(self, txn: str, outcome: str) -> None:
        with self._open() as db:
            db.execute("UPDATE transactions SET finished_at = ?, outcome = ? WHERE txn = ?",
                             (_now(), outcome, txn))

    def unfinished(self, kind: str | None = None) -> list[dict]:
        with self._open() as db:
            rows = db.execute(
                "SELECT t.*, (SELECT step FROM steps s WHERE s.txn = t.txn ORDER BY s.id DESC LIMIT 1) AS last_step "
                "FROM transactions t WHERE finished_at IS NULL" + (" AND kind = ?" if kind else ""),
                (kind,) if kind else ()).fetchall()
        return [dict(r, context=json.loads(r["context"])) for r in rows]

    def details(self, txn: str) -> list[tuple[str, dict]]:
        with self._open() as db:
            rows = db.execute("SELECT step, detail FROM steps WHERE txn = ? ORDER BY id", (txn,)).fetchall()
        return [(r["step"], json.loads(r["detail"])) for r in rows]

    def transactions(self, kind: str) -> list[dict]:
        with self._open() as db:
            rows = db.execute("SELECT * FROM transactions WHERE kind = ? ORDER BY started_at", (kind,)).fetchall()
        return [dict(r, context=json.loads(r["context"])) for r in rows]

    def due(self, step: str, done: str) -> list[tuple[str, dict]]:
        """(txn, detail) of every ``step`` not followed by ``done`` in its transaction, finished or not: work
        owed after a transaction closed (a notice for staff)."""
        with self._open() as db:
            rows = db.execute(
                "SELECT s.txn, s.detail FROM steps s WHERE s.step = ? AND NOT EXISTS (SELECT 1 FROM steps d "
                "WHERE d.txn = s.txn AND d.step = ? AND d.id > s.id) ORDER BY s.id", (step, done)).fetchall()
        return [(r["txn"], json.loads(r["detail"])) for r in rows]

    def steps(self, txn: str) -> list[str]:
        with self._open() as db:
            return [r["step"] for r in db.execute("SELECT step FROM steps WHERE txn = ? ORDER BY id", (txn,))]
