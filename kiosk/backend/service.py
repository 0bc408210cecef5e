"""The reference card-management service (FastAPI): the contract a province's system implements.

It owns the card data and enforces the rules of domain.md (kiosk/backend/rules.py) with the region's
policy profile; every refusal has a machine-readable code and citizen-facing text in Chinese and English.
Every /v1 request is signed by an enrolled kiosk and every answer is signed by the service
(kiosk/backend/auth.py). The key service performs the card cryptography for a kiosk's security module;
PINs reach it only SM4-encrypted under a session key the kiosk sent SM2-encrypted.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from typing import Annotated, Callable, Literal, Union

from fastapi import Depends, FastAPI, Header, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, StringConstraints
from starlette.exceptions import HTTPException as StarletteHTTPException

from kiosk import idnumber, masking
from kiosk.backend import card_states, contact_codes, observability, operator_view, pin_outcomes, rules, staff
from kiosk.backend.auth import SignatureMiddleware
from kiosk.backend.engines import UnstorableText
from kiosk.backend.rules import Refusal
from kiosk.backend.sms import SimulatedSms, SmsProvider
from kiosk.backend.store import Store
from kiosk.backend.store import now as store_now
from kiosk.policy import PolicyProfile
from kiosk.security import ciphers
from kiosk.security.module import SecurityModuleError, SoftSecurityModule
from kiosk.security.rules import CardIdentity
from kiosk.security.sm2 import PrivateKey, PublicKey, Sm2Error

API_VERSION = "1.0.0"
CARD_NUMBER = r"^[0-9A-Z]{9}$"
ID_NUMBER = r"^\d{17}[\dX]$"
HEX = r"^([0-9A-Fa-f]{2})*$"          # whole bytes only
SESSION_TTL_S = 600
ENROLMENT_CODE_TTL = dt.timedelta(days=7)     # codes given to create_app: an installation's week


def row_id():
    """A fresh Path() per parameter (FastAPI binds a Path object to the first name it serves); SQLite
    would overflow on larger numbers, so they are refused as 422."""
    return Path(ge=1, le=2**31 - 1)


def order_code(order_id: int) -> str:
    """A fee order's code as a counter clerk types it: "BK" and ten digits, the last a check digit (Luhn), so
    a digit typed wrong is caught rather than another citizen's order found."""
    digits = f"{order_id:09d}"
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return f"BK{digits}{(10 - total % 10) % 10}"


def refusal_body(code: str, zh: str, en: str) -> dict:
    return {"error": {"code": code, "message": {"zh": zh, "en": en}}}


@dataclass(frozen=True)
class IdempotentRequest:
    """What makes two requests "the same" for a replay: the kiosk (signed), the endpoint (method and path),
    the Idempotency-Key, and the body, by its hash."""
    kiosk_id: str
    endpoint: str
    key: str
    request_hash: str


async def idempotent_request(request: Request,
                             key: str = Header(..., alias="Idempotency-Key", min_length=16, max_length=64,
                                               pattern=r"^[A-Za-z0-9:._-]+$"),
                             kiosk_id: str = Header(..., alias="X-Kiosk-Id", min_length=1, max_length=64)
                             ) -> IdempotentRequest:
    body = await request.body()
    return IdempotentRequest(kiosk_id, f"{request.method} {request.url.path}", key, hashlib.sha256(body).hexdigest())


# -- request bodies -------------------------------------------------------------------------------------
TXN = r"^[A-Za-z0-9_-]{1,64}$"


class PinEvent(BaseModel):
    event: Literal["changed", "wrong_pin", "blocked", "reloaded", "unblocked", "outcome_unknown", "outcome_settled"]
    tries_left: int | None = Field(default=None, ge=0, le=15)
    # outcome_unknown: the command the power cut off; outcome_settled: False when it had not taken effect
    operation: Literal["changed", "reloaded", "unblocked"] | None = None
    applied: bool | None = None
    txn: str | None = Field(default=None, pattern=TXN)     # the kiosk's transaction, for staff to find it


class KioskEvent(BaseModel):
    """Something a kiosk could not settle by itself, for the hall's staff (never a PIN or an ID number)."""
    kind: Literal["old_card_captured", "pin_unreported", "issuance_unsettled", "service_write_refused",
                  "service_write_unconfirmed"]
    txn: str = Field(pattern=TXN)
    card_number: str | None = Field(default=None, pattern=CARD_NUMBER)
    note: str | None = Field(default=None, max_length=40, pattern=r"^[a-z_]*$")


class DeviceEvent(BaseModel):
    """What a kiosk's device noticed by itself (kiosk/deviceevents.py lists the same kinds), at the kiosk's
    time. Only words: no field, and no character, for a PIN, an ID number or a name."""
    model_config = ConfigDict(extra="forbid")
    at: AwareDatetime
    device: Literal["idreader", "cardreader", "printer", "cardissuer", "issuer_reader", "faceprinter", "camera"]
    kind: Literal["hopper_low", "hopper_empty", "reject_bin_near_full", "reject_bin_full", "leftover_card_captured",
                  "gate_entry_not_disabled", "paper_low", "paper_out", "reader_offline"]
    detail: str | None = Field(default=None, max_length=40, pattern=r"^[a-z_]*$")     # no digits: no number


class StaffSignIn(BaseModel):
    """A staff member's ID card, read at the kiosk, and their staff PIN SM2-encrypted to the service's key
    (kiosk/backend/staff.py): the PIN is never in clear text on the wire."""
    model_config = ConfigDict(extra="forbid")
    id_number: str = Field(pattern=ID_NUMBER)
    pin_cipher: str = Field(min_length=200, max_length=400, pattern=r"^[0-9a-f]+$")


class StaffAuditEvent(BaseModel):
    """One thing staff did in staff mode, at the kiosk's time, in the session their sign-in opened."""
    model_config = ConfigDict(extra="forbid")
    session: str = Field(pattern=r"^[0-9a-f]{32}$")
    at: AwareDatetime
    action: Literal[staff.ACTIONS]  # type: ignore[valid-type]
    detail: str | None = Field(default=None, max_length=60, pattern=r"^[a-z_]*$")
    count: int | None = Field(default=None, ge=0, le=100_000)


class Enrolment(BaseModel):
    kiosk_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")
    public_key: str = Field(max_length=1000)
    enrolment_code: str = Field(min_length=6, max_length=64)


MediaKey = Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,24}$")]
# a media value is a state word or a count: no room for a name or an ID number (18 digits are refused too)
MediaValue = Union[StrictBool, Annotated[int, Field(strict=True, ge=0, le=1_000_000)],
                   Annotated[float, Field(ge=0, le=1000)],                     # a camera's frames per second
                   Annotated[str, StringConstraints(max_length=24, pattern=r"^([a-z_]*|\d{2,4}x\d{2,4})$")], None]
COUNTERS = Literal["loaded", "since_refill", "reject_count", "dispensed", "issued", "captured"]


class DeviceReport(BaseModel):
    """One device's status as the kiosk's watch sees it (kiosk/devicestatus.py: XFS4IoT-style)."""
    model_config = ConfigDict(extra="forbid")
    device: Literal["idreader", "cardreader", "printer", "cardissuer", "issuer_reader", "faceprinter", "camera",
                    "security"]
    state: Literal["online", "offline", "busy", "hardware_error", "user_error", "no_device"]
    media: dict[MediaKey, MediaValue] = Field(default_factory=dict, max_length=12)
    vendor_code: str | None = Field(default=None, max_length=24, pattern=r"^[A-Za-z0-9=_:.-]*$")


class Heartbeat(BaseModel):
    """The kiosk's devices, the card module's counts (kiosk/hw/cardissuer/issuer.py) and whether staff
    paused it, at the watch's pace; device events come on their own, as they happen."""
    model_config = ConfigDict(extra="forbid")
    devices: list[DeviceReport] = Field(default_factory=list, max_length=20)
    counters: dict[COUNTERS, Annotated[int, Field(ge=0, le=10_000_000)]] = Field(default_factory=dict)  # type: ignore[valid-type]
    paused: bool = False
    unsettled: int = Field(default=0, ge=0, le=10_000)      # transactions open in the kiosk's journal


class StaffCall(BaseModel):
    screen: str = Field(max_length=40, pattern=r"^[a-z_]*$")
    service: str | None = Field(default=None, max_length=40, pattern=r"^[a-z_]*$")
    reason: str | None = Field(default=None, max_length=40, pattern=r"^[a-z_]*$")   # a key, never free text


class LossReport(BaseModel):
    kind: Literal["temporary", "formal"]
    id_verified: bool = False
    guardian_id_number: str | None = Field(default=None, pattern=ID_NUMBER)   # who acted, when not the holder
    agent_id_number: str | None = Field(default=None, pattern=ID_NUMBER)
    power_of_attorney: bool = False


class Release(BaseModel):
    id_verified: bool
    # who acted, when not the holder: an agent shows their own ID card too (seeds/002 "委托他人代理的，还应当提供
    # 代理人身份证件"), a guardian acts for a minor
    guardian_id_number: str | None = Field(default=None, pattern=ID_NUMBER)
    agent_id_number: str | None = Field(default=None, pattern=ID_NUMBER)
    power_of_attorney: bool = False


class Application(BaseModel):
    id_number: str = Field(pattern=ID_NUMBER)
    kind: Literal["new", "replacement", "renewal"]
    reason: str | None = Field(default=None, max_length=32)
    photo: bool | None = None        # the new card's face carries a photo (None: not said; a new card needs it)
    name_on_id: str | None = Field(default=None, min_length=1, max_length=30)   # the name the ID card carries
    guardian_id_number: str | None = Field(default=None, pattern=ID_NUMBER)
    agent_id_number: str | None = Field(default=None, pattern=ID_NUMBER)
    power_of_attorney: bool = False


class InsuranceEnrolment(BaseModel):
    name: str = Field(min_length=1, max_length=30)
    scheme: Literal["employee", "urban_rural_resident", "other"]
    phone: str | None = Field(default=None, pattern=r"^1\d{10}$")
    address: str | None = Field(default=None, max_length=100)


class ContactChange(BaseModel):
    phone: str | None = Field(default=None, pattern=r"^1\d{10}$")
    address: str | None = Field(default=None, min_length=4, max_length=100)
    # a new phone needs the code the service texted to it (POST .../contact/verifications)
    verification_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    code: str | None = Field(default=None, pattern=r"^\d{6}$")


class ContactVerification(BaseModel):
    phone: str = Field(pattern=r"^1[3-9]\d{9}$")


class IssuanceStart(BaseModel):
    card_id_code: str = Field(pattern=HEX, min_length=32, max_length=32)   # read from the blank card's EF05
    session_id: str = Field(pattern=r"^[0-9a-f]{32}$")


class IssuanceVoid(BaseModel):
    reason: str = Field(min_length=2, max_length=64)


class SessionOpen(BaseModel):
    key: str = Field(pattern=HEX, min_length=2 * 113, max_length=2 * 113)   # SM2(16-byte key): 97 + 16 bytes


class CardRef(BaseModel):
    card_id_code: str = Field(pattern=HEX, min_length=32, max_length=32)
    region: str = Field(pattern=r"^\d{6}$")
    algorithm: Literal["SM4", "3DES"]

    def identity(self) -> CardIdentity:
        return CardIdentity(bytes.fromhex(self.card_id_code), self.region, self.algorithm)

    def block_of(self, name: str, value: str) -> bytes:
        """A field that must be exactly one cipher block of the card's algorithm."""
        data = bytes.fromhex(value)
        if len(data) != ciphers.block_size(self.algorithm):
            raise Refusal(422, "bad_length", "数据长度错误",
                          f"{name} must be {ciphers.block_size(self.algorithm)} bytes for {self.algorithm}")
        return data


class ExternalAuth(CardRef):
    key_id: int = Field(ge=0, le=255)
    challenge: str = Field(pattern=HEX, min_length=16, max_length=32)


class InternalAuth(CardRef):
    random: str = Field(pattern=HEX, min_length=16, max_length=32)
    answer: str = Field(pattern=HEX, min_length=16, max_length=32)


class PinOperation(CardRef):
    session_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    challenge: str = Field(pattern=HEX, min_length=16, max_length=32)
    pin_block: str = Field(pattern=HEX, min_length=32, max_length=96)   # SM4-CBC under the session key, IV ‖ data


def create_app(store: Store, policy: PolicyProfile, key: PrivateKey, security: SoftSecurityModule | None = None,
               enrolment_codes: set[str] | None = None, clock: Callable[[], dt.datetime] | None = None,
               sms: SmsProvider | None = None, silent_after_s: float = 180.0) -> FastAPI:
    """``key``: the service's signing key, from its key custody (kiosk/backend/keycustody.py), never the database.
    ``sms``: the SMS provider that texts verification codes (a simulated one, memory only, if None).
    ``clock``: what "now" is for the rules (an aware datetime); the real time unless a test sets a day, e.g.
    a 29 February, or moves time for a loss report's lapse, since every date rule (expiry, lapse, renewal
    window, an unpaid application's end) reads it."""
    app = FastAPI(title="社保卡管理服务 (reference)", version=API_VERSION,
                  description="Card-management service contract for social security card kiosks. Every /v1 "
                              "request is SM2-signed by an enrolled kiosk; every answer is signed by the service.")
    app.add_middleware(SignatureMiddleware, store=store, service_key=key)
    for code in enrolment_codes or ():
        store.add_enrolment_code(code, ENROLMENT_CODE_TTL)
    sms = sms if sms is not None else SimulatedSms()
    # key-service sessions live in the database (any worker may serve the next request), their SM4 keys
    # wrapped under a key derived from the service's signing key, which is in the key file and not in the database
    session_wrap = ciphers.Sm4(key.derived_secret(b"sbk key-session wrap", 16))

    @app.exception_handler(Refusal)
    async def _refused(_: Request, exc: Refusal):
        return JSONResponse(refusal_body(exc.code, exc.zh, exc.en), status_code=exc.status)

    @app.exception_handler(SecurityModuleError)
    async def _key_refused(_: Request, exc: SecurityModuleError):
        return JSONResponse(refusal_body("key_service_refused", exc.zh, exc.en), status_code=422)

    @app.exception_handler(UnstorableText)
    async def _unstorable(_: Request, exc: UnstorableText):
        return JSONResponse(refusal_body("invalid_request", "请求格式错误", f"Invalid request: {exc}"), status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError):
        fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
        return JSONResponse(refusal_body("invalid_request", "请求格式错误", f"Invalid request: {fields}"),
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException):
        code, zh = {404: ("not_found", "请求的地址不存在"), 405: ("method_not_allowed", "请求方式不支持"),
                    400: ("bad_request", "请求格式错误")}.get(exc.status_code, ("http_error", "请求无法处理"))
        return JSONResponse(refusal_body(code, zh, str(exc.detail)), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _bug(_: Request, exc: Exception):      # never a stack trace to the caller
        import logging
        logging.getLogger(__name__).exception("unexpected error")
        return JSONResponse(refusal_body("internal", "系统繁忙，请稍后再试", "Internal error; please retry later"),
                            status_code=500)

    def now() -> dt.datetime:       # shadows store.now inside the app: the rules' clock
        return clock() if clock is not None else store_now()

    def today() -> dt.date:
        return now().date()


    def lapse(card) -> dict:
        """A temporary loss report lapses by itself after the region's period (domain.md §6), back to the state
        the card had before the report (card_states: temporary_loss_lapsed). Written when the card is read;
        read again inside the transaction, so two readers at once lapse it once."""
        card = dict(card)
        if card["state"] == card_states.TEMP_LOST and card["lost_until"] and \
                dt.datetime.fromisoformat(card["lost_until"]) <= now():
            with store.transaction() as db:
                row = db.execute("SELECT * FROM cards WHERE card_number = ?", (card["card_number"],)).fetchone()
                if row["state"] == card_states.TEMP_LOST:
                    card_states.move(store, db, row, "temporary_loss_lapsed", "temp_loss_lapsed", None)
            card = dict(store.card(card["card_number"]))
        return card

    def void_unpaid(db, where: str, *args) -> None:
        """Void the applications still awaiting payment that ``where`` selects, and their orders: an unpaid
        application is not a replacement (domain.md §7) and leaves nothing to pay."""
        ids = [r["id"] for r in db.execute(f"SELECT id FROM applications WHERE state = 'awaiting_payment' AND {where}",
                                           args)]
        for application_id in ids:
            db.execute("UPDATE applications SET state = 'void' WHERE id = ?", (application_id,))
            db.execute("UPDATE fee_orders SET state = 'void' WHERE application_id = ? AND state = 'unpaid'",
                       (application_id,))

    def end_unpaid() -> None:
        """An application not paid within the profile's hours ends (policy.unpaid_application_hours, a
        documented decision): read before any rule looks at applications, as lapse() is for loss reports."""
        cutoff = (now() - dt.timedelta(hours=policy.unpaid_application_hours)).isoformat()
        # a read first (an index lookup): most requests find nothing to end and take no write lock for it
        if not store.query("SELECT 1 FROM applications WHERE state = 'awaiting_payment' AND created_at <= ? "
                           "LIMIT 1", cutoff):
            return
        with store.transaction() as db:
            void_unpaid(db, "created_at <= ?", cutoff)

    def blocking_application(id_number: str):
        """The holder's application that stops another: one accepted, being made or in production — never
        one voided or still unpaid (an unpaid one is superseded by the next application)."""
        rows = store.query("SELECT * FROM applications WHERE id_number = ? AND state NOT IN ('done', 'void', "
                           "'awaiting_payment') ORDER BY created_at DESC LIMIT 1", id_number)
        return rows[0] if rows else None

    def swap_used(id_number: str) -> bool:
        """This person was granted the free generation swap before (seeds/000 "首次": the first time only)."""
        return bool(store.query("SELECT 1 FROM applications WHERE id_number = ? AND fee_waiver = ? AND state != 'void'",
                                id_number, rules.GENERATION_SWAP_WAIVER))

    def replacement_quote(card: dict) -> dict:
        """What replacing or renewing this card costs today, for the kiosk to show before the old card goes in
        (the service decides; the kiosk follows): fee_fen None where the region sets no fee (the counter)."""
        used = swap_used(card["id_number"])
        try:
            fee = rules.replacement_fee(policy, card, used, today())
        except Refusal:
            fee = None
        return {"fee_fen": fee, "generation_swap_free": rules.generation_swap_waived(policy, card, used, today()),
                "generation": card.get("generation"), "bank": card.get("bank"),
                "photo_due": rules.photo_card_due(policy, store.person(card["id_number"]), card, today())}

    def public_card(card: dict) -> dict:
        # bank and generation: what the card's expiry means for it (seeds/000 names the banks)
        return {**{k: card[k] for k in ("card_number", "state", "issue_date", "expiry_date", "lost_until", "region")},
                **{k: card[k] if k in card.keys() else None for k in ("bank", "generation")},
                "pin_outcome_unknown": pin_outcomes.shown(store, card["card_number"])}

    def known_card(card_number: str) -> dict:
        if not re.match(CARD_NUMBER, card_number):
            raise Refusal(422, "invalid_card_number", "卡号格式错误", "The card number is not valid")
        card = store.card(card_number)
        if card is None:
            raise Refusal(404, "card_not_found", "未找到此社保卡的记录，请到窗口办理",
                          "No record of this card; please go to a counter")
        return lapse(card)

    def known_person(id_number: str):
        if idnumber.problem(id_number):
            raise Refusal(422, "invalid_id_number", "身份证号码格式错误", "The ID number is not valid")
        person = store.person(id_number)
        if person is None:
            raise Refusal(404, "person_not_found", "未查询到您的参保信息，请先办理参保登记；如您的身份证号码已变更，"
                          "请携带本人身份证原件到参保地社保经办机构办理个人信息变更",
                          "You are not registered for social insurance; please enrol first. If your ID number "
                          "changed, take your ID card to the social insurance agency where you are insured to have "
                          "the change recorded")
        return person

    def idempotent(request: IdempotentRequest, work):
        """Run ``work`` once per (kiosk, endpoint, key): the check, the change and the record of the answer
        in one transaction, so a second request with the key — at once or later — waits and gets the first
        one's answer. The same key with another body is refused; a refusal is not remembered (the
        same request may succeed later)."""
        with store.transaction() as db:
            seen = store.remembered(db, request.kiosk_id, request.endpoint, request.key)
            if seen is not None:
                request_hash, status, body = seen
                if request_hash != request.request_hash:
                    raise Refusal(422, "idempotency_key_reused", "请求编号重复，请重新办理",
                                  "This Idempotency-Key was used for another request")
                return JSONResponse(body, status_code=status)
            result = work()
            store.remember(db, request.kiosk_id, request.endpoint, request.key, request.request_hash, 200, result)
        return result

    IdemKey = Depends(idempotent_request)
    KioskId = Header(..., alias="X-Kiosk-Id", min_length=1, max_length=64)

    # -- open ---------------------------------------------------------------------------------------------
    @app.get("/v1/health")
    def health():
        return {"status": "ok", "version": API_VERSION, "policy": policy.key}

    @app.get("/v1/ready")
    def ready():
        """Readiness for a load balancer: the database answers (the key was loaded before the app existed)."""
        try:
            store.query("SELECT 1")
        except Exception:
            raise Refusal(503, "database_unavailable", "数据库暂不可用", "The database does not answer") from None
        return {"status": "ready"}

    @app.get("/metrics", include_in_schema=False)
    def metrics():
        from fastapi.responses import Response
        body, content_type = observability.metrics_text()
        return Response(body, media_type=content_type)

    @app.get("/v1/service-key")
    def service_public_key():
        return {"public_key": key.public.to_pem()}

    # -- kiosks -------------------------------------------------------------------------------------------
    @app.post("/v1/kiosks")
    def enrol(body: Enrolment, kiosk_id: str = KioskId):
        if body.kiosk_id != kiosk_id:
            raise Refusal(422, "kiosk_id_mismatch", "终端编号不一致", "X-Kiosk-Id differs from the body's kiosk_id")
        try:
            pem_text = PublicKey.from_pem(body.public_key).to_pem()
        except Sm2Error:
            raise Refusal(422, "bad_key", "终端公钥格式错误", "public_key is not an SM2 public key PEM") from None
        enrolled = store.enrol_kiosk(body.kiosk_id, pem_text, body.enrolment_code)
        if enrolled == "bad_code":
            raise Refusal(403, "bad_enrolment_code", "注册码无效、已使用或已过期，请联系管理员",
                          "The enrolment code is not valid, was used by another kiosk, or has expired")
        if enrolled == "taken":
            raise Refusal(409, "kiosk_id_taken", "该终端编号已注册", "This kiosk id is enrolled with another key")
        return {"kiosk_id": body.kiosk_id, "service_public_key": key.public.to_pem()}

    @app.post("/v1/kiosks/{kiosk}/heartbeat")
    def heartbeat(kiosk: str, body: Heartbeat, kiosk_id: str = KioskId):
        if kiosk != kiosk_id:
            raise Refusal(403, "other_kiosk", "不能代替其他终端上报", "A kiosk reports only for itself")
        store.heartbeat(kiosk_id, [d.model_dump() for d in body.devices], body.counters, body.paused, body.unsettled)
        return {"kiosk_id": kiosk_id, "server_time": int(time.time())}

    @app.post("/v1/kiosks/{kiosk}/staff-calls")
    def call_staff(kiosk: str, body: StaffCall, kiosk_id: str = KioskId):
        """A citizen pressed "call staff": the hall's staff console lists open calls (which screen, which
        service; never who the citizen is)."""
        if kiosk != kiosk_id:
            raise Refusal(403, "other_kiosk", "不能代替其他终端呼叫", "A kiosk calls only for itself")
        call_id = store.staff_call(kiosk_id, body.screen, body.service, body.reason)
        return {"kiosk_id": kiosk_id, "call_id": call_id, "state": "open"}

    @app.post("/v1/kiosks/{kiosk}/events")
    def kiosk_event(kiosk: str, body: KioskEvent, idempotency_key: str = IdemKey, kiosk_id: str = KioskId):
        """What a kiosk could not settle by itself (an old card captured at start-up, a PIN event it could
        not deliver in time): a staff event, and a card event when the card is known."""
        if kiosk != kiosk_id:
            raise Refusal(403, "other_kiosk", "不能代替其他终端上报", "A kiosk reports only for itself")

        def work():
            with store.transaction() as db:
                event_id = store.add_staff_event(db, kiosk_id, body.kind, body.card_number, body.txn, body.note)
                if body.card_number and db.execute("SELECT 1 FROM cards WHERE card_number = ?",
                                                   (body.card_number,)).fetchone():
                    store.add_event(db, body.card_number, f"kiosk_{body.kind}", kiosk_id,
                                    {"txn": body.txn, **({"note": body.note} if body.note else {})})
            return {"id": event_id, "kind": body.kind, "state": "open"}
        return idempotent(idempotency_key, work)

    @app.post("/v1/kiosks/{kiosk}/device-events")
    def device_event(kiosk: str, body: DeviceEvent, idempotency_key: str = IdemKey, kiosk_id: str = KioskId):
        """A device event (hopper empty, paper out, ...): a staff event with the device and the kiosk's time,
        kept once per idempotency key (a kiosk resends what it is not sure was taken)."""
        if kiosk != kiosk_id:
            raise Refusal(403, "other_kiosk", "不能代替其他终端上报", "A kiosk reports only for itself")

        def work():
            with store.transaction() as db:
                event_id = store.add_staff_event(db, kiosk_id, body.kind, None, None, body.detail,
                                                 device=body.device, at=body.at.isoformat())
            return {"id": event_id, "kind": body.kind, "state": "open"}
        return idempotent(idempotency_key, work)

    @app.post("/v1/kiosks/{kiosk}/staff-sessions")
    def staff_sign_in(kiosk: str, body: StaffSignIn, kiosk_id: str = KioskId):
        """Staff mode at a kiosk: the staff member's own ID card and staff PIN, checked here (staff are
        registered at the service, never in a kiosk). Answers a session that audit events name."""
        if kiosk != kiosk_id:
            raise Refusal(403, "other_kiosk", "不能代替其他终端登录", "A kiosk signs staff in only for itself")
        pin = staff.pin_from_cipher(key, kiosk_id, body.pin_cipher)
        return staff.sign_in(store, kiosk_id, body.id_number, pin, now())

    @app.post("/v1/kiosks/{kiosk}/staff-audit")
    def staff_audit(kiosk: str, body: StaffAuditEvent, idempotency_key: str = IdemKey, kiosk_id: str = KioskId):
        if kiosk != kiosk_id:
            raise Refusal(403, "other_kiosk", "不能代替其他终端上报", "A kiosk reports only for itself")
        return idempotent(idempotency_key, lambda: staff.audit(store, kiosk_id, body.session, body.action, body.at,
                                                               body.detail, body.count))

    @app.get("/v1/staff/audit")
    def staff_audit_trail(kiosk_id: str = KioskId):
        """What staff did at the asking kiosk, newest first (staff number and name, action, count; never a
        PIN). A kiosk reads only its own trail; the operator view (/operator) shows every kiosk's."""
        return {"audit": [{k: a[k] for k in ("id", "kiosk_id", "staff_no", "name", "at", "action", "detail", "count")}
                          for a in staff.trail(store, kiosk_id)]}

    @app.get("/v1/staff/events")
    def list_staff_events(kiosk: str | None = None):
        """The staff console's list of open events, oldest first, optionally for one kiosk; a device event
        names its device (None for the others)."""
        return {"events": [{k: e[k] for k in ("id", "kiosk_id", "at", "kind", "device", "card_number", "txn", "note",
                                              "state")}
                           for e in store.staff_events(kiosk)]}

    # -- persons and cards --------------------------------------------------------------------------------
    @app.get("/v1/persons/{id_number}/card-status")
    def card_status(id_number: str):
        person = known_person(id_number)
        card = store.current_card(id_number) or store.last_card(id_number)
        end_unpaid()
        application = store.open_application(id_number)
        return {
            "person": {"id_number": id_number, "name": person["name"], "insured": bool(person["insured"]),
                       # masked: the kiosk shows it to confirm a change, and never needs the whole number
                       "phone_masked": masking.phone(person["phone"]) if person["phone"] else None},
            "card": (card := public_card(lapse(card)) if card else None),
            "ecard": card_states.ecard_use(card["state"] if card else None),
            "replacement": replacement_quote(dict(current)) if (current := store.current_card(id_number)) else None,
            "application": ({"id": application["id"], "kind": application["kind"], "state": application["state"],
                             "created_at": application["created_at"]} if application else None),
        }

    @app.post("/v1/persons/{id_number}/insurance")
    def enrol_insurance(id_number: str, body: InsuranceEnrolment, idempotency_key: str = IdemKey,
                        kiosk_id: str = KioskId):
        """Insurance enrolment (参保登记): any scheme makes a person insured, and so able to apply."""
        if idnumber.problem(id_number):
            raise Refusal(422, "invalid_id_number", "身份证号码格式错误", "The ID number is not valid")

        def work():
            birth = rules.birth_of(id_number)
            gender = "1" if int(id_number[16]) % 2 else "2"
            with store.transaction() as db:
                if db.execute("SELECT 1 FROM persons WHERE id_number = ?", (id_number,)).fetchone():
                    db.execute("UPDATE persons SET insured = 1 WHERE id_number = ?", (id_number,))
                else:
                    db.execute("INSERT INTO persons (id_number, name, gender, birth_date, address, phone, region, "
                               "insured) VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
                               (id_number, body.name, gender, birth.isoformat(), body.address, body.phone,
                                policy.region_code))
            return {"id_number": id_number, "insured": True, "scheme": body.scheme}
        return idempotent(idempotency_key, work)

    @app.post("/v1/persons/{id_number}/contact/verifications")
    def contact_verification(id_number: str, body: ContactVerification, idempotency_key: str = IdemKey,
                             kiosk_id: str = KioskId):
        """Text a verification code to a new contact phone (kiosk/backend/contact_codes.py). The answer never
        carries the code; a replay with the same key answers the first code's id and sends nothing."""
        known_person(id_number)
        return idempotent(idempotency_key,
                          lambda: contact_codes.send(store, sms, id_number, body.phone, kiosk_id, now()))

    @app.patch("/v1/persons/{id_number}/contact")
    def change_contact(id_number: str, body: ContactChange, idempotency_key: str = IdemKey,
                       kiosk_id: str = KioskId):
        known_person(id_number)
        if body.phone is None and body.address is None:
            raise Refusal(422, "nothing_to_change", "请填写要变更的信息", "Give a phone number or an address")
        with store.transaction() as db:       # a replay of a change already made answers as it did, code spent
            replay = store.remembered(db, idempotency_key.kiosk_id, idempotency_key.endpoint, idempotency_key.key)
        code_id = None
        if body.phone is not None and replay is None:
            # the number is the holder's only once the code texted to it comes back (a wrong one is counted)
            code_id = contact_codes.check(store, id_number, body.phone, body.verification_id, body.code, now())

        def work():
            with store.transaction() as db:
                if code_id is not None:
                    contact_codes.use(db, code_id)
                if body.phone is not None:
                    db.execute("UPDATE persons SET phone = ? WHERE id_number = ?", (body.phone, id_number))
                if body.address is not None:
                    db.execute("UPDATE persons SET address = ? WHERE id_number = ?", (body.address, id_number))
            return {"id_number": id_number,
                    "changed": [k for k in ("phone", "address") if getattr(body, k)],
                    "phone_masked": masking.phone(body.phone) if body.phone else None}
        return idempotent(idempotency_key, work)

    @app.get("/v1/cards/{card_number}")
    def get_card(card_number: str):
        return public_card(known_card(card_number))

    @app.get("/v1/cards/{card_number}/history")
    def card_history(card_number: str):
        known_card(card_number)
        return {"card_number": card_number,
                "events": [{k: e[k] for k in ("at", "kind")} for e in store.events(card_number)]}

    @app.post("/v1/cards/{card_number}/pin-events")
    def pin_event(card_number: str, body: PinEvent, idempotency_key: str = IdemKey, kiosk_id: str = KioskId):
        def work():
            card = known_card(card_number)
            if body.event in pin_outcomes.EVENTS:
                return pin_outcomes.record(store, card, body.event, body.operation, body.applied, body.txn, kiosk_id)
            # what the chip did, told after the fact: the state machine says what it does to the card's state
            # (a lock over sealed stays sealed underneath; under a loss report the report stays) and refuses it
            # on a card that is cancelled, void or not issued yet
            transition = card_states.for_pin_event(body.event, card_states.CardState.of(card))
            with store.transaction() as db:
                after = card_states.move(store, db, card, transition, f"pin_{body.event}", kiosk_id,
                                         {"tries_left": body.tries_left} if body.tries_left is not None else None)
                if card_states.activates(transition, after):
                    row = db.execute("SELECT * FROM cards WHERE card_number = ?", (card_number,)).fetchone()
                    after = card_states.move(store, db, row, "activation", "pin_activated", kiosk_id,
                                             {"by": transition})
                if body.event in pin_outcomes.SETTLING:
                    pin_outcomes.settle(store, db, card_number, kiosk_id, body.event)
            return {"card_number": card_number, "state": after.state, "recorded": body.event}
        return idempotent(idempotency_key, work)

    @app.post("/v1/cards/{card_number}/loss-reports")
    def report_loss(card_number: str, body: LossReport, idempotency_key: str = IdemKey, kiosk_id: str = KioskId):
        def work():
            card = known_card(card_number)
            transition = {"temporary": "temporary_loss_report", "formal": "formal_loss_report"}[body.kind]
            refused = card_states.refusal(card_states.CardState.of(card), transition)
            if refused is not None:
                raise refused
            rules.require_agent(body.agent_id_number, body.power_of_attorney, card["id_number"], today())
            until = rules.loss_report(policy, body.kind, body.id_verified, now())
            acted = {k: v for k, v in (("guardian", body.guardian_id_number), ("agent", body.agent_id_number)) if v}
            with store.transaction() as db:
                after = card_states.move(store, db, card, transition, f"loss_{body.kind}", kiosk_id, acted,
                                         lost_until=until)
            return {"card_number": card_number, "state": after.state, "lapses_at": until}
        return idempotent(idempotency_key, work)

    @app.post("/v1/cards/{card_number}/release")
    def release(card_number: str, body: Release, idempotency_key: str = IdemKey, kiosk_id: str = KioskId):
        def work():
            card = known_card(card_number)
            end_unpaid()
            # replaced: a replacement accepted (paid or free), being made or made; never one voided or unpaid
            # (seeds/003 "在未补卡前找回"; domain.md §7: an unpaid or abandoned application is not a replacement)
            replaced = bool(store.query("SELECT 1 FROM applications WHERE card_number = ? AND kind = 'replacement' "
                                        "AND state NOT IN ('void', 'refused', 'awaiting_payment')", card_number))
            refused = card_states.refusal(card_states.CardState.of(card), "release")
            if refused is not None:
                raise refused
            rules.release(policy, card, replaced, body.id_verified)
            rules.require_agent(body.agent_id_number, body.power_of_attorney, card["id_number"], today())
            acted = {k: v for k, v in (("guardian", body.guardian_id_number), ("agent", body.agent_id_number)) if v}
            with store.transaction() as db:        # back to the state before the report (domain.md §6)
                # the card is found: an unpaid replacement of it has nothing left to replace
                void_unpaid(db, "card_number = ? AND kind = 'replacement'", card_number)
                after = card_states.move(store, db, card, "release", "loss_released", kiosk_id, acted)
            return {"card_number": card_number, "state": after.state}
        return idempotent(idempotency_key, work)

    @app.post("/v1/cards/{card_number}/temporary-card")
    def temporary_card(card_number: str, idempotency_key: str = IdemKey, kiosk_id: str = KioskId):
        """A temporary card while the replacement is made: social-security function only, limited validity."""
        def work():
            card = known_card(card_number)
            end_unpaid()
            pending = bool(store.query("SELECT 1 FROM applications WHERE card_number = ? AND kind IN "
                                       "('replacement', 'renewal') AND state NOT IN ('done', 'void')", card_number))
            valid_until = rules.temporary_card(policy, card, pending, today())
            with store.transaction() as db:
                # kept as a record of its own: it must be cancelled when the new card is collected (seeds/002)
                temp_id = db.execute("INSERT INTO temporary_cards (id_number, card_number, issued_at, valid_until) "
                                     "VALUES (?, ?, ?, ?) RETURNING id", (card["id_number"], card_number,
                                                                         now().isoformat(),
                                                                         valid_until.isoformat())).fetchone()[0]
                store.add_event(db, card_number, "temporary_card", kiosk_id, {"valid_until": valid_until.isoformat(),
                                                                              "id": temp_id})
            return {"card_number": card_number, "temporary_card": {"id": temp_id, "state": "active",
                                                                    "valid_until": valid_until.isoformat(),
                                                                    "financial_function": False}}
        return idempotent(idempotency_key, work)

    # -- applications and fees ----------------------------------------------------------------------------
    def application_view(row) -> dict:
        order = store.query("SELECT * FROM fee_orders WHERE application_id = ? ORDER BY id DESC LIMIT 1", row["id"])
        issuing = store.query("SELECT card_number FROM cards WHERE application_id = ? AND state = 'issuing'", row["id"])
        return {"id": row["id"], "id_number": row["id_number"], "kind": row["kind"], "reason": row["reason"],
                "state": row["state"], "card_number": row["card_number"], "fee_fen": row["fee_fen"],
                # the number being issued now: a kiosk that lost the answer to start-issuance voids it
                "issuing_card": issuing[0]["card_number"] if issuing else None,
                "fee_order": fee_order_view(order[0]) if order else None}

    def fee_order_view(order) -> dict:
        """One fee order, however it is paid: the QR on the kiosk's screen and the counter slip carry the same
        order (its QR is ``pay_qr``, its code ``order_code`` for the counter to type), so a slip never makes a
        second order and an order paid once cannot be paid again. ``pay_by``: when it becomes void unpaid."""
        pay_by = dt.datetime.fromisoformat(order["created_at"]) + dt.timedelta(hours=policy.unpaid_application_hours)
        return {"id": order["id"], "state": order["state"], "amount_fen": order["amount_fen"],
                "pay_qr": f"sbkpay://order/{order['id']}", "order_code": order_code(order["id"]),
                "pay_by": pay_by.isoformat()}

    @app.post("/v1/applications")
    def apply(body: Application, idempotency_key: str = IdemKey, kiosk_id: str = KioskId):
        def work():
            person = known_person(body.id_number)
            card = store.current_card(body.id_number)
            card = lapse(card) if card else None
            end_unpaid()
            pending = blocking_application(body.id_number)
            rules.require_agent(body.agent_id_number, body.power_of_attorney, body.id_number, today())
            rules.require_recorded_name(person, body.name_on_id)
            fee = 0
            used = swap_used(body.id_number)
            if body.kind == "new":
                rules.new_card(policy, person, card, pending, body.photo, body.guardian_id_number, today())
            elif body.kind == "replacement":
                fee = rules.replacement(policy, person, card, pending, body.reason or "", body.guardian_id_number,
                                        today(), swap_used=used, photo=body.photo)
            else:
                fee = rules.renewal(policy, person, card, pending, body.guardian_id_number, today(), swap_used=used)
            # the free swap is granted once: recorded with the application that used it
            waiver = rules.GENERATION_SWAP_WAIVER if body.kind != "new" and card is not None and \
                rules.generation_swap_waived(policy, card, used, today()) else None
            state = "awaiting_payment" if fee else "accepted"
            with store.transaction() as db:
                void_unpaid(db, "id_number = ?", body.id_number)     # superseded: one order to pay, not two
                cur = db.execute("INSERT INTO applications (id_number, kind, state, created_at, reason, card_number, "
                                 "guardian, fee_fen, kiosk_id, fee_waiver, photo, agent) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                 (body.id_number, body.kind, state, now().isoformat(), body.reason,
                                  card["card_number"] if card else None, body.guardian_id_number, fee, kiosk_id,
                                  waiver, None if body.photo is None else int(body.photo), body.agent_id_number))
                application_id = cur.fetchone()[0]
                if fee:
                    db.execute("INSERT INTO fee_orders (application_id, amount_fen, state, created_at) VALUES "
                               "(?, ?, 'unpaid', ?)", (application_id, fee, now().isoformat()))
            return application_view(store.query("SELECT * FROM applications WHERE id = ?", application_id)[0])
        return idempotent(idempotency_key, work)

    def known_application(application_id: int):
        rows = store.query("SELECT * FROM applications WHERE id = ?", application_id)
        if not rows:
            raise Refusal(404, "application_not_found", "未找到此申请", "No such application")
        return rows[0]

    @app.get("/v1/applications/{application_id}")
    def get_application(application_id: int = row_id()):
        end_unpaid()
        return application_view(known_application(application_id))

    def known_order(order_id: int):
        rows = store.query("SELECT * FROM fee_orders WHERE id = ?", order_id)
        if not rows:
            raise Refusal(404, "order_not_found", "未找到此缴费订单", "No such fee order")
        return rows[0]

    @app.post("/v1/fee-orders/{order_id}/pay")
    def pay(order_id: int = row_id(), idempotency_key: str = IdemKey, kiosk_id: str = KioskId):
        """The simulated payment provider: the simulator panel "scans" the order's QR code and pays."""
        def work():
            end_unpaid()
            order = known_order(order_id)
            if order["state"] == "void":
                raise Refusal(409, "order_void", "此缴费订单已失效（超时未缴费，或已重新申请），未扣款；请重新办理补换卡",
                              "This fee order is no longer valid (not paid in time, or a new application replaced "
                              "it); nothing was charged. Please apply for the replacement again")
            with store.transaction() as db:
                paid = db.execute("UPDATE fee_orders SET state = 'paid', paid_at = ? WHERE id = ? AND state = 'unpaid'",
                                  (now().isoformat(), order_id)).rowcount
                if not paid:
                    raise Refusal(409, "not_payable", "此订单已支付或已退款", "This order is already paid or refunded")
                db.execute("UPDATE applications SET state = 'accepted' WHERE id = ? AND state = 'awaiting_payment'",
                           (order["application_id"],))
            return {"id": order_id, "state": "paid", "amount_fen": order["amount_fen"]}
        return idempotent(idempotency_key, work)

    @app.post("/v1/fee-orders/{order_id}/refund")
    def refund(order_id: int = row_id(), idempotency_key: str = IdemKey, kiosk_id: str = KioskId):
        def work():
            order = known_order(order_id)
            with store.transaction() as db:
                refunded = db.execute("UPDATE fee_orders SET state = 'refunded', refunded_at = ? WHERE id = ? AND "
                                      "state = 'paid'", (now().isoformat(), order_id)).rowcount
                if not refunded:
                    raise Refusal(409, "not_refundable", "此订单未支付，无需退款", "This order is not paid")
                db.execute("UPDATE applications SET state = 'void' WHERE id = ?", (order["application_id"],))
            return {"id": order_id, "state": "refunded", "amount_fen": order["amount_fen"]}
        return idempotent(idempotency_key, work)

    # -- instant issuance (立等可取) ------------------------------------------------------------------------
    def seal(session_id: str, kiosk_id: str, plain: bytes) -> str:
        """SM4-CBC under the kiosk's session key, IV ‖ ciphertext, 80 00… padded: personalisation data."""
        import os as _os
        return ciphers.cbc_encrypt(ciphers.Sm4(session_key(session_id, kiosk_id)), _os.urandom(16),
                                   ciphers.pad(plain, 16)).hex()

    @app.post("/v1/applications/{application_id}/issuance")
    def start_issuance(body: IssuanceStart, application_id: int = row_id(), idempotency_key: str = IdemKey,
                       kiosk_id: str = KioskId):
        """Allocate the card number and hand the kiosk the chip's personalisation data, encrypted."""
        def work():
            application = known_application(application_id)
            person = known_person(application["id_number"])
            issued = today()
            with store.transaction() as db:
                taken = db.execute("UPDATE applications SET state = 'issuing' WHERE id = ? AND state = 'accepted'",
                                   (application_id,)).rowcount
                if not taken:
                    raise Refusal(409, "not_ready_for_issuance", "此申请尚未受理或未缴费，不能制卡",
                                  "The application is not accepted (or not paid) yet")
                # every attempt gets its own number, never one voided before (numbers only grow); a range on the
                # primary key, not LIKE 'A%', which SQLite answers by reading every card
                last = db.execute("SELECT MAX(card_number) AS n FROM cards WHERE card_number >= 'A' "
                                  "AND card_number < 'B'").fetchone()["n"]
                card_number = f"A{int(last[1:]) + 1 if last else 1:08d}"
                expiry = rules.card_expiry(issued)
                # every card made here is 3rd generation (EF05 03 "3.00" below); its face has a photo unless the
                # application was made without one (a child under 7, seeds/003)
                db.execute("INSERT INTO cards (card_number, id_number, region, state, issue_date, expiry_date, "
                           "lost_until, updated_at, application_id, generation, photo) "
                           "VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, 3, ?)",
                           (card_number, person["id_number"], person["region"],
                            card_states.apply(card_states.CardState(card_states.NEW), "issuance_started").state,
                            issued.isoformat(), expiry.isoformat(), now().isoformat(), application_id,
                            0 if application["photo"] == 0 else 1))
                store.add_event(db, card_number, "issuance_started", kiosk_id, {"application": application_id})
            name = person["name"].encode("gb18030")      # GBK; rare characters in their GB18030 form
            records = {
                "ef05": {"01": body.card_id_code.upper(), "02": b"1".hex(), "03": b"3.00".hex(),
                         "04": (person["region"] + "000000").ljust(24, "F"), "05": issued.strftime("%Y%m%d"),
                         "06": expiry.strftime("%Y%m%d"), "07": card_number.encode().hex()},
                "ef06": {"08": person["id_number"].encode().hex(), "09": name[:30].ljust(30, b"\0").hex(),
                         "0A": person["gender"].encode().hex(), "0B": "01",
                         "0C": person["region"].ljust(6, "F"), "0D": person["birth_date"].replace("-", "")},
            }
            if len(name) > 30:
                records["ef06"]["4E"] = name[30:50].ljust(20, b"\0").hex()
            import json as _json
            return {"card_number": card_number, "application_id": application_id,
                    "personalisation": seal(body.session_id, kiosk_id, _json.dumps(records).encode())}
        return idempotent(idempotency_key, work)

    def application_of(db, card: dict):
        """The application a card is being issued for (older rows without the link: the holder's issuing one)."""
        if card.get("application_id"):
            return db.execute("SELECT * FROM applications WHERE id = ?", (card["application_id"],)).fetchone()
        return db.execute("SELECT * FROM applications WHERE state = 'issuing' AND id_number = ? ORDER BY id DESC "
                          "LIMIT 1", (card["id_number"],)).fetchone()

    def issuing_card(card_number: str, transition: str) -> dict:
        card = known_card(card_number)
        refused = card_states.refusal(card_states.CardState.of(card), transition)
        if refused is not None:
            raise refused
        return card

    @app.post("/v1/issuances/{card_number}/confirm")
    def confirm_issuance(card_number: str, idempotency_key: str = IdemKey, kiosk_id: str = KioskId):
        """The citizen took the card: it is issued sealed (未启用) until the first PIN change."""
        def work():
            card = issuing_card(card_number, "issuance_confirmed")
            with store.transaction() as db:
                after = card_states.move(store, db, card, "issuance_confirmed", "issued", kiosk_id)
                application = application_of(db, card)
                if application is not None:
                    db.execute("UPDATE applications SET state = 'done' WHERE id = ?", (application["id"],))
                    old = application["card_number"]       # the card a replacement takes back, if any
                    old_card = store.card(old) if old and old != card_number else None
                    # an old card already cancelled (at a counter, meanwhile) is not cancelled twice: the new
                    # card is the citizen's either way
                    if old_card is not None and card_states.refusal(card_states.CardState.of(old_card),
                                                                    "replacement_made") is None:
                        card_states.move(store, db, old_card, "replacement_made", "replaced", kiosk_id,
                                         {"by": card_number})
                # seeds/002 "持卡人在领取新卡时须办理临时社会保障卡注销手续": the holder's temporary card ends as the
                # new card is collected
                ended = db.execute("UPDATE temporary_cards SET state = 'cancelled', cancelled_at = ?, cancelled_by = ? "
                                   "WHERE id_number = ? AND state = 'active'",
                                   (now().isoformat(), card_number, card["id_number"])).rowcount
                if ended:
                    store.add_event(db, card_number, "temporary_card_cancelled", kiosk_id, {"count": ended})
            return {"card_number": card_number, "state": after.state, "temporary_cards_cancelled": ended}
        return idempotent(idempotency_key, work)

    @app.post("/v1/issuances/{card_number}/void")
    def void_issuance(card_number: str, body: IssuanceVoid, idempotency_key: str = IdemKey,
                      kiosk_id: str = KioskId):
        """The card was captured (jam, not taken, failed check): void the number; the application may retry."""
        def work():
            card = issuing_card(card_number, "issuance_voided")
            with store.transaction() as db:
                card_states.move(store, db, card, "issuance_voided", "issuance_voided", kiosk_id,
                                 {"reason": body.reason})
                application = application_of(db, card)
                if application is not None:
                    db.execute("UPDATE applications SET state = 'accepted' WHERE id = ? AND state = 'issuing'",
                               (application["id"],))
            return {"card_number": card_number, "state": card_states.VOID}
        return idempotent(idempotency_key, work)

    # -- key service (the HSM behind a kiosk's security module) -------------------------------------------
    def module() -> SoftSecurityModule:
        if security is None:
            raise Refusal(503, "no_key_service", "密钥服务未开通", "This service has no key service")
        return security

    def session_key(session_id: str, kiosk_id: str) -> bytes:
        wrapped = store.key_session(session_id, kiosk_id)
        if wrapped is None:
            raise Refusal(401, "no_session", "安全会话已过期，请重试", "The secure session expired; retry")
        return session_wrap.decrypt_block(bytes.fromhex(wrapped))

    def open_pin_block(body: PinOperation, kiosk_id: str) -> tuple[int, bytearray]:
        """Decrypt the PIN block the kiosk sent: SM4-CBC, IV ‖ ciphertext, 80 00… padded digits‖BCD."""
        try:
            plain = ciphers.cbc_decrypt(ciphers.Sm4(session_key(body.session_id, kiosk_id)),
                                        bytes.fromhex(body.pin_block))
        except ValueError:
            raise Refusal(422, "bad_pin_block", "密码数据格式错误", "Malformed PIN block") from None
        digits = plain[0] if plain else 0
        size = (digits + 1) // 2
        if not 4 <= digits <= 12 or plain[1 + size:2 + size] != b"\x80":
            raise Refusal(422, "bad_pin_block", "密码数据格式错误", "Malformed PIN block")
        return digits, plain[1:1 + size]

    def pin_of(digits: int, bcd: bytearray):
        from kiosk.pin import PinBuffer, wipe
        try:
            return PinBuffer.typed(bcd.hex().upper()[:digits])
        except ValueError:                 # a nibble that is not a digit
            raise Refusal(422, "bad_pin_block", "密码数据格式错误", "Malformed PIN block") from None
        finally:
            wipe(bcd)

    @app.post("/v1/keys/sessions")
    def open_session(body: SessionOpen, kiosk_id: str = KioskId):
        try:
            session = key.decrypt(bytes.fromhex(body.key))
        except Sm2Error:
            raise Refusal(422, "bad_session_key", "会话密钥无法解密", "The session key does not decrypt") from None
        if len(session) != 16:
            raise Refusal(422, "bad_session_key", "会话密钥长度错误", "A session key is 16 bytes")
        session_id = secrets.token_hex(16)
        store.open_key_session(session_id, kiosk_id, session_wrap.encrypt_block(session).hex(),
                               int(time.time()) + SESSION_TTL_S)
        return {"session_id": session_id, "expires_in": SESSION_TTL_S}

    @app.post("/v1/keys/external-auth")
    def external_auth(body: ExternalAuth):
        from kiosk.security.rules import KEY_IDS
        if body.key_id not in KEY_IDS:
            raise Refusal(422, "unknown_key_id", "密钥标识错误", f"key_id must be one of {sorted(KEY_IDS)}")
        return {"cryptogram": module().external_auth(body.identity(), body.key_id,
                                                     body.block_of("challenge", body.challenge)).hex()}

    @app.post("/v1/keys/internal-auth")
    def internal_auth(body: InternalAuth):
        return {"genuine": module().internal_auth_ok(body.identity(), body.block_of("random", body.random),
                                                     body.block_of("answer", body.answer))}

    @app.post("/v1/keys/reload")
    def reload_data(body: PinOperation, kiosk_id: str = KioskId):
        pin = pin_of(*open_pin_block(body, kiosk_id))
        header = bytes([0x80, 0x5E, 0x00, 0x00, (len(pin) + 1) // 2 + 4])
        try:     # only the MAC goes back: the kiosk already holds the PIN it is setting
            return {"mac": module().reload_mac(body.identity(), body.block_of("challenge", body.challenge), header,
                                               pin).hex()}
        finally:
            pin.clear()

    @app.post("/v1/keys/unblock")
    def unblock_data(body: PinOperation, kiosk_id: str = KioskId):
        pin = pin_of(*open_pin_block(body, kiosk_id))
        try:
            data = module().unblock_data(body.identity(), body.block_of("challenge", body.challenge),
                                         bytes([0x84, 0x24, 0x00, 0x00]), pin)
            return {"data": data.hex()}
        finally:
            pin.clear()

    operator_view.add_routes(app, store, now, silent_after_s)     # /operator: the fleet, behind a sign-in
    return app
