"""SM2 signatures and encryption on the system's OpenSSL 3 libcrypto, through ctypes.

Why this and not a package: OpenSSL 3 implements SM2 (GB/T 32918) in C, is on every Debian kiosk and server
already (Python's own ssl and hashlib link it), and Debian patches it; it is also what the interop tests
check our keys and signatures against. No maintained Python package exposes it with the signer's ID
(pyca/cryptography cannot load SM2 keys; M2Crypto and pyOpenSSL have no SM2 ID; gmssl-pyx bundles its own
copy of GmSSL and signs 5× slower than OpenSSL here). So this module binds the dozen EVP functions the
OpenSSL manual's own SM2 example uses (EVP_PKEY-SM2(7)) and nothing else: keys go in and out as DER,
signatures are DER, every call's result is checked and every object freed.

Where libcrypto is missing, older than 3.0 or built without SM2, :func:`available` is False and
``kiosk.security.sm2`` stays on gmssl (pure Python, ~20× slower).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import threading
import weakref

_c_p = ctypes.c_void_p
_lock = threading.Lock()
_lib = None
_why_not = ""


class OpenSslError(RuntimeError):
    """libcrypto refused an operation (a malformed key or ciphertext, or an internal failure)."""


def _bind(lib) -> None:
    def fn(name, restype, *argtypes):
        f = getattr(lib, name)
        f.restype, f.argtypes = restype, list(argtypes)

    c_int, c_long, c_size, c_size_p = ctypes.c_int, ctypes.c_long, ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)
    c_char_pp = ctypes.POINTER(ctypes.c_char_p)
    fn("OpenSSL_version_num", ctypes.c_ulong)
    fn("ERR_clear_error", None)
    fn("d2i_AutoPrivateKey", _c_p, _c_p, c_char_pp, c_long)
    fn("d2i_PUBKEY", _c_p, _c_p, c_char_pp, c_long)
    fn("i2d_PUBKEY", c_int, _c_p, ctypes.POINTER(ctypes.c_void_p))
    fn("EVP_PKEY_is_a", c_int, _c_p, ctypes.c_char_p)
    fn("EVP_PKEY_free", None, _c_p)
    fn("EVP_sm3", _c_p)
    fn("EVP_MD_CTX_new", _c_p)
    fn("EVP_MD_CTX_free", None, _c_p)
    fn("EVP_MD_CTX_set_pkey_ctx", None, _c_p, _c_p)
    fn("EVP_PKEY_CTX_new", _c_p, _c_p, _c_p)
    fn("EVP_PKEY_CTX_free", None, _c_p)
    fn("EVP_PKEY_CTX_set1_id", c_int, _c_p, ctypes.c_char_p, c_int)
    fn("EVP_DigestSignInit", c_int, _c_p, _c_p, _c_p, _c_p, _c_p)
    fn("EVP_DigestSign", c_int, _c_p, ctypes.c_char_p, c_size_p, ctypes.c_char_p, c_size)
    fn("EVP_DigestVerifyInit", c_int, _c_p, _c_p, _c_p, _c_p, _c_p)
    fn("EVP_DigestVerify", c_int, _c_p, ctypes.c_char_p, c_size, ctypes.c_char_p, c_size)
    fn("EVP_PKEY_encrypt_init", c_int, _c_p)
    fn("EVP_PKEY_encrypt", c_int, _c_p, ctypes.c_char_p, c_size_p, ctypes.c_char_p, c_size)
    fn("EVP_PKEY_decrypt_init", c_int, _c_p)
    fn("EVP_PKEY_decrypt", c_int, _c_p, ctypes.c_char_p, c_size_p, ctypes.c_char_p, c_size)


def _load():
    global _lib, _why_not
    with _lock:
        if _lib is not None or _why_not:
            return _lib
        names = [n for n in (ctypes.util.find_library("crypto"), "libcrypto.so.3") if n]
        for name in names:
            try:
                lib = ctypes.CDLL(name)
                _bind(lib)
            except (OSError, AttributeError) as exc:
                _why_not = f"{name}: {exc}"
                continue
            if lib.OpenSSL_version_num() < 0x30000000:
                _why_not = f"{name} is older than OpenSSL 3.0"
                continue
            _lib, _why_not = lib, ""
            return _lib
        _why_not = _why_not or "libcrypto not found"
        return None


def why_not() -> str:
    """Why the OpenSSL backend is not in use ("" when it is)."""
    _load()
    return _why_not


class _Key:
    """An EVP_PKEY of type SM2, freed with this object."""

    def __init__(self, pointer: int, what: str):
        lib = _lib
        if not pointer:
            lib.ERR_clear_error()
            raise OpenSslError(f"libcrypto could not read the {what}")
        if lib.EVP_PKEY_is_a(pointer, b"SM2") != 1:
            lib.EVP_PKEY_free(pointer)
            raise OpenSslError(f"the {what} is not an SM2 key")
        self.pointer = pointer
        weakref.finalize(self, lib.EVP_PKEY_free, pointer)

    def public_der(self) -> bytes:
        lib = _lib
        size = lib.i2d_PUBKEY(self.pointer, None)
        if size <= 0:
            lib.ERR_clear_error()
            raise OpenSslError("libcrypto could not write the public key")
        buffer = ctypes.create_string_buffer(size)
        cursor = ctypes.c_void_p(ctypes.addressof(buffer))
        if lib.i2d_PUBKEY(self.pointer, ctypes.byref(cursor)) != size:
            lib.ERR_clear_error()
            raise OpenSslError("libcrypto could not write the public key")
        return buffer.raw


def private_key(pkcs8_der: bytes) -> _Key:
    """A private key from PKCS#8 DER (OpenSSL fills in the public point when the DER leaves it out)."""
    lib = _load()
    cursor = ctypes.c_char_p(pkcs8_der)
    return _Key(lib.d2i_AutoPrivateKey(None, ctypes.byref(cursor), len(pkcs8_der)), "private key")


def public_key(spki_der: bytes) -> _Key:
    lib = _load()
    cursor = ctypes.c_char_p(spki_der)
    return _Key(lib.d2i_PUBKEY(None, ctypes.byref(cursor), len(spki_der)), "public key")


def _with_digest_ctx(key: _Key, signer_id: bytes, run):
    """An EVP_MD_CTX set up for SM2 with SM3 and ``signer_id`` (Z = SM3(ENTL‖ID‖a‖b‖G‖P)), as the manual's
    example does: the ID goes on the key context before the digest context is initialised."""
    lib = _lib
    md_ctx = lib.EVP_MD_CTX_new()
    pkey_ctx = lib.EVP_PKEY_CTX_new(key.pointer, None)
    try:
        if not md_ctx or not pkey_ctx or lib.EVP_PKEY_CTX_set1_id(pkey_ctx, signer_id, len(signer_id)) != 1:
            raise OpenSslError("libcrypto could not set up an SM2 context")
        lib.EVP_MD_CTX_set_pkey_ctx(md_ctx, pkey_ctx)
        return run(lib, md_ctx)
    finally:
        lib.ERR_clear_error()
        if md_ctx:
            lib.EVP_MD_CTX_free(md_ctx)        # does not free a key context set with set_pkey_ctx
        if pkey_ctx:
            lib.EVP_PKEY_CTX_free(pkey_ctx)


def sign(key: _Key, message: bytes, signer_id: bytes) -> bytes:
    """A DER ``ECDSA-Sig-Value`` (r, s); the nonce comes from OpenSSL's own CSPRNG."""
    def run(lib, md_ctx):
        if lib.EVP_DigestSignInit(md_ctx, None, lib.EVP_sm3(), None, key.pointer) != 1:
            raise OpenSslError("libcrypto could not start an SM2 signature")
        size = ctypes.c_size_t(0)
        if lib.EVP_DigestSign(md_ctx, None, ctypes.byref(size), message, len(message)) != 1:
            raise OpenSslError("libcrypto could not size an SM2 signature")
        out = ctypes.create_string_buffer(size.value)
        if lib.EVP_DigestSign(md_ctx, out, ctypes.byref(size), message, len(message)) != 1:
            raise OpenSslError("libcrypto could not make an SM2 signature")
        return out.raw[:size.value]
    return _with_digest_ctx(key, signer_id, run)


def verify(key: _Key, message: bytes, signature_der: bytes, signer_id: bytes) -> bool:
    def run(lib, md_ctx):
        if lib.EVP_DigestVerifyInit(md_ctx, None, lib.EVP_sm3(), None, key.pointer) != 1:
            raise OpenSslError("libcrypto could not start an SM2 verification")
        return lib.EVP_DigestVerify(md_ctx, signature_der, len(signature_der), message, len(message)) == 1
    return _with_digest_ctx(key, signer_id, run)


def _pkey_op(key: _Key, data: bytes, init_name: str, op_name: str, what: str) -> bytes:
    lib = _lib
    ctx = lib.EVP_PKEY_CTX_new(key.pointer, None)
    try:
        if not ctx or getattr(lib, init_name)(ctx) != 1:
            raise OpenSslError(f"libcrypto could not start SM2 {what}")
        op = getattr(lib, op_name)
        size = ctypes.c_size_t(0)
        if op(ctx, None, ctypes.byref(size), data, len(data)) != 1:
            raise OpenSslError(f"libcrypto refused SM2 {what}")
        out = ctypes.create_string_buffer(size.value)
        if op(ctx, out, ctypes.byref(size), data, len(data)) != 1:
            raise OpenSslError(f"libcrypto refused SM2 {what}")
        return out.raw[:size.value]
    finally:
        lib.ERR_clear_error()
        if ctx:
            lib.EVP_PKEY_CTX_free(ctx)


def encrypt(key: _Key, message: bytes) -> bytes:
    """SM2 encryption; OpenSSL's output is the DER ``SM2Ciphertext`` (x, y, C3, C2) of GM/T 0009."""
    return _pkey_op(key, message, "EVP_PKEY_encrypt_init", "EVP_PKEY_encrypt", "encryption")


def decrypt(key: _Key, ciphertext_der: bytes) -> bytes:
    """The inverse of :func:`encrypt`; OpenSSL checks C1 on the curve and C3 itself."""
    return _pkey_op(key, ciphertext_der, "EVP_PKEY_decrypt_init", "EVP_PKEY_decrypt", "decryption")


def available() -> bool:
    return _load() is not None
