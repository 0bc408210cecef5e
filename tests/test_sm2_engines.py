"""The two SM2 engines (OpenSSL's libcrypto, gmssl) give and accept the same bytes: signatures, ciphertexts and
keys made by one check out on the other, and what one refuses the other refuses."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kiosk.security import openssl_sm2, sm2

pytestmark = pytest.mark.skipif(not openssl_sm2.available(), reason=f"no OpenSSL SM2: {openssl_sm2.why_not()}")
ENGINES = (sm2.OPENSSL, sm2.GMSSL)
MESSAGE = "POST\n/v1/cards/status\n2026-12-02T15:00:00Z\nn-1\n社保卡".encode()


def test_openssl_is_the_engine_where_libcrypto_has_sm2():
    assert sm2.backend() == sm2.OPENSSL


def test_gmssl_can_be_forced_by_the_environment():
    out = subprocess.run([sys.executable, "-c", "from kiosk.security import sm2; print(sm2.backend())"],
                         env={**os.environ, "KIOSK_SM2": "gmssl"}, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "gmssl"


@pytest.mark.parametrize("signer", ENGINES)
@pytest.mark.parametrize("checker", ENGINES)
def test_a_signature_from_one_engine_checks_on_the_other(signer, checker):
    with sm2.using(signer):
        key = sm2.PrivateKey.generate()
        signature = key.sign(MESSAGE)
    with sm2.using(checker):
        public = sm2.PublicKey.from_pem(key.public.to_pem())
        assert public.verify(MESSAGE, signature)
        assert not public.verify(MESSAGE + b"x", signature)
        assert not sm2.PrivateKey.generate().public.verify(MESSAGE, signature)


@pytest.mark.parametrize("engine", ENGINES)
def test_both_engines_derive_the_same_public_key(engine):
    d = 0x3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8    # GB/T 32918.2 example's d
    with sm2.using(engine):
        key = sm2.PrivateKey(d)
    assert key.public.hex.startswith("09f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020")


@pytest.mark.parametrize("engine", ENGINES)
def test_malformed_and_stretched_signatures_are_refused(engine):
    key = sm2.PrivateKey.generate()
    signature = key.sign(MESSAGE)
    with sm2.using(engine):
        for bad in (b"", b"\x30\x00", signature[:-1], signature + b"\x00", bytes([0x30, signature[1] + 1]) + signature[2:],
                    bytes(len(signature))):
            assert not key.public.verify(MESSAGE, bad), bad.hex()


@pytest.mark.parametrize("encrypter", ENGINES)
@pytest.mark.parametrize("decrypter", ENGINES)
def test_a_ciphertext_from_one_engine_opens_on_the_other(encrypter, decrypter):
    key = sm2.PrivateKey.generate()
    with sm2.using(encrypter):
        ciphertext = sm2.PublicKey(key.public.xy).encrypt(b"kiosk-1:\x12\x34\x56")
    assert ciphertext[0] == 4 and len(ciphertext) == 1 + 64 + 32 + 11         # C1‖C3‖C2
    with sm2.using(decrypter):
        assert sm2.PrivateKey.from_pem(key.to_pem()).decrypt(ciphertext) == b"kiosk-1:\x12\x34\x56"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_tampered_ciphertext_is_refused(engine):
    key = sm2.PrivateKey.generate()
    ciphertext = bytearray(key.public.encrypt(b"123456"))
    ciphertext[-1] ^= 1                                  # C2 changed: C3 no longer checks
    with sm2.using(engine), pytest.raises(sm2.Sm2Error):
        key.decrypt(bytes(ciphertext))
    with sm2.using(engine), pytest.raises(sm2.Sm2Error):
        key.decrypt(b"\x04" + bytes(64) + bytes(40))     # C1 not on the curve


def test_openssl_refuses_a_key_that_is_not_sm2():
    prime256v1 = bytes.fromhex(
        "3059301306072a8648ce3d020106082a8648ce3d03010703420004"
        "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
        "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5")         # P-256's generator
    with pytest.raises(openssl_sm2.OpenSslError):
        openssl_sm2.public_key(prime256v1)
    with pytest.raises(openssl_sm2.OpenSslError):
        openssl_sm2.public_key(b"\x30\x03\x02\x01\x01")


def test_sm3_is_the_standard_hash():
    assert sm2.sm3(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
