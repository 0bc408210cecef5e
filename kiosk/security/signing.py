"""Request and response signatures between a kiosk and the card-management service.

Request: headers ``X-Kiosk-Id``, ``X-Timestamp`` (unix seconds), ``X-Nonce`` (random, ≥ 16 lower-case hex
digits) and ``X-Signature`` = base64(DER(SM2-with-SM3 signature, ID 1234567812345678)) over the UTF-8 text

    METHOD\\nTARGET\\nTIMESTAMP\\nNONCE\\nhex(SM3(body))

where TARGET is the path as sent, with ``?query`` only when there is one, and an empty body is hashed as
empty. Response: the service signs the same shape with the HTTP status code in place of METHOD and the
request's own TARGET and NONCE (so an answer cannot be replayed to another request), sending
``X-Timestamp``, ``X-Nonce`` and ``X-Signature``.
"""
from __future__ import annotations

import base64
import re
import secrets
import time

from kiosk.security.sm2 import PrivateKey, PublicKey, sm3

MAX_SKEW_S = 300
NONCE = re.compile(r"^[0-9a-f]{16,64}$")
KIOSK_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
TIMESTAMP = re.compile(r"^[0-9]{1,12}$")          # unix seconds; bounded before int() ever sees it
SIGNATURE = re.compile(r"^[A-Za-z0-9+/]{1,128}={0,2}$")   # an SM2 DER signature is at most 72 bytes


class SignatureRefused(Exception):
    """Why a signed message was not accepted: ``code`` for machines, the text for people; ``status`` 400
    when a header is malformed, 401 when it is well formed and not accepted."""

    def __init__(self, code: str, detail: str, status: int = 401):
        super().__init__(detail)
        self.code = code
        self.status = status


def check_shape(kiosk_id: str, timestamp: str, nonce: str, signature_b64: str) -> None:
    """Refuse a malformed header before anything parses it."""
    for name, value, shape, what in (("X-Kiosk-Id", kiosk_id, KIOSK_ID, "1-32 letters, digits, _ or -"),
                                     ("X-Timestamp", timestamp, TIMESTAMP, "unix seconds"),
                                     ("X-Nonce", nonce, NONCE, "16-64 lower-case hex digits"),
                                     ("X-Signature", signature_b64, SIGNATURE, "a base64 SM2 signature")):
        if not shape.match(value or ""):
            raise SignatureRefused(f"bad_{name[2:].lower().replace('-', '_')}",
                                   f"{name} must be {what} ({len(value or '')} characters received)", status=400)


def canonical(first: str, target: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return f"{first}\n{target}\n{timestamp}\n{nonce}\n{sm3(body).hex()}".encode("utf-8")


def new_nonce() -> str:
    return secrets.token_hex(16)


def sign_request(key: PrivateKey, kiosk_id: str, method: str, target: str, body: bytes,
                 now: float | None = None, nonce: str | None = None) -> dict[str, str]:
    timestamp = str(int(now if now is not None else time.time()))
    nonce = nonce or new_nonce()
    signature = key.sign(canonical(method.upper(), target, timestamp, nonce, body))
    return {"X-Kiosk-Id": kiosk_id, "X-Timestamp": timestamp, "X-Nonce": nonce,
            "X-Signature": base64.b64encode(signature).decode("ascii")}


def sign_response(key: PrivateKey, status: int, target: str, nonce: str, body: bytes,
                  now: float | None = None) -> dict[str, str]:
    timestamp = str(int(now if now is not None else time.time()))
    signature = key.sign(canonical(str(status), target, timestamp, nonce, body))
    return {"X-Timestamp": timestamp, "X-Nonce": nonce, "X-Signature": base64.b64encode(signature).decode("ascii")}


def check_fresh(timestamp: str, now: float | None = None) -> None:
    if not TIMESTAMP.match(timestamp):
        raise SignatureRefused("bad_timestamp", "X-Timestamp must be unix seconds")
    skew = abs(int(timestamp) - (now if now is not None else time.time()))
    if skew > MAX_SKEW_S:
        raise SignatureRefused("stale_timestamp", f"X-Timestamp is {int(skew)} s from the service's clock "
                                                  f"(±{MAX_SKEW_S} s allowed)")


def verify(public: PublicKey, first: str, target: str, timestamp: str, nonce: str, body: bytes,
           signature_b64: str) -> None:
    if not NONCE.match(nonce or ""):
        raise SignatureRefused("bad_nonce", "X-Nonce must be 16-64 lower-case hex digits")
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except (ValueError, TypeError):
        raise SignatureRefused("bad_signature", "X-Signature is not base64") from None
    if not public.verify(canonical(first, target, timestamp, nonce, body), signature):
        raise SignatureRefused("bad_signature", "the signature does not verify")
