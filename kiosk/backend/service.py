"""The reference card-management service (FastAPI). It owns the card data and enforces the rules of
domain.md that concern it; every refusal has a machine-readable code and a citizen-facing message.

Walking-skeleton scope: card status (with the temporary-loss lapse), card lookup, and PIN events from the
kiosk (a change activates a sealed card, a block locks it). Request signing and the rest of the contract
are issue 5.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from fastapi import FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from kiosk import idnumber
from kiosk.backend.store import Store, now
from kiosk.policy import PolicyProfile

API_VERSION = "1.0.0"
CARD_NUMBER = re.compile(r"^[0-9A-Z]{9}$")


class Refusal(Exception):
    def __init__(self, status: int, code: str, zh: str, en: str):
        self.status, self.code, self.zh, self.en = status, code, zh, en


def refusal_body(code: str, zh: str, en: str) -> dict:
    return {"error": {"code": code, "message": {"zh": zh, "en": en}}}


class PinEvent(BaseModel):
    event: Literal["changed", "wrong_pin", "blocked"]
    tries_left: int | None = Field(default=None, ge=0, le=15)


def create_app(store: Store, policy: PolicyProfile) -> FastAPI:
    app = FastAPI(title="社保卡管理服务 (reference)", version=API_VERSION,
                  description="Card-management service contract for social security card kiosks.")

    @app.exception_handler(Refusal)
    async def _refused(_: Request, exc: Refusal):
        return JSONResponse(refusal_body(exc.code, exc.zh, exc.en), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError):
        fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
        return JSONResponse(refusal_body("invalid_request", "请求格式错误", f"Invalid request: {fields}"),
                            status_code=422)

    def lapse(card) -> dict:
        """A temporary loss report lapses by itself after the region's period (domain.md §6)."""
        card = dict(card)
        if card["state"] == "temp_lost" and card["lost_until"] and \
                dt.datetime.fromisoformat(card["lost_until"]) <= now():
            with store.transaction() as db:
                store.set_card_state(db, card["card_number"], "normal", "temp_loss_lapsed", None)
            card.update(state="normal", lost_until=None)
        return card

    def public_card(card: dict) -> dict:
        return {k: card[k] for k in ("card_number", "state", "issue_date", "expiry_date", "lost_until", "region")}

    def known_card(card_number: str) -> dict:
        if not CARD_NUMBER.match(card_number):
            raise Refusal(422, "invalid_card_number", "卡号格式错误", "The card number is not valid")
        card = store.card(card_number)
        if card is None:
            raise Refusal(404, "card_not_found", "未找到此社保卡的记录，请到窗口办理",
                          "No record of this card; please go to a counter")
        return lapse(card)

    @app.get("/v1/health")
    def health():
        return {"status": "ok", "version": API_VERSION, "policy": policy.key}

    @app.get("/v1/persons/{id_number}/card-status")
    def card_status(id_number: str):
        if idnumber.problem(id_number):
            raise Refusal(422, "invalid_id_number", "身份证号码格式错误", "The ID number is not valid")
        person = store.person(id_number)
        if person is None:
            raise Refusal(404, "person_not_found", "未查询到您的参保信息，请先办理参保登记",
                          "You are not registered for social insurance; please enrol first")
        card = store.current_card(id_number)
        application = store.open_application(id_number)
        return {
            "person": {"id_number": id_number, "name": person["name"], "insured": bool(person["insured"])},
            "card": public_card(lapse(card)) if card else None,
            "application": ({"kind": application["kind"], "state": application["state"],
                             "created_at": application["created_at"]} if application else None),
        }

    @app.get("/v1/cards/{card_number}")
    def get_card(card_number: str):
        return public_card(known_card(card_number))

    @app.post("/v1/cards/{card_number}/pin-events")
    def pin_event(card_number: str, body: PinEvent,
                  idempotency_key: str = Header(..., alias="Idempotency-Key", min_length=16, max_length=64),
                  kiosk_id: str = Header(..., alias="X-Kiosk-Id", min_length=1, max_length=64)):
        remembered = store.remembered(idempotency_key)
        if remembered:
            return JSONResponse(remembered[1], status_code=remembered[0])
        card = known_card(card_number)
        if card["state"] == "cancelled":
            raise Refusal(409, "card_cancelled", "此卡已注销", "This card has been cancelled")
        new_state = card["state"]
        if body.event == "blocked":
            new_state = "pin_locked"
        elif body.event == "changed" and card["state"] == "sealed":
            new_state = "normal"        # domain.md §2: activation is the first PIN change
        with store.transaction() as db:
            if new_state != card["state"]:
                store.set_card_state(db, card_number, new_state, f"pin_{body.event}", kiosk_id,
                                     {"from": card["state"]}, lost_until=card["lost_until"])
            else:
                store.add_event(db, card_number, f"pin_{body.event}", kiosk_id,
                                {"tries_left": body.tries_left} if body.tries_left is not None else None)
            result = {"card_number": card_number, "state": new_state, "recorded": body.event}
            store.remember(db, idempotency_key, kiosk_id, 200, result)
        return result

    return app
