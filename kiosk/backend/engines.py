"""The two database engines the reference service runs on, behind what the store needs of them.

- **SQLite** (a file path): the embedded default and most tests. One connection per thread; a write
  transaction is ``BEGIN IMMEDIATE``, so writers take turns across threads and processes.
- **PostgreSQL** (a ``postgresql://`` URL): a deployment for a province, several worker processes and hosts
  on one database. psycopg 3 with its connection pool; a write transaction takes one transaction-scoped
  advisory lock first, so check-then-change steps take turns exactly as they do on SQLite (see
  ``WRITER_LOCK``), while reads and the self-contained inserts (replay nonces, key sessions) run side by side.

The service writes its SQL once, in the dialect both accept (``?`` placeholders, ``ON CONFLICT``,
``RETURNING``); ``PostgresEngine.translate`` turns the placeholders into psycopg's and
``PostgresEngine.ddl`` the few type names that differ. Rows answer ``row["column"]``, ``row[0]`` and
``dict(row)`` on both."""
from __future__ import annotations

import contextlib
import functools
import re
import sqlite3
import threading
import weakref

# One number for "the service's writer" in PostgreSQL's advisory-lock space (any fixed bigint would do; this
# one spells "SBK" in ASCII). Every write transaction of every worker and host takes it, so a check and its
# change are never interleaved with another request's: the same guarantee BEGIN IMMEDIATE gives on SQLite.
# Measured here: a write transaction holds it ~1 ms, so one database takes ~1,000 writes/s this way, several
# times a province's peak (docs/province.md). Finer locks (per person, per card) are the next step if needed.
WRITER_LOCK = 0x53424B
MIGRATION_LOCK = 0x53424B + 1        # two workers starting at once migrate one after the other


def is_postgres(location: str) -> bool:
    return location.startswith(("postgresql://", "postgres://"))


def describe(location: str) -> str:
    """A database's location fit for a log line: a URL without its password."""
    if not is_postgres(location):
        return location
    from urllib.parse import urlsplit, urlunsplit
    parts = urlsplit(location)
    if parts.password is None:
        return location
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def open_engine(location: str, pool_size: int = 10):
    return PostgresEngine(location, pool_size) if is_postgres(location) else SqliteEngine(location)


class Row:
    """A result row as sqlite3.Row answers it: by column name, by position, and as a mapping for dict()."""
    __slots__ = ("_values", "_index")

    def __init__(self, values, index: dict):
        self._values = values
        self._index = index

    def __getitem__(self, key):
        return self._values[self._index[key] if isinstance(key, str) else key]

    def keys(self):
        return list(self._index)

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)

    def __repr__(self):
        return f"Row({dict(zip(self._index, self._values))!r})"


class _Held:
    """A connection held by one thread: its lock is taken by that thread's statements and transactions and by
    close() from any thread, so a connection is never closed under a statement (sqlite would crash)."""
    __slots__ = ("db", "lock", "depth", "__weakref__")

    def __init__(self, db):
        self.db = db
        self.lock = threading.RLock()
        self.depth = 0                    # transactions open on this connection (nesting)


class SqliteEngine:
    name = "sqlite"
    integrity_error = sqlite3.IntegrityError

    def __init__(self, path: str):
        self.path = path
        self.location = path
        self._local = threading.local()
        self._held: weakref.WeakSet = weakref.WeakSet()
        self._registry = threading.Lock()
        self.closed = False

    def _open(self):
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA busy_timeout=10000")   # another writer's transaction: wait, do not fail
        return db

    @contextlib.contextmanager
    def connection(self):
        """This thread's connection (kept for the thread's life: opening one costs more than a query)."""
        held = getattr(self._local, "held", None)
        if held is None or held.db is None:
            if self.closed:
                raise sqlite3.ProgrammingError("the store is closed")
            held = _Held(self._open())
            with self._registry:
                self._held.add(held)
            self._local.held = held
        with held.lock:
            if held.db is None:
                raise sqlite3.ProgrammingError("the store is closed")
            yield held

    @staticmethod
    def begin(exclusive: bool) -> tuple[str, ...]:
        return ("BEGIN IMMEDIATE",)       # SQLite has one writer anyway; a reader could not upgrade later

    @staticmethod
    def translate(sql: str) -> str:
        return sql

    @staticmethod
    def ddl(sql: str) -> str:
        return sql

    @staticmethod
    def columns(db, table: str) -> set[str]:
        return {r["name"] for r in db.execute(f"PRAGMA table_info({table})")}

    @staticmethod
    def has_table(db, table: str) -> bool:
        return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone() \
            is not None

    def close(self) -> None:
        self.closed = True
        with self._registry:
            held = list(self._held)
        for h in held:
            with h.lock:
                if h.db is not None:
                    h.db.close()
                    h.db = None


class UnstorableText(ValueError):
    """Text the database cannot hold (PostgreSQL's text has no NUL character): the request is invalid."""


class _PgConnection:
    """A psycopg connection that takes the service's SQL as written (``?`` placeholders)."""
    __slots__ = ("raw",)

    def __init__(self, raw):
        self.raw = raw

    def execute(self, sql: str, params=()):
        if not params:          # with no parameters psycopg sends the text as it is (a literal % stays one)
            return self.raw.execute(sql)
        params = tuple(params)
        if any(isinstance(p, str) and "\x00" in p for p in params):
            raise UnstorableText("text with a NUL character")
        return self.raw.execute(PostgresEngine.translate(sql), params)

    def executemany(self, sql: str, rows) -> None:
        with self.raw.cursor() as cursor:
            cursor.executemany(PostgresEngine.translate(sql), rows)


def _rows(cursor):
    index = {c.name: i for i, c in enumerate(cursor.description or ())}
    return lambda values: Row(values, index)


class PostgresEngine:
    name = "postgresql"

    def __init__(self, url: str, pool_size: int = 10):
        import psycopg
        import psycopg_pool
        self.location = url
        self.integrity_error = psycopg.errors.IntegrityError
        self._local = threading.local()
        self.closed = False
        self.pool = psycopg_pool.ConnectionPool(
            url, min_size=1, max_size=pool_size, open=True, name="cardservice",
            kwargs={"autocommit": True, "row_factory": _rows}, configure=self._configure, timeout=30)

    @staticmethod
    def _configure(raw) -> None:
        raw.execute("SET TIME ZONE 'UTC'")

    @contextlib.contextmanager
    def connection(self):
        """The connection this thread's open transaction holds, else one from the pool for this step."""
        held = getattr(self._local, "held", None)
        if held is not None:
            with held.lock:
                yield held
            return
        if self.closed:
            raise RuntimeError("the store is closed")
        with self.pool.connection() as raw:
            held = _Held(_PgConnection(raw))
            self._local.held = held
            try:
                with held.lock:
                    yield held
            finally:
                self._local.held = None

    @staticmethod
    def begin(exclusive: bool) -> tuple[str, ...]:
        return ("BEGIN", f"SELECT pg_advisory_xact_lock({WRITER_LOCK})") if exclusive else ("BEGIN",)

    @staticmethod
    @functools.lru_cache(maxsize=2048)
    def translate(sql: str) -> str:
        """``?`` → ``%s`` and a literal ``%`` → ``%%``, outside quoted strings and identifiers."""
        out, quote = [], None
        for ch in sql:
            if quote:
                out.append("%%" if ch == "%" else ch)
                if ch == quote:
                    quote = None
            elif ch in "'\"":
                quote = ch
                out.append(ch)
            elif ch == "?":
                out.append("%s")
            elif ch == "%":
                out.append("%%")
            else:
                out.append(ch)
        return "".join(out)

    @staticmethod
    def ddl(sql: str) -> str:
        """SQLite's DDL as PostgreSQL takes it: a rowid key becomes an identity column, integers 64-bit (as
        SQLite's are), text compared byte by byte (as SQLite's is: card-number ranges, ORDER BY)."""
        sql = re.sub(r"\bINTEGER PRIMARY KEY\b", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", sql)
        sql = re.sub(r"\bINTEGER\b", "BIGINT", sql)
        return re.sub(r"\bTEXT\b", 'TEXT COLLATE "C"', sql)

    @staticmethod
    def columns(db, table: str) -> set[str]:
        return {r[0] for r in db.execute("SELECT column_name FROM information_schema.columns WHERE "
                                         "table_schema = current_schema() AND table_name = ?", (table,))}

    @staticmethod
    def has_table(db, table: str) -> bool:
        return db.execute("SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND "
                          "table_name = ?", (table,)).fetchone() is not None

    def close(self) -> None:
        self.closed = True
        self.pool.close()
