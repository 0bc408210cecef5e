"""Provincial operators who watch the fleet in the operator view (kiosk/backend/operator_view.py): accounts
registered by the service's administrator (``python -m kiosk.backend --add-operator NAME``), a password kept
as a salted PBKDF2 hash, MAX_FAILURES wrong passwords lock the account for LOCKOUT; a sign-in opens a
session kept server-side (only its hash is stored) with its own CSRF token for the page's forms."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

STRETCH = 120_000
MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
SESSION_TTL = dt.timedelta(hours=8)
USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{2,31}$")
MIN_PASSWORD = 10

SCHEMA = """
CREATE TABLE IF NOT EXISTS operators (
    username TEXT PRIMARY KEY, salt TEXT NOT NULL, pw_hash TEXT NOT NULL, region TEXT NOT NULL DEFAULT '',
    failures INTEGER NOT NULL DEFAULT 0, locked_until TEXT);
CREATE TABLE IF NOT EXISTS operator_sessions (
    token_hash TEXT PRIMARY KEY, username TEXT NOT NULL REFERENCES operators(username), csrf TEXT NOT NULL,
    expires_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS operator_sessions_expiry ON operator_sessions(expires_at);
"""


class SignInRefused(Exception):
    def __init__(self, words: str):
        super().__init__(words)
        self.words = words


def _hash(salt: bytes, password: str) -> str:
    return hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, STRETCH).hex()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", errors="replace")).hexdigest()


def add(store, username: str, password: str, region: str = "") -> None:
    """Add an operator or set a new password (which lifts a lockout). ``region``: the only region the operator
    sees ("" for every region)."""
    if not USERNAME.match(username):
        raise ValueError("a username is 3-32 lower-case letters, digits, '.', '_' or '-', starting with a letter")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password has at least {MIN_PASSWORD} characters")
    salt = secrets.token_bytes(16)
    with store.transaction() as db:
        db.execute("INSERT INTO operators (username, salt, pw_hash, region) VALUES (?, ?, ?, ?) "
                   "ON CONFLICT(username) DO UPDATE SET salt = excluded.salt, pw_hash = excluded.pw_hash, "
                   "region = excluded.region, failures = 0, locked_until = NULL",
                   (username, salt.hex(), _hash(salt, password), region))


def sign_in(store, username: str, password: str, now: dt.datetime) -> tuple[str, str]:
    """(session token, CSRF token) for the right password; SignInRefused with the words to show otherwise.
    The check and the failure count are one transaction."""
    refused = None
    with store.transaction() as db:
        row = db.execute("SELECT * FROM operators WHERE username = ?", (username,)).fetchone()
        if row is None:
            _hash(b"\0" * 16, password)             # the same work: no timing tells which names exist
            refused = SignInRefused("用户名或密码不正确 / Wrong username or password")
        elif row["locked_until"] and row["locked_until"] > now.isoformat():
            refused = SignInRefused("密码错误次数过多，账户已锁定15分钟 / Too many wrong passwords: locked for 15 minutes")
        elif not hmac.compare_digest(_hash(bytes.fromhex(row["salt"]), password), row["pw_hash"]):
            failures = row["failures"] + 1
            locked = (now + LOCKOUT).isoformat() if failures >= MAX_FAILURES else None
            db.execute("UPDATE operators SET failures = ?, locked_until = ? WHERE username = ?",
                       (0 if locked else failures, locked, username))
            refused = SignInRefused("用户名或密码不正确 / Wrong username or password")
        else:
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
            db.execute("UPDATE operators SET failures = 0, locked_until = NULL WHERE username = ?", (username,))
            db.execute("DELETE FROM operator_sessions WHERE expires_at < ?", (now.isoformat(),))
            db.execute("INSERT INTO operator_sessions (token_hash, username, csrf, expires_at) VALUES (?, ?, ?, ?)",
                       (_token_hash(token), username, csrf, (now + SESSION_TTL).isoformat()))
            return token, csrf
    raise refused


def session(store, token: str | None, now: dt.datetime) -> dict | None:
    """{"username", "region", "csrf"} of a live session, else None."""
    if not token or len(token) > 100:
        return None
    rows = store.query("SELECT s.username, s.csrf, s.expires_at, o.region FROM operator_sessions s JOIN operators o "
                       "ON o.username = s.username WHERE s.token_hash = ?", _token_hash(token))
    if not rows or rows[0]["expires_at"] <= now.isoformat():
        return None
    return {"username": rows[0]["username"], "region": rows[0]["region"], "csrf": rows[0]["csrf"]}


def sign_out(store, token: str) -> None:
    with store.transaction() as db:
        db.execute("DELETE FROM operator_sessions WHERE token_hash = ?", (_token_hash(token),))
