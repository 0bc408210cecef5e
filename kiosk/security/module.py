"""The security module port: every card cryptogram and MAC comes from here, and keys never leave it.

Implementations: :class:`SoftSecurityModule` (master keys held in this process — the embedded default's
stand-in for an HSM, and the engine of the reference key service) and, through the card-management
service, an HTTP key service (issue 5). A PSAM card in a second reader would be a third.
"""
from __future__ import annotations

import hashlib
import hmac

from kiosk.devicestatus import DeviceState, DeviceStatus
from kiosk.errors import Action, Fault, Refusal
from kiosk.pin import PinBuffer, wipe
from kiosk.ports import SecurityModulePort as SecurityModule  # noqa: F401  (the port, kept under its old name)
from kiosk.security.rules import KEY_IDS, PURPOSES, CardIdentity, KeyRule


class SecurityModuleError(Fault):
    action = Action.MAINTENANCE


class SecurityModuleMissing(SecurityModuleError):
    """A 3rd-generation card's holder data, or a PIN reset, needs a security module this kiosk lacks."""
    action = Action.CONFIGURATION


def missing() -> SecurityModuleMissing:
    return SecurityModuleMissing("no security module configured", zh="本机未配置安全模块，无法办理此业务，请到窗口办理",
                                 en="This kiosk has no security module for this service; please go to a counter")


class NoSecurityModule:
    name = "none"

    def status(self) -> DeviceStatus:
        return DeviceStatus("security", DeviceState.NO_DEVICE, detail="no security module configured")

    def __getattr__(self, _name):
        def refuse(*_args, **_kwargs):
            raise missing()
        return refuse


class SoftSecurityModule:
    """Master keys in memory, the key rule applied here. Suitable for the simulated kiosk and for the
    reference key service; a production kiosk uses a PSAM or the provincial HSM instead."""

    def __init__(self, masters: dict[str, bytes], rule: KeyRule | None = None, name: str = "soft"):
        unknown = set(masters) - set(PURPOSES)
        if unknown or any(len(k) != 16 for k in masters.values()):
            raise ValueError("master keys: 16 bytes each, for purposes " + ", ".join(PURPOSES))
        self._masters = dict(masters)
        self.rule = rule or KeyRule()
        self.name = name

    def __repr__(self) -> str:
        return f"<SoftSecurityModule {self.name} rule={self.rule.name}>"      # never the keys

    def status(self) -> DeviceStatus:
        return DeviceStatus("security", DeviceState.ONLINE, detail=f"{self.name} ({self.rule.name})")

    def _card_key(self, purpose: str, card: CardIdentity) -> bytes:
        if purpose not in self._masters:
            raise SecurityModuleError(f"no master key for {purpose}", zh="安全模块缺少密钥，请联系工作人员",
                                      en="The security module lacks a key; please call staff")
        try:
            return self.rule.card_key(self._masters[purpose], card)
        except ValueError as exc:
            raise SecurityModuleError(f"cannot diversify: {exc}", zh="卡片信息错误，无法认证",
                                      en="Card data error; it cannot be authenticated") from None

    def card_keys(self, card: CardIdentity) -> dict[str, bytes]:
        """Personalisation only: the diversified keys a card factory writes into a new card."""
        return {purpose: self._card_key(purpose, card) for purpose in self._masters}

    def internal_auth_ok(self, card: CardIdentity, random: bytes, answer: bytes) -> bool:
        expected = self.rule.cryptogram(self._card_key("internal", card), card, random)
        return hmac.compare_digest(expected, answer)

    def external_auth(self, card: CardIdentity, key_id: int, challenge: bytes) -> bytes:
        if key_id not in KEY_IDS:
            raise SecurityModuleError(f"no key with id {key_id:02X}", zh="安全模块不支持此操作",
                                      en="The security module does not support this operation")
        return self.rule.cryptogram(self._card_key(KEY_IDS[key_id], card), card, challenge)

    def reload_mac(self, card: CardIdentity, challenge: bytes, header: bytes, new_pin: PinBuffer) -> bytes:
        """MAC of RELOAD PIN over header ‖ new PIN (BCD); ``header`` is CLA INS P1 P2 Lc."""
        bcd = new_pin.bcd()
        command = bytearray(header) + bcd
        try:
            return self.rule.mac(self._card_key("reload", card), card, challenge, bytes(command))
        finally:
            wipe(bcd)
            wipe(command)

    def unblock_data(self, card: CardIdentity, challenge: bytes, header: bytes, new_pin: PinBuffer) -> bytes:
        key = self._card_key("unblock", card)
        bcd = new_pin.bcd()
        block = self.rule.pin_block(card, bcd, len(new_pin))
        try:
            encrypted = self.rule.encrypt_pin_block(key, card, block)
        finally:
            wipe(bcd)
            wipe(block)
        lc = len(encrypted) + 4
        return encrypted + self.rule.mac(key, card, challenge, header + bytes([lc]) + encrypted)


def demo_masters() -> dict[str, bytes]:
    """The simulated kiosk's master keys: derived from a public label, so they are keys for demo cards only
    and worthless anywhere else. Real master keys never appear in code or config files."""
    return {p: hashlib.sha256(f"SBK DEMO MASTER KEY / {p}".encode()).digest()[:16] for p in PURPOSES}


class KeyServiceModule:
    """The security module as the card-management service's key service, over the signed HTTP client.
    PINs go to it only inside an SM4-CBC block under a session key sent SM2-encrypted to the service."""

    SESSION_REUSE_S = 500

    def __init__(self, client, name: str = "key service"):
        self.client = client
        self.name = name
        self._session: tuple[str, bytes, float] | None = None

    def status(self) -> DeviceStatus:
        if self.client.service_key is None:
            return DeviceStatus("security", DeviceState.OFFLINE, detail="kiosk not enrolled with the service")
        state = DeviceState.OFFLINE if self.client.online is False else DeviceState.ONLINE
        return DeviceStatus("security", state, detail=f"{self.name} at {self.client.base_url}")

    @staticmethod
    def _card(card: CardIdentity) -> dict:
        return {"card_id_code": card.card_id_code.hex(), "region": card.region, "algorithm": card.algorithm}

    def _ask(self, operation: str, payload: dict) -> dict:
        """One key-service call. The service refusing a cryptogram is, to the kiosk, its security module
        failing (a fault for staff), not a rule the citizen broke: so card steps catch it as a DeviceError."""
        try:
            return self.client.key_service(operation, payload)
        except Refusal as refused:
            raise SecurityModuleError(f"key service refused {operation}: {refused.code}", zh=refused.zh,
                                      en=refused.en, vendor_code=refused.code) from None

    def _open_session(self) -> tuple[str, bytes]:
        import os
        import time
        if self._session and self._session[2] > time.monotonic():
            return self._session[0], self._session[1]
        if self.client.service_key is None:
            raise SecurityModuleError("no pinned service key", zh="本机尚未注册，无法使用密钥服务",
                                      en="This kiosk is not enrolled; the key service cannot be used")
        key = os.urandom(16)
        answer = self._ask("sessions", {"key": self.client.service_key.encrypt(key).hex()})
        self._session = (answer["session_id"], key, time.monotonic() + self.SESSION_REUSE_S)
        return self._session[0], key

    def session_id(self) -> str:
        return self._open_session()[0]

    def open_sealed(self, data_hex: str) -> bytes:
        """Decrypt what the service sealed for this kiosk (personalisation data): SM4-CBC, IV ‖ data."""
        from kiosk.security import ciphers
        _, key = self._open_session()
        try:
            return ciphers.unpad(bytes(ciphers.cbc_decrypt(ciphers.Sm4(key), bytes.fromhex(data_hex))))
        except ValueError:
            raise SecurityModuleError("sealed data is malformed", zh="制卡数据错误", en="Card data error") from None

    def _pin_block(self, pin: PinBuffer) -> tuple[str, str]:
        import os
        from kiosk.security import ciphers
        session_id, key = self._open_session()
        bcd = pin.bcd()
        block = bytearray(ciphers.pad(bytes([len(pin)]) + bytes(bcd), 16))
        try:
            return session_id, ciphers.cbc_encrypt(ciphers.Sm4(key), os.urandom(16), bytes(block)).hex()
        finally:
            wipe(bcd)
            wipe(block)

    def internal_auth_ok(self, card: CardIdentity, random: bytes, answer: bytes) -> bool:
        result = self._ask("internal-auth", {**self._card(card), "random": random.hex(),
                                             "answer": answer.hex()})
        return result.get("genuine") is True

    def external_auth(self, card: CardIdentity, key_id: int, challenge: bytes) -> bytes:
        result = self._ask("external-auth", {**self._card(card), "key_id": key_id,
                                             "challenge": challenge.hex()})
        return bytes.fromhex(result["cryptogram"])

    def reload_mac(self, card: CardIdentity, challenge: bytes, header: bytes, new_pin: PinBuffer) -> bytes:
        session_id, block = self._pin_block(new_pin)
        result = self._ask("reload", {**self._card(card), "session_id": session_id,
                                      "challenge": challenge.hex(), "pin_block": block})
        return bytes.fromhex(result["mac"])

    def unblock_data(self, card: CardIdentity, challenge: bytes, header: bytes, new_pin: PinBuffer) -> bytes:
        session_id, block = self._pin_block(new_pin)
        result = self._ask("unblock", {**self._card(card), "session_id": session_id,
                                       "challenge": challenge.hex(), "pin_block": block})
        return bytes.fromhex(result["data"])
