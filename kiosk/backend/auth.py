"""Signature checks on every kiosk request and signatures on every answer (ASGI middleware).

Open without a kiosk signature: the OpenAPI document, /v1/health and /v1/service-key. Enrolment
(POST /v1/kiosks) is signed with the key being enrolled (proof of possession) and needs an enrolment
code. Everything else needs a known kiosk, a fresh timestamp (±300 s), an unused nonce and a good
signature; otherwise 401 with a code saying which.
"""
from __future__ import annotations

import functools
import json
import logging
import re
import urllib.parse

import anyio

from kiosk.backend.observability import SIGNATURE_REFUSALS
from kiosk.backend.store import Store
from kiosk.security import signing, sm2
from kiosk.security.sm2 import PrivateKey, PublicKey, Sm2Error

OPEN_PATHS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/v1/health", "/v1/ready",
              "/v1/service-key"}
ENROL_PATH = "/v1/kiosks"
MAX_BODY = 256 * 1024
# no address of the contract holds a control character; PostgreSQL's text cannot even store a NUL
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _error(code: str, en: str, zh: str = "终端认证失败，请联系工作人员") -> bytes:
    return json.dumps({"error": {"code": code, "message": {"zh": zh, "en": en}}}, ensure_ascii=False).encode()


@functools.lru_cache(maxsize=8192)
def _pinned_key(pem_text: str) -> PublicKey:
    """A pinned kiosk key, parsed (and loaded into the SM2 engine) once per key, not once per request."""
    return PublicKey.from_pem(pem_text)


class SignatureMiddleware:
    def __init__(self, app, store: Store, service_key: PrivateKey):
        self.app = app
        self.store = store
        self.key = service_key

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        # the address as it came on the wire (what the kiosk signed), not as decoded for routing
        raw_path = scope.get("raw_path") or path.encode("utf-8")
        target = raw_path.decode("latin-1") + (f"?{query}" if query else "")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        nonce = headers.get("x-nonce", "")

        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_BODY:
                return await self._send_signed(send, 413, target, nonce,
                                               _error("body_too_large", "request body over 256 KiB", "请求过大"))

        if CONTROL.search(path) or CONTROL.search(urllib.parse.unquote(query)):
            return await self._send_signed(send, 400, target, nonce, _error(
                "bad_request", "a control character in the address", "请求格式错误"))
        if path not in OPEN_PATHS and path.startswith("/v1/"):
            try:
                refusal = await anyio.to_thread.run_sync(self._check, scope["method"], path, target, headers, body)
            except Exception:              # a bug in the check: still a signed, typed answer, and no entry
                logging.getLogger(__name__).exception("signature check failed on %s", path)
                return await self._send_signed(send, 500, target, nonce,
                                               _error("internal", "internal error; please retry later", "系统繁忙，请稍后再试"))
            if refusal is not None:
                zh = "请求格式错误" if refusal.status == 400 else "终端认证失败，请联系工作人员"
                return await self._send_signed(send, refusal.status, target, nonce,
                                               _error(refusal.code, str(refusal), zh))
            # in place, not a copy: the router's route (its template) must reach the outer layer's metrics
            scope["state"] = {**scope.get("state", {}), "kiosk_id": headers.get("x-kiosk-id")}

        replayed = False

        async def replay():
            nonlocal replayed
            if replayed:
                return {"type": "http.disconnect"}
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        start: dict = {}
        chunks: list[bytes] = []

        async def capture(message):
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._send_signed(send, start["status"], target, nonce, b"".join(chunks),
                                            list(start.get("headers", [])))
        try:
            await self.app(scope, replay, capture)
        except Exception:                      # a bug: still a signed, typed answer, never a stack trace
            logging.getLogger(__name__).exception("unhandled error on %s", target)
            if not start:
                await self._send_signed(send, 500, target, nonce,
                                        _error("internal", "internal error; please retry later", "系统繁忙，请稍后再试"))

    def _check(self, method: str, path: str, target: str, headers: dict, body: bytes):
        kiosk_id = headers.get("x-kiosk-id", "")
        try:
            for name in ("x-kiosk-id", "x-timestamp", "x-nonce", "x-signature"):
                if not headers.get(name):
                    raise signing.SignatureRefused("unsigned", f"missing {name} header")
            signing.check_shape(kiosk_id, headers["x-timestamp"], headers["x-nonce"], headers["x-signature"])
            signing.check_fresh(headers["x-timestamp"])
            if method == "POST" and path == ENROL_PATH:
                try:
                    pem_text = json.loads(body or b"{}").get("public_key", "")
                    public = PublicKey.from_pem(pem_text)
                except (ValueError, AttributeError, Sm2Error):
                    raise signing.SignatureRefused("bad_key", "public_key is not an SM2 public key PEM") from None
            else:
                pinned = self.store.kiosk_key(kiosk_id)
                if pinned is None:
                    raise signing.SignatureRefused("unknown_kiosk", f"kiosk {kiosk_id!r} is not enrolled")
                public = _pinned_key(pinned)
            signing.verify(public, method, target, headers["x-timestamp"], headers["x-nonce"], body,
                           headers["x-signature"])
            expires = int(headers["x-timestamp"]) + signing.MAX_SKEW_S + 1
            if not self.store.use_nonce(kiosk_id, headers["x-nonce"], expires):
                raise signing.SignatureRefused("replayed", "this nonce was used before")
        except signing.SignatureRefused as refusal:
            SIGNATURE_REFUSALS.labels(refusal.code).inc()
            return refusal
        return None

    async def _send_signed(self, send, status: int, target: str, nonce: str, body: bytes, headers=None):
        if not signing.NONCE.match(nonce or ""):
            nonce = signing.new_nonce()
        # signed on the event loop itself: with OpenSSL a signature is ~0.6 ms of C, less than the hand-off to a
        # worker thread and back costs; only gmssl (~15 ms of Python) is worth a thread
        if sm2.backend() == sm2.OPENSSL:
            signed = signing.sign_response(self.key, status, target, nonce, body)
        else:
            signed = await anyio.to_thread.run_sync(lambda: signing.sign_response(self.key, status, target, nonce,
                                                                                  body))
        out = [(k, v) for k, v in (headers or []) if k.lower() not in (b"content-length", b"content-type")]
        content_type = dict(headers or []).get(b"content-type", b"application/json")
        out += [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
        out += [(k.lower().encode(), v.encode()) for k, v in signed.items()]
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": body, "more_body": False})

