"""SM2 keys, signatures (with SM3, GB/T 32918 / GM/T 0009) and public-key encryption.

Two engines behind one API: OpenSSL 3's libcrypto (``openssl_sm2``, C: ~1 ms a signature or a check) where
the system has it, and gmssl (pure Python, ~13 ms to sign and ~23 ms to check on a 2-core kiosk) where it
does not. ``KIOSK_SM2=gmssl`` forces gmssl; :func:`backend` says which is in use. Both give the same bytes on
the wire: DER signatures, C1‖C3‖C2 ciphertexts, PKCS#8 / SPKI PEM keys; the tests cross them both ways.

What this module adds to gmssl, and why:
- randomness from ``secrets``: gmssl draws its per-signature nonce k from ``random.choice``, which is
  predictable — and a predictable k gives away the private key;
- DER signatures (``ECDSA-Sig-Value``) and PKCS#8 / SubjectPublicKeyInfo PEM keys via asn1crypto, so
  OpenSSL 3 reads the keys and verifies the signatures
  (``openssl dgst -sm3 -verify PUB.pem -sigopt distid:1234567812345678``);
- the C3 check on decryption, which gmssl computes and then ignores;
- public keys handed to gmssl exactly as 128 hex digits: its constructor ``lstrip``s "04", which eats the
  key's own leading 0 and 4 digits.
The signer's ID is the default 1234567812345678 (gmssl's Z computation has it built in; OpenSSL is given it).
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets

from asn1crypto import algos, core, keys, pem
from gmssl import sm2 as _sm2, sm3 as _sm3

from kiosk.security import openssl_sm2

keys.NamedCurve.register("sm2p256v1", "1.2.156.10197.1.301", 32)
_TABLE = _sm2.default_ecc_table
N = int(_TABLE["n"], 16)
P = int(_TABLE["p"], 16)
A = int(_TABLE["a"], 16)
B = int(_TABLE["b"], 16)
DEFAULT_ID = b"1234567812345678"


class Sm2Error(ValueError):
    """A key, signature or ciphertext that is malformed or does not check out."""


OPENSSL, GMSSL = "openssl", "gmssl"
_backend = GMSSL if os.environ.get("KIOSK_SM2", "").lower() == GMSSL or not openssl_sm2.available() else OPENSSL


def backend() -> str:
    """The engine in use: "openssl" or "gmssl"."""
    return _backend


@contextlib.contextmanager
def using(name: str):
    """Run a block on one engine (the tests cross the two)."""
    global _backend
    if name == OPENSSL and not openssl_sm2.available():
        raise RuntimeError(f"OpenSSL's SM2 is not available: {openssl_sm2.why_not()}")
    before, _backend = _backend, name
    try:
        yield
    finally:
        _backend = before


class _Sm2Ciphertext(core.Sequence):
    """GM/T 0009's DER form, which OpenSSL reads and writes."""
    _fields = [("x", core.Integer), ("y", core.Integer), ("hash", core.OctetString),
               ("ciphertext", core.OctetString)]


def _engine(private_hex: str, public_hex: str) -> _sm2.CryptSM2:
    engine = _sm2.CryptSM2(private_key=private_hex, public_key="00" * 64, mode=1)
    engine.public_key = public_hex             # exactly x‖y, bypassing the constructor's lstrip("04")
    return engine


def _on_curve(x: int, y: int) -> bool:
    return 0 <= x < P and 0 <= y < P and (y * y - (x * x * x + A * x + B)) % P == 0


class PublicKey:
    def __init__(self, xy: bytes):
        if len(xy) != 64 or not _on_curve(int.from_bytes(xy[:32], "big"), int.from_bytes(xy[32:], "big")):
            raise Sm2Error("not a point on the SM2 curve")
        self.xy = bytes(xy)
        self._openssl = None

    def _openssl_key(self):
        if self._openssl is None:
            self._openssl = openssl_sm2.public_key(self.to_der())
        return self._openssl

    @property
    def hex(self) -> str:
        return self.xy.hex()

    def __eq__(self, other) -> bool:
        return isinstance(other, PublicKey) and self.xy == other.xy

    def __hash__(self) -> int:
        return hash(self.xy)

    # -- files -----------------------------------------------------------------------------------------
    def to_der(self) -> bytes:
        return keys.PublicKeyInfo({
            "algorithm": {"algorithm": "ec", "parameters": ("named", "sm2p256v1")},
            "public_key": b"\x04" + self.xy}).dump()

    def to_pem(self) -> str:
        return pem.armor("PUBLIC KEY", self.to_der()).decode("ascii")

    @classmethod
    def from_pem(cls, text: str | bytes) -> "PublicKey":
        data = text.encode() if isinstance(text, str) else text
        try:
            _, _, der = pem.unarmor(data)
        except Exception as exc:
            raise Sm2Error(f"not an SM2 public key PEM: {exc}") from None
        return cls.from_der(der)

    @classmethod
    def from_der(cls, der: bytes) -> "PublicKey":
        try:
            info = keys.PublicKeyInfo.load(der, strict=True)
            if info["algorithm"]["parameters"].chosen.native != "sm2p256v1":
                raise Sm2Error("not an SM2 public key")
            point = info["public_key"].native
        except Sm2Error:
            raise
        except Exception as exc:
            raise Sm2Error(f"not an SM2 public key: {exc}") from None
        if len(point) != 65 or point[0] != 4:
            raise Sm2Error("only uncompressed SM2 points are accepted")
        return cls(point[1:])

    # -- use ---------------------------------------------------------------------------------------------
    def verify(self, message: bytes, signature_der: bytes) -> bool:
        try:
            sig = algos.DSASignature.load(signature_der, strict=True)
            r, s = int(sig["r"].native), int(sig["s"].native)
        except Exception:
            return False
        if not (0 < r < N and 0 < s < N):
            return False
        if _backend == OPENSSL:
            canonical = algos.DSASignature({"r": r, "s": s}).dump()
            return openssl_sm2.verify(self._openssl_key(), message, canonical, DEFAULT_ID)
        return bool(_engine("00", self.hex).verify_with_sm3("%064x%064x" % (r, s), message))

    def encrypt(self, message: bytes) -> bytes:
        """SM2 encryption (GB/T 32918.4), output C1‖C3‖C2 with C1 = 04‖x1‖y1."""
        if not message:
            raise Sm2Error("nothing to encrypt")
        if _backend == OPENSSL:
            der = _Sm2Ciphertext.load(openssl_sm2.encrypt(self._openssl_key(), message), strict=True)
            return (b"\x04" + int(der["x"].native).to_bytes(32, "big") + int(der["y"].native).to_bytes(32, "big")
                    + der["hash"].native + der["ciphertext"].native)
        engine = _engine("00", self.hex)
        while True:
            k = secrets.randbelow(N - 1) + 1
            c1 = engine._kg(k, _TABLE["g"])
            xy = engine._kg(k, self.hex)
            t = _sm3.sm3_kdf(xy.encode("ascii"), len(message))
            if int(t, 16):
                break
        c2 = bytes(m ^ k_ for m, k_ in zip(message, bytes.fromhex(t)))
        c3 = bytes.fromhex(_sm3.sm3_hash(list(bytes.fromhex(xy[:64]) + message + bytes.fromhex(xy[64:]))))
        return b"\x04" + bytes.fromhex(c1) + c3 + c2


class PrivateKey:
    def __init__(self, d: int):
        if not 0 < d < N - 1:
            raise Sm2Error("SM2 private key out of range")
        self._d = d
        self._openssl = None
        if _backend == OPENSSL:            # OpenSSL derives the public point from a key that leaves it out
            self._openssl = openssl_sm2.private_key(self._pkcs8(with_public=False))
            self.public = PublicKey.from_der(self._openssl.public_der())
        else:
            xy = _engine("%064x" % d, "00" * 64)._kg(d, _TABLE["g"])
            self.public = PublicKey(bytes.fromhex(xy))

    def _openssl_key(self):
        if self._openssl is None:
            self._openssl = openssl_sm2.private_key(self.to_der())
        return self._openssl

    def __repr__(self) -> str:
        return f"<SM2 private key for {self.public.hex[:16]}…>"     # never the key itself

    @classmethod
    def generate(cls) -> "PrivateKey":
        return cls(secrets.randbelow(N - 2) + 1)

    def to_der(self) -> bytes:
        return self._pkcs8(with_public=True)

    def _pkcs8(self, with_public: bool) -> bytes:
        fields = {"version": "ecPrivkeyVer1", "private_key": self._d}
        if with_public:
            fields["public_key"] = b"\x04" + self.public.xy
        ec_key = keys.ECPrivateKey(fields)
        return keys.PrivateKeyInfo({
            "version": 0, "private_key_algorithm": {"algorithm": "ec", "parameters": ("named", "sm2p256v1")},
            "private_key": ec_key}).dump()

    def to_pem(self) -> str:
        return pem.armor("PRIVATE KEY", self.to_der()).decode("ascii")

    @classmethod
    def from_pem(cls, text: str | bytes) -> "PrivateKey":
        data = text.encode() if isinstance(text, str) else text
        try:
            kind, _, der = pem.unarmor(data)
            if kind == "EC PRIVATE KEY":
                d = keys.ECPrivateKey.load(der)["private_key"].native
            else:
                info = keys.PrivateKeyInfo.load(der, strict=True)
                if info["private_key_algorithm"]["parameters"].chosen.native != "sm2p256v1":
                    raise Sm2Error("not an SM2 private key")
                d = info["private_key"].parsed["private_key"].native
        except Sm2Error:
            raise
        except Exception as exc:
            raise Sm2Error(f"not an SM2 private key PEM: {type(exc).__name__}") from None
        return cls(int(d))

    def derived_secret(self, label: bytes, size: int = 16) -> bytes:
        """A symmetric key for ``label``, derived from this private key (SM3-based KDF of GB/T 32918.4): whoever
        holds the private key can derive it again; nobody else can, and one label's key says nothing of another."""
        if not label or not 0 < size <= 64:
            raise ValueError("a label and a size of 1..64 bytes")
        return bytes.fromhex(_sm3.sm3_kdf((b"sbk-derive\0" + label + b"\0" + self._d.to_bytes(32, "big")).hex()
                                          .encode("ascii"), size))

    def sign(self, message: bytes) -> bytes:
        """SM2 signature with SM3 and the default ID, DER-encoded."""
        if _backend == OPENSSL:
            return openssl_sm2.sign(self._openssl_key(), message, DEFAULT_ID)
        engine = _engine("%064x" % self._d, self.public.hex)
        while True:
            raw = engine.sign_with_sm3(message, "%064x" % (secrets.randbelow(N - 1) + 1))
            if raw:                     # gmssl returns None for the rare r = 0 or s = 0: draw again
                break
        r, s = int(raw[:64], 16), int(raw[64:], 16)
        return algos.DSASignature({"r": r, "s": s}).dump()

    def decrypt(self, ciphertext: bytes) -> bytes:
        if len(ciphertext) < 97 or ciphertext[0] != 4:
            raise Sm2Error("SM2 ciphertext too short or not C1‖C3‖C2")
        c1, c3, c2 = ciphertext[1:65], ciphertext[65:97], ciphertext[97:]
        PublicKey(c1)                   # C1 must be on the curve
        if _backend == OPENSSL:
            der = _Sm2Ciphertext({"x": int.from_bytes(c1[:32], "big"), "y": int.from_bytes(c1[32:], "big"),
                                  "hash": c3, "ciphertext": c2}).dump()
            try:
                return openssl_sm2.decrypt(self._openssl_key(), der)
            except openssl_sm2.OpenSslError:
                raise Sm2Error("SM2 ciphertext does not check (C3)") from None
        xy = _engine("%064x" % self._d, self.public.hex)._kg(self._d, c1.hex())
        t = _sm3.sm3_kdf(xy.encode("ascii"), len(c2))
        if not int(t or "0", 16):
            raise Sm2Error("SM2 ciphertext gives a zero key stream")
        message = bytes(c ^ k for c, k in zip(c2, bytes.fromhex(t)))
        check = bytes.fromhex(_sm3.sm3_hash(list(bytes.fromhex(xy[:64]) + message + bytes.fromhex(xy[64:]))))
        if not hmac.compare_digest(check, c3):
            raise Sm2Error("SM2 ciphertext does not check (C3)")
        return message


def sm3(data: bytes) -> bytes:
    if _HASHLIB_SM3:
        return hashlib.new("sm3", data).digest()
    return bytes.fromhex(_sm3.sm3_hash(list(data)))


try:                                    # hashlib has SM3 when Python's OpenSSL has it (3.x does)
    _HASHLIB_SM3 = hashlib.new("sm3", b"abc").hexdigest() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
except ValueError:
    _HASHLIB_SM3 = False


__all__ = ["PrivateKey", "PublicKey", "Sm2Error", "sm3", "DEFAULT_ID", "backend", "using", "OPENSSL", "GMSSL"]
