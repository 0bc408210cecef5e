"""The kiosk's client for the card-management service (requests).

One session; a timeout on every call; retries with backoff only where safe: GETs, and POSTs that carry an
``Idempotency-Key`` (every POST made here does). Answers are validated before use; failures are typed and
carry citizen-facing text.
"""
from __future__ import annotations

import uuid

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from kiosk.hw.base import Action, DeviceError

TIMEOUT = (3.0, 10.0)     # connect, read


class ServiceError(DeviceError):
    """The service could not be reached or answered something unusable."""
    action = Action.RETRY


class ServiceRefused(ServiceError):
    """The service answered with a refusal: ``code`` is machine-readable, zh/en are for the citizen."""

    def __init__(self, status: int, code: str, zh: str, en: str):
        super().__init__(f"service refused ({status} {code})", zh=zh, en=en, vendor_code=code)
        self.status, self.code = status, code


def _unavailable(detail: str) -> ServiceError:
    return ServiceError(detail, zh="暂时无法连接社保卡管理系统，请稍后再试",
                        en="The card service cannot be reached right now; please try again later")


class ServiceClient:
    def __init__(self, base_url: str, kiosk_id: str, timeout=TIMEOUT, retries: int = 2):
        self.base_url = base_url.rstrip("/")
        self.kiosk_id = kiosk_id
        self.timeout = timeout
        self.session = requests.Session()
        retry = Retry(total=retries, connect=retries, read=retries, status=retries, backoff_factor=0.3,
                      status_forcelist=(502, 503, 504), allowed_methods={"GET", "POST"},
                      raise_on_status=False)
        self.session.mount("http://", HTTPAdapter(max_retries=retry))
        self.session.mount("https://", HTTPAdapter(max_retries=retry))
        self.session.headers.update({"X-Kiosk-Id": kiosk_id, "Accept": "application/json"})

    def close(self) -> None:
        self.session.close()

    def _call(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = self.session.request(method, self.base_url + path, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise _unavailable(f"{method} {path}: {type(exc).__name__}") from None
        try:
            body = response.json()
        except ValueError:
            raise _unavailable(f"{method} {path}: HTTP {response.status_code} with a body that is not JSON") from None
        if not isinstance(body, dict):
            raise _unavailable(f"{method} {path}: answer is not a JSON object")
        if response.status_code >= 400:
            error = body.get("error")
            message = error.get("message") if isinstance(error, dict) else None
            if isinstance(message, dict) and isinstance(message.get("zh"), str) and isinstance(error.get("code"), str):
                raise ServiceRefused(response.status_code, error["code"], message["zh"], str(message.get("en", "")))
            raise _unavailable(f"{method} {path}: HTTP {response.status_code}")
        return body

    # -- calls ---------------------------------------------------------------------------------
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
                  idempotency_key: str | None = None) -> dict:
        payload = {"event": event}
        if tries_left is not None:
            payload["tries_left"] = tries_left
        key = idempotency_key or uuid.uuid4().hex
        return self._call("POST", f"/v1/cards/{card_number}/pin-events", json=payload,
                          headers={"Idempotency-Key": key})
