"""Hall staff at a kiosk: who they are (registered here, at the service, never in a kiosk), their sign-in with
their own ID card and a staff PIN, and the audit trail of what they did in staff mode.

A staff PIN is stored as a salted PBKDF2-HMAC-SHA256 hash (STRETCH rounds: a stolen database does not give
the PINs back for the asking) and travels SM2-encrypted to the service's key, bound to the kiosk that sent
it; it is never in an answer, a log or an event. MAX_FAILURES wrong PINs in a row lock the staff member out
for LOCKOUT, at every kiosk; "not staff" and "wrong PIN" get the same answer, so the kiosk cannot be used to
find out who is staff. A sign-in opens a staff session; audit events name it, so every staff action at every
kiosk is tied to a person. Audit events are accepted late (a kiosk keeps them while the service is down),
so a session is checked for its kiosk, not for its age.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from kiosk.backend.rules import Refusal

STRETCH = 120_000
MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=30)
SESSION_TTL = dt.timedelta(hours=12)
PIN = re.compile(r"^[0-9]{6}$")
STAFF_NO = re.compile(r"^[A-Z][0-9]{4,8}$")
# what staff mode does (kiosk/flows/staff.py); the operator view reads them
ACTIONS = ("signed_in", "signed_out", "hopper_refilled", "bin_emptied", "paper_replaced", "jam_cleared",
           "test_receipt", "test_card_read", "test_face_print", "transaction_settled", "service_paused",
           "service_resumed", "device_status_viewed", "face_override")



def not_recognised() -> Refusal:
    return Refusal(403, "staff_not_recognised", "工作人员身份或密码不正确",
                   "Not recognised as staff, or the staff PIN is wrong")


def pin_from_cipher(key, kiosk_id: str, cipher_hex: str) -> str:
    """The staff PIN from its SM2 ciphertext (``kiosk_id:`` + packed BCD, padded with F): a ciphertext made
    for another kiosk, or not a PIN, is refused as a wrong PIN would be."""
    try:
        plain = key.decrypt(bytes.fromhex(cipher_hex))
    except Exception:
        raise not_recognised() from None
    prefix = kiosk_id.encode("ascii") + b":"
    digits = plain[len(prefix):].hex().rstrip("f") if plain.startswith(prefix) else ""
    if not PIN.match(digits):
        raise not_recognised()
    return digits


def _hash(salt: bytes, pin: str) -> str:
    return hashlib.pbkdf2_hmac("sha256", pin.encode("ascii"), salt, STRETCH).hex()


def register(store, staff_no: str, name: str, id_number: str, pin: str, site: str = "") -> None:
    """Add or update a staff member (the service's administrator does this, e.g. ``python -m kiosk.backend
    staff add``); a new PIN clears a lockout."""
    if not STAFF_NO.match(staff_no):
        raise ValueError("a staff number is a capital letter and 4-8 digits, e.g. S0001")
    if not PIN.match(pin) or len(set(pin)) == 1:
        raise ValueError("a staff PIN is 6 digits, not all the same")
    salt = secrets.token_bytes(16)
    with store.transaction() as db:
        db.execute("INSERT INTO staff (staff_no, name, id_number, site, salt, pin_hash, failures, locked_until, "
                   "active) VALUES (?, ?, ?, ?, ?, ?, 0, NULL, 1) ON CONFLICT(staff_no) DO UPDATE SET "
                   "name = excluded.name, id_number = excluded.id_number, site = excluded.site, salt = excluded.salt, "
                   "pin_hash = excluded.pin_hash, failures = 0, locked_until = NULL, active = 1",
                   (staff_no, name, id_number, site, salt.hex(), _hash(salt, pin)))


def sign_in(store, kiosk_id: str, id_number: str, pin: str, now: dt.datetime) -> dict:
    """A staff session for the person whose ID card was read, when their PIN is right: checked and counted in
    one transaction, so two kiosks trying at once cannot both get past the lockout."""
    with store.transaction() as db:
        row = db.execute("SELECT * FROM staff WHERE id_number = ? AND active = 1", (id_number,)).fetchone()
        if row is None:
            _hash(b"\0" * 16, pin)                  # the same work either way: no timing tells who is staff
            raise not_recognised()
        if row["locked_until"] and row["locked_until"] > now.isoformat():
            raise Refusal(423, "staff_locked", "工作人员密码错误次数过多，已锁定30分钟，请联系管理员",
                          "Too many wrong staff PINs: locked for 30 minutes; please contact the administrator")
        if not PIN.match(pin) or not hmac.compare_digest(_hash(bytes.fromhex(row["salt"]), pin), row["pin_hash"]):
            failures = row["failures"] + 1
            locked = (now + LOCKOUT).isoformat() if failures >= MAX_FAILURES else None
            db.execute("UPDATE staff SET failures = ?, locked_until = ? WHERE staff_no = ?",
                       (0 if locked else failures, locked, row["staff_no"]))
            _audit(db, kiosk_id, row["staff_no"], None, "sign_in_refused", now, "locked" if locked else "wrong_pin")
            refusal = not_recognised()
        else:
            db.execute("UPDATE staff SET failures = 0, locked_until = NULL WHERE staff_no = ?", (row["staff_no"],))
            session = secrets.token_hex(16)
            db.execute("INSERT INTO staff_sessions (session, staff_no, kiosk_id, started_at, expires_at) "
                       "VALUES (?, ?, ?, ?, ?)", (session, row["staff_no"], kiosk_id, now.isoformat(),
                                                  (now + SESSION_TTL).isoformat()))
            _audit(db, kiosk_id, row["staff_no"], session, "signed_in", now, None)
            return {"session": session, "staff_no": row["staff_no"], "name": row["name"],
                    "expires_at": (now + SESSION_TTL).isoformat()}
    raise refusal                            # after the transaction: the failure count is kept


def audit(store, kiosk_id: str, session: str, action: str, at: dt.datetime, detail: str | None,
          count: int | None) -> dict:
    with store.transaction() as db:
        row = db.execute("SELECT staff_no FROM staff_sessions WHERE session = ? AND kiosk_id = ?",
                         (session, kiosk_id)).fetchone()
        if row is None:
            raise Refusal(403, "staff_session_unknown", "工作人员会话无效", "No such staff session at this kiosk")
        event_id = _audit(db, kiosk_id, row["staff_no"], session, action, at, detail, count)
    return {"id": event_id, "staff_no": row["staff_no"], "action": action}


def _audit(db, kiosk_id: str, staff_no: str, session: str | None, action: str, at: dt.datetime,
           detail: str | None, count: int | None = None) -> int:
    cur = db.execute("INSERT INTO staff_audit (kiosk_id, staff_no, session, at, action, detail, count) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id", (kiosk_id, staff_no, session, at.isoformat(), action, detail,
                                                          count))
    return cur.fetchone()[0]


def trail(store, kiosk_id: str | None = None, limit: int = 200) -> list[dict]:
    with store.transaction() as db:
        rows = db.execute("SELECT a.*, s.name FROM staff_audit a LEFT JOIN staff s ON s.staff_no = a.staff_no"
                          + (" WHERE a.kiosk_id = ?" if kiosk_id else "") + " ORDER BY a.id DESC LIMIT ?",
                          ((kiosk_id, limit) if kiosk_id else (limit,))).fetchall()
    return [dict(r) for r in rows]
