"""The reference service's schema as numbered migrations, one list for SQLite and PostgreSQL.

A database records the migrations applied to it in ``schema_migrations``; at open the store applies the
missing ones in order, inside one write transaction (on PostgreSQL under the writers' advisory lock, so two
workers starting at once migrate one after the other; DDL is transactional on both engines, so a power cut
mid-way leaves the database as it was). A database migrated by a newer release stops an older service.

Migration 1, the baseline, takes both an empty database and one made by a release from before versioning
(the tables with ``IF NOT EXISTS``, then the columns those releases added one by one), so every existing
kiosk's SQLite file and a new province's PostgreSQL arrive at the same schema. A later change is a new
numbered function appended to MIGRATIONS; a released one is never edited.

Why not Alembic: it needs SQLAlchemy's engine and metadata, and the service writes plain SQL through
sqlite3 and psycopg (kiosk/backend/engines.py); what Alembic would give here — an ordered, recorded,
transactional list — is the thirty lines below."""
from __future__ import annotations

import datetime as dt

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
# Columns added after the first release, before migrations were versioned: (table, column, declaration); the
# baseline adds the missing ones to a database made before them.
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
# runs EXPLAIN on every statement the service issues and fails on a full scan of a table that grows with the
# population or the traffic). Migration 2, since some cover columns the baseline adds.
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


def statements(script: str) -> list[str]:
    """A script's statements (comment lines dropped; no statement here holds a ';' in a string)."""
    text = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in text.split(";") if s.strip()]


def _run(engine, db, script: str) -> None:
    for statement in statements(engine.ddl(script)):
        db.execute(statement)


def _baseline(engine, db) -> None:
    _run(engine, db, SCHEMA + OPERATOR_SCHEMA)
    for table, column, declaration in ADDED_COLUMNS:
        if column not in engine.columns(db, table):
            _run(engine, db, f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")


def _indexes(engine, db) -> None:
    _run(engine, db, INDEXES)


MIGRATIONS = (
    (1, "the tables, with every column added before migrations were numbered", _baseline),
    (2, "indexes for every lookup by something other than a primary key", _indexes),
)
HEAD = MIGRATIONS[-1][0]


class NewerDatabase(RuntimeError):
    """The database was migrated by a newer release than this service."""


def migrate(engine, db) -> list[int]:
    """Apply the missing migrations in order (the caller holds the write transaction); returns those applied."""
    _run(engine, db, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                     "name TEXT NOT NULL, applied_at TEXT NOT NULL)")
    done = {r[0] for r in db.execute("SELECT version FROM schema_migrations")}
    if done and max(done) > HEAD:
        raise NewerDatabase(f"the database is at schema version {max(done)}, newer than this service's "
                            f"{HEAD}: install the release that migrated it")
    applied = []
    for version, name, step in MIGRATIONS:
        if version not in done:
            step(engine, db)
            db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                       (version, name, dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()))
            applied.append(version)
    return applied


def version(db) -> int:
    return max((r[0] for r in db.execute("SELECT version FROM schema_migrations")), default=0)
