"""The kiosk's client for the card-management service (requests).

One session; a timeout on every call; every request SM2-signed (kiosk/security/signing.py) and every
answer's signature checked against the service key pinned at enrolment. Retries with backoff only where
safe — GETs, and POSTs/PATCHes carrying an ``Idempotency-Key`` (every one made here does) — and each retry
is signed afresh, since the service refuses a nonce it has seen. Answers are validated before use;
failures are typed and carry citizen-facing text: the service's typed no is a :class:`ServiceRefused` (a Refusal),
no usable answer a :class:`ServiceError` (a fault). Recovery code that means both catches both. ``online`` tells the screens whether the service answered
the last call.
"""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from kiosk.errors import Action, Fault, Refusal
from kiosk.security import signing
from kiosk.security.sm2 import PrivateKey, PublicKey

TIMEOUT = (3.0, 10.0)     # connect, read
RETRY_STATUSES = (502, 503, 504)


class ServiceError(Fault):
    """The service could not be reached or answered something unusable (a fault, not a rule)."""
    action = Action.RETRY


class ServiceRefused(Refusal):
    """The service answered no, typed: ``code`` is machine-readable, zh/en are for the citizen, ``status`` is the
    HTTP status. A Refusal, not a ServiceError: a rule of the service's (an unknown person, a card in the wrong
    state, an agent without authority). Some answers may pass by themselves — ``definite`` tells them apart."""

    def __init__(self, status: int, code: str, zh: str, en: str):
        super().__init__(f"service refused ({status} {code})", zh=zh, en=en, code=code)
        self.status = status

    @property
    def definite(self) -> bool:
        """True when asking again would get the same answer. False for refusals that may pass by themselves:
        the kiosk's authentication — its clock, nonce or enrolment (401) —, a timeout or the service's load
        (408, 429, 5xx). A 403 is a rule's answer (an ID card required, no power of attorney, another kiosk's
        business): the contract keeps authentication on 401, so 403 is as definite as 409 or 422."""
        return self.status < 500 and self.status not in (401, 408, 429)


def _unavailable(detail: str) -> ServiceError:
    return ServiceError(detail, zh="暂时无法连接社保卡管理系统，请稍后再试",
                        en="The card service cannot be reached right now; please try again later")


def _service_key_in(answer: dict) -> PublicKey:
    try:
        return PublicKey.from_pem(answer.get("service_public_key", ""))
    except (ValueError, TypeError, AttributeError):
        raise _untrusted("enrolment answer has no service key") from None


def _untrusted(detail: str) -> ServiceError:
    return ServiceError(detail, zh="社保卡管理系统应答校验失败，请联系工作人员",
                        en="The card service's answer failed its check; please call staff", action=Action.MAINTENANCE)


@dataclass(frozen=True)
class Request:
    """A request that changes something at the service, as data: what kiosk/flows/service_writes.py sends."""
    method: str
    path: str
    body: dict


def loss_report(card_number: str, kind: str, id_verified: bool, guardian_id_number: str | None = None,
                agent_id_number: str | None = None, power_of_attorney: bool = False) -> Request:
    body = {"kind": kind, "id_verified": id_verified}
    if guardian_id_number:
        body["guardian_id_number"] = guardian_id_number
    if agent_id_number:
        body.update(agent_id_number=agent_id_number, power_of_attorney=power_of_attorney)
    return Request("POST", f"/v1/cards/{card_number}/loss-reports", body)


def release(card_number: str, id_verified: bool, guardian_id_number: str | None = None,
            agent_id_number: str | None = None, power_of_attorney: bool = False) -> Request:
    body = {"id_verified": id_verified}
    if guardian_id_number:
        body["guardian_id_number"] = guardian_id_number
    if agent_id_number:
        body.update(agent_id_number=agent_id_number, power_of_attorney=power_of_attorney)
    return Request("POST", f"/v1/cards/{card_number}/release", body)


class ServiceClient:
    def __init__(self, base_url: str, kiosk_id: str, key: PrivateKey | None = None,
                 service_key: PublicKey | None = None, timeout=TIMEOUT, retries: int = 2):
        self.base_url = base_url.rstrip("/")
        self._prefix = urlsplit(self.base_url).path.rstrip("/")
        self.kiosk_id = kiosk_id
        self.key = key
        self.service_key = service_key
        self.timeout = timeout
        self.retries = retries
        self.online: bool | None = None       # None until the first call
        self.session = requests.Session()
        self.session.headers.update({"Accept": "application/json"})

    def close(self) -> None:
        self.session.close()

    def _send(self, method: str, path: str, body: bytes, headers: dict) -> requests.Response:
        path = requests.utils.requote_uri(path)     # signed as it goes on the wire (requests would quote it so)
        target = self._prefix + path
        signed = dict(headers)
        if self.key is not None:
            signed.update(signing.sign_request(self.key, self.kiosk_id, method, target, body))
        else:
            signed["X-Kiosk-Id"] = self.kiosk_id
        return self.session.request(method, self.base_url + path, data=body or None, headers=signed,
                                    timeout=self.timeout)

    def _verify(self, method: str, path: str, response: requests.Response, nonce: str | None,
                key: PublicKey | None = None) -> None:
        """The answer is signed by ``key`` (default: the key pinned at enrolment) for this request; else
        ServiceError. Never skipped: with no key to check against, every answer is refused."""
        key = key or self.service_key
        if key is None:
            raise _untrusted(f"{method} {path}: no pinned service key to check the answer against (not enrolled)")
        h = response.headers
        if not (h.get("X-Signature") and h.get("X-Timestamp") and h.get("X-Nonce")):
            raise _untrusted(f"{method} {path}: answer is not signed")
        if nonce is not None and h["X-Nonce"] != nonce:
            raise _untrusted(f"{method} {path}: answer is for another request")
        try:
            signing.check_fresh(h["X-Timestamp"])
            signing.verify(key, str(response.status_code), self._prefix + path, h["X-Timestamp"],
                           h["X-Nonce"], response.content, h["X-Signature"])
        except signing.SignatureRefused as refusal:
            raise _untrusted(f"{method} {path}: answer signature: {refusal}") from None

    def _call(self, method: str, path: str, payload: dict | None = None, headers: dict | None = None,
              retry: bool = True, pure: bool = False, enrolment: bool = False) -> dict:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode() if payload is not None else b""
        headers = dict(headers or {})
        if body:
            headers["Content-Type"] = "application/json"
        safe = method == "GET" or "Idempotency-Key" in headers or pure   # pure: same answer every time
        attempts = 1 + (self.retries if (retry and safe) else 0)
        for attempt in range(attempts):
            if attempt:
                time.sleep(0.3 * 2 ** (attempt - 1))
            try:
                response = self._send(method, path, body, headers)
            except requests.RequestException as exc:
                self.online = False
                if attempt + 1 < attempts:
                    continue
                raise _unavailable(f"{method} {path}: {type(exc).__name__}") from None
            if response.status_code in RETRY_STATUSES and attempt + 1 < attempts:
                continue
            break
        self.online = True
        sent_nonce = response.request.headers.get("X-Nonce")
        if not enrolment:
            self._verify(method, path, response, sent_nonce)
        try:
            answer = response.json()
        except ValueError:
            raise _unavailable(f"{method} {path}: HTTP {response.status_code} with a body that is not JSON") from None
        if not isinstance(answer, dict):
            raise _unavailable(f"{method} {path}: answer is not a JSON object")
        if enrolment and response.status_code < 400:
            # trust on first use: the key the service names is the one its answer must be signed with
            self._verify(method, path, response, sent_nonce, key=_service_key_in(answer))
        if response.status_code >= 400:
            error = answer.get("error")
            message = error.get("message") if isinstance(error, dict) else None
            if isinstance(message, dict) and isinstance(message.get("zh"), str) and isinstance(error.get("code"), str):
                raise ServiceRefused(response.status_code, error["code"], message["zh"], str(message.get("en", "")))
            raise _unavailable(f"{method} {path}: HTTP {response.status_code}")
        return answer

    def _post(self, path: str, payload: dict | None, idempotency_key: str | None = None, method: str = "POST"):
        return self._call(method, path, payload, {"Idempotency-Key": idempotency_key or uuid.uuid4().hex})

    # -- enrolment -----------------------------------------------------------------------------------------
    def enrol(self, enrolment_code: str) -> PublicKey:
        """Register this kiosk's key; pins and returns the service's public key."""
        if self.key is None:
            raise ValueError("enrolment needs the kiosk's private key")
        answer = self._call("POST", "/v1/kiosks", {"kiosk_id": self.kiosk_id, "public_key": self.key.public.to_pem(),
                                                   "enrolment_code": enrolment_code}, retry=False, enrolment=True)
        self.service_key = _service_key_in(answer)
        return self.service_key

    def heartbeat(self, devices: list[dict], counters: dict | None = None, paused: bool = False,
                  unsettled: int = 0) -> dict:
        body = {"devices": devices, **({"counters": counters} if counters else {}),
                **({"paused": True} if paused else {}), **({"unsettled": unsettled} if unsettled else {})}
        return self._call("POST", f"/v1/kiosks/{self.kiosk_id}/heartbeat", body, retry=False)

    def call_staff(self, screen: str, service: str | None = None, reason: str | None = None) -> dict:
        body = {"screen": screen, "service": service, **({"reason": reason} if reason else {})}
        return self._call("POST", f"/v1/kiosks/{self.kiosk_id}/staff-calls", body, retry=False)

    def key_service(self, operation: str, payload: dict) -> dict:
        """The card cryptography of the key service (pure functions of their input: safe to retry)."""
        return self._call("POST", f"/v1/keys/{operation}", payload, pure=True)

    # -- calls ---------------------------------------------------------------------------------------------
    def health(self) -> dict:
        return self._call("GET", "/v1/health")

    def card_status(self, id_number: str) -> dict:
        body = self._call("GET", f"/v1/persons/{id_number}/card-status")
        if not isinstance(body.get("person"), dict) or "card" not in body or "application" not in body:
            raise _unavailable("card-status: answer lacks person/card/application")
        card = body["card"]
        if card is not None and not (isinstance(card, dict) and isinstance(card.get("state"), str)):
            raise _unavailable("card-status: card has no state")
        return body

    def card(self, card_number: str) -> dict:
        body = self._call("GET", f"/v1/cards/{card_number}")
        if not isinstance(body.get("state"), str):
            raise _unavailable("card: answer has no state")
        return body

    def pin_event(self, card_number: str, event: str, tries_left: int | None = None,
                  idempotency_key: str | None = None, operation: str | None = None, applied: bool | None = None,
                  txn: str | None = None) -> dict:
        """``operation`` (with "outcome_unknown"): the PIN command cut off; ``applied`` (with "outcome_settled"):
        False when it had not taken effect; ``txn``: the kiosk's transaction, for staff."""
        payload = {"event": event}
        for name, value in (("tries_left", tries_left), ("operation", operation), ("applied", applied), ("txn", txn)):
            if value is not None:
                payload[name] = value
        return self._post(f"/v1/cards/{card_number}/pin-events", payload, idempotency_key)

    def kiosk_event(self, kind: str, txn: str, card_number: str | None = None, note: str | None = None,
                    idempotency_key: str | None = None) -> dict:
        """Something this kiosk could not settle by itself, for staff (kept once per idempotency key)."""
        payload = {"kind": kind, "txn": txn}
        if card_number is not None:
            payload["card_number"] = card_number
        if note is not None:
            payload["note"] = note
        return self._post(f"/v1/kiosks/{self.kiosk_id}/events", payload, idempotency_key)

    def device_event(self, at: str, device: str, kind: str, detail: str | None = None,
                     idempotency_key: str | None = None) -> dict:
        """A device event (kiosk/deviceevents.py) at the kiosk's time ``at``; kept once per idempotency key."""
        payload = {"at": at, "device": device, "kind": kind}
        if detail is not None:
            payload["detail"] = detail
        return self._post(f"/v1/kiosks/{self.kiosk_id}/device-events", payload, idempotency_key)

    def staff_sign_in(self, id_number: str, pin) -> dict:
        """Staff mode: the staff member's ID number (read from their ID card) and their staff PIN (a
        kiosk.pin.PinBuffer), encrypted to the pinned service key and bound to this kiosk; the clear PIN
        exists only in the buffer and the bytes wiped here. Answers session, staff_no, name, expires_at."""
        if self.service_key is None:
            raise _unavailable("staff sign-in needs the pinned service key")
        plain = bytearray(self.kiosk_id.encode("ascii") + b":") + pin.bcd()
        try:
            cipher = self.service_key.encrypt(bytes(plain)).hex()
        finally:
            plain[:] = b"\0" * len(plain)
        body = self._call("POST", f"/v1/kiosks/{self.kiosk_id}/staff-sessions",
                          {"id_number": id_number, "pin_cipher": cipher}, retry=False)
        if not (isinstance(body.get("session"), str) and isinstance(body.get("staff_no"), str)
                and isinstance(body.get("name"), str)):
            raise _unavailable("staff sign-in: answer lacks session/staff_no/name")
        return body

    def staff_audit(self, session: str, at: str, action: str, detail: str | None = None, count: int | None = None,
                    idempotency_key: str | None = None) -> dict:
        """One staff action (kiosk/flows/staff_audit.py), kept once per idempotency key."""
        payload = {"session": session, "at": at, "action": action}
        if detail is not None:
            payload["detail"] = detail
        if count is not None:
            payload["count"] = count
        return self._post(f"/v1/kiosks/{self.kiosk_id}/staff-audit", payload, idempotency_key)

    def staff_events(self, kiosk_id: str | None = None) -> dict:
        body = self._call("GET", "/v1/staff/events" + (f"?kiosk={kiosk_id}" if kiosk_id else ""))
        if not isinstance(body.get("events"), list):
            raise _unavailable("staff events: answer has no list")
        return body

    def report_loss(self, card_number: str, kind: str, id_verified: bool, idempotency_key: str | None = None,
                    guardian_id_number: str | None = None, agent_id_number: str | None = None,
                    power_of_attorney: bool = False):
        """``guardian_id_number`` / ``agent_id_number``: who reported for the holder (the service records it)."""
        return self.send(loss_report(card_number, kind, id_verified, guardian_id_number, agent_id_number,
                                     power_of_attorney), idempotency_key)

    def release(self, card_number: str, id_verified: bool, idempotency_key: str | None = None):
        return self.send(release(card_number, id_verified), idempotency_key)

    def send(self, request: "Request", idempotency_key: str | None = None):
        """A request built by one of this module's request functions (kiosk/flows/service_writes.py journals
        those before they are sent and sends them again, with the same key, after a crash)."""
        return self._post(request.path, request.body, idempotency_key, method=request.method)

    def apply(self, id_number: str, kind: str, reason: str | None = None, photo: bool | None = None,
              guardian_id_number: str | None = None, agent_id_number: str | None = None,
              power_of_attorney: bool = False, idempotency_key: str | None = None,
              name_on_id: str | None = None) -> dict:
        """``photo``: the new card's face carries one (None: not said). ``name_on_id``: the name the applicant's ID
        card carries, for the service to check against its record before a card is made from the record."""
        payload = {"id_number": id_number, "kind": kind}
        if photo is not None:
            payload["photo"] = photo
        if name_on_id is not None:
            payload["name_on_id"] = name_on_id
        if agent_id_number:
            payload.update(agent_id_number=agent_id_number, power_of_attorney=power_of_attorney)
        if reason:
            payload["reason"] = reason
        if guardian_id_number:
            payload["guardian_id_number"] = guardian_id_number
        return self._post("/v1/applications", payload, idempotency_key)

    def application(self, application_id: int) -> dict:
        body = self._call("GET", f"/v1/applications/{application_id}")
        if not isinstance(body.get("state"), str):
            raise _unavailable("application: answer has no state")
        return body

    def temporary_card(self, card_number: str, idempotency_key: str | None = None) -> dict:
        return self._post(f"/v1/cards/{card_number}/temporary-card", None, idempotency_key)

    def pay(self, order_id: int, idempotency_key: str | None = None) -> dict:
        return self._post(f"/v1/fee-orders/{order_id}/pay", None, idempotency_key)

    def refund(self, order_id: int, idempotency_key: str | None = None) -> dict:
        return self._post(f"/v1/fee-orders/{order_id}/refund", None, idempotency_key)

    def start_issuance(self, application_id: int, card_id_code: bytes, session_id: str,
                       idempotency_key: str | None = None) -> dict:
        return self._post(f"/v1/applications/{application_id}/issuance",
                          {"card_id_code": card_id_code.hex(), "session_id": session_id}, idempotency_key)

    def confirm_issuance(self, card_number: str, idempotency_key: str | None = None) -> dict:
        return self._post(f"/v1/issuances/{card_number}/confirm", None, idempotency_key)

    def void_issuance(self, card_number: str, reason: str, idempotency_key: str | None = None) -> dict:
        return self._post(f"/v1/issuances/{card_number}/void", {"reason": reason}, idempotency_key)

    def enrol_insurance(self, id_number: str, name: str, scheme: str, idempotency_key: str | None = None) -> dict:
        return self._post(f"/v1/persons/{id_number}/insurance", {"name": name, "scheme": scheme}, idempotency_key)

    def send_contact_code(self, id_number: str, phone: str, idempotency_key: str | None = None) -> dict:
        """The service texts a verification code to ``phone`` (never in the answer): verification_id, expires_at."""
        return self._post(f"/v1/persons/{id_number}/contact/verifications", {"phone": phone}, idempotency_key)

    def change_contact(self, id_number: str, phone: str | None = None, address: str | None = None,
                       idempotency_key: str | None = None, verification_id: int | None = None,
                       code: str | None = None) -> dict:
        """A new ``phone`` needs the ``code`` the service texted to it (``send_contact_code``), or is refused."""
        payload = {k: v for k, v in (("phone", phone), ("address", address), ("verification_id", verification_id),
                                     ("code", code)) if v is not None}
        return self._post(f"/v1/persons/{id_number}/contact", payload, idempotency_key, method="PATCH")
