"""Verification codes for a new contact phone number (非关键信息变更, domain.md §10): the number becomes the
holder's only after a code the service texted to it is typed back, so a typo or a stranger's number never
receives the holder's notices. The service enforces it — a phone change without a valid code is refused —
whatever a kiosk does.

A code: 6 digits, valid CODE_TTL, MAX_ATTEMPTS wrong entries before it is spent; a new code for the same
person replaces the previous one; at most MAX_SENDS_PER_HOUR codes per person. Only a salted hash is stored,
and the code goes nowhere but to the SMS provider: not in an answer, a log or an event.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from kiosk.backend.rules import Refusal
from kiosk.backend.sms import SmsFailed, SmsProvider

CODE_DIGITS = 6
CODE_TTL = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 3
MAX_SENDS_PER_HOUR = 5



def _hash(salt: str, code: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + code.encode()).hexdigest()


def message(code: str, minutes: int) -> str:
    return (f"【社会保障卡】验证码{code}，用于将本号码登记为社保卡联系电话，{minutes}分钟内有效。"
            "如非本人办理，请勿告知他人并忽略本短信。")


def send(store, sms: SmsProvider, id_number: str, phone: str, kiosk_id: str, now: dt.datetime) -> dict:
    """A new code for ``phone``, texted; earlier open codes of this person end. Answers when it expires."""
    since = (now - dt.timedelta(hours=1)).isoformat()
    with store.transaction() as db:
        sent = db.execute("SELECT COUNT(*) FROM contact_codes WHERE id_number = ? AND created_at > ?",
                          (id_number, since)).fetchone()[0]
        if sent >= MAX_SENDS_PER_HOUR:
            raise Refusal(429, "code_send_limit", "验证码发送次数过多，请一小时后再试，或到窗口办理",
                          "Too many codes were sent; please try again in an hour, or go to a counter")
        code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
        salt = secrets.token_hex(16)
        expires = now + CODE_TTL
        db.execute("UPDATE contact_codes SET state = 'replaced' WHERE id_number = ? AND state = 'open'", (id_number,))
        cur = db.execute("INSERT INTO contact_codes (id_number, phone, salt, code_hash, created_at, expires_at, "
                         "kiosk_id) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                         (id_number, phone, salt, _hash(salt, code), now.isoformat(), expires.isoformat(), kiosk_id))
        verification_id = cur.fetchone()[0]
        try:      # inside the transaction: a code the provider never took is not recorded as sent
            sms.send(phone, message(code, int(CODE_TTL.total_seconds() // 60)))
        except SmsFailed:
            raise Refusal(503, "sms_unavailable", "短信暂时无法发送，请稍后再试或到窗口办理",
                          "The text message cannot be sent right now; please try later or go to a counter") from None
    return {"verification_id": verification_id, "expires_at": expires.isoformat(), "code_digits": CODE_DIGITS,
            "attempts_left": MAX_ATTEMPTS}


def check(store, id_number: str, phone: str, verification_id: int | None, code: str | None,
          now: dt.datetime) -> int:
    """Refuses a phone change whose code is missing, wrong, spent or expired; a wrong code counts against the
    code (committed here, before the refusal). Returns the code's id, for ``use`` inside the change's own
    transaction."""
    if verification_id is None or not code:
        raise Refusal(403, "verification_required", "修改手机号码须先验证短信验证码",
                      "A new mobile number must first be confirmed with the code sent to it")
    wrong = None           # the tries left after a wrong code, once the count is committed
    with store.transaction() as db:
        row = db.execute("SELECT * FROM contact_codes WHERE id = ? AND id_number = ?",
                         (verification_id, id_number)).fetchone()
        if row is None or row["phone"] != phone or row["state"] != "open":
            raise Refusal(403, "code_invalid", "验证码已失效，请重新获取",
                          "This code is no longer valid; please ask for a new one")
        expired = dt.datetime.fromisoformat(row["expires_at"]) <= now
        if expired:
            db.execute("UPDATE contact_codes SET state = 'expired' WHERE id = ?", (row["id"],))
        elif not hmac.compare_digest(row["code_hash"], _hash(row["salt"], code)):
            attempts = row["attempts"] + 1
            db.execute("UPDATE contact_codes SET attempts = ?, state = ? WHERE id = ?",
                       (attempts, "spent" if attempts >= MAX_ATTEMPTS else "open", row["id"]))
            wrong = MAX_ATTEMPTS - attempts
    if expired:
        raise Refusal(403, "code_expired", "验证码已过期，请重新获取", "The code has expired; please ask for a new one")
    if wrong == 0:
        raise Refusal(403, "code_spent", "验证码输错次数过多，请重新获取",
                      "The code was entered wrongly too many times; please ask for a new one")
    if wrong is not None:
        raise Refusal(403, "code_wrong", f"验证码不正确，还可输入{wrong}次", f"The code is not right; {wrong} tries left")
    return row["id"]


def use(db, verification_id: int) -> None:
    """Spend the code with the change it allowed (the caller's transaction): a second change needs a new one."""
    if db.execute("UPDATE contact_codes SET state = 'used' WHERE id = ? AND state = 'open'",
                  (verification_id,)).rowcount != 1:
        raise Refusal(403, "code_invalid", "验证码已失效，请重新获取",
                      "This code is no longer valid; please ask for a new one")
