"""Raw block ciphers and the card MAC, without the padding conventions of the libraries underneath.

gmssl's SM4 pads by default (PKCS7/ZERO, DESIGN.md), which card cryptograms must not have, so SM4 is used
block by block here; 3DES comes from pycryptodomex (already a dependency of gmssl). Card messages are
padded with ISO/IEC 9797-1 method 2 (80 00…) by :func:`pad`.
"""
from __future__ import annotations

from gmssl.sm4 import SM4_DECRYPT, SM4_ENCRYPT, CryptSM4

SM4, TDES = "SM4", "3DES"


class BlockCipher:
    name = ""
    block = 0

    def encrypt_block(self, data: bytes) -> bytes:
        raise NotImplementedError

    def decrypt_block(self, data: bytes) -> bytes:
        raise NotImplementedError

    def ecb_encrypt(self, data: bytes) -> bytes:
        _check_blocks(data, self.block)
        return b"".join(self.encrypt_block(data[i:i + self.block]) for i in range(0, len(data), self.block))

    def ecb_decrypt(self, data: bytes) -> bytes:
        _check_blocks(data, self.block)
        return b"".join(self.decrypt_block(data[i:i + self.block]) for i in range(0, len(data), self.block))


def _check_blocks(data: bytes, block: int) -> None:
    if len(data) % block:
        raise ValueError(f"{len(data)} bytes is not a whole number of {block}-byte blocks")


class Sm4(BlockCipher):
    name, block = SM4, 16

    def __init__(self, key: bytes):
        if len(key) != 16:
            raise ValueError("an SM4 key is 16 bytes")
        self._enc, self._dec = CryptSM4(), CryptSM4()
        self._enc.set_key(key, SM4_ENCRYPT)
        self._dec.set_key(key, SM4_DECRYPT)

    def encrypt_block(self, data: bytes) -> bytes:
        return bytes(self._enc.one_round(self._enc.sk, list(data)))

    def decrypt_block(self, data: bytes) -> bytes:
        return bytes(self._dec.one_round(self._dec.sk, list(data)))


class TripleDes(BlockCipher):
    name, block = TDES, 8

    def __init__(self, key: bytes):
        from Cryptodome.Cipher import DES3
        if len(key) != 16:
            raise ValueError("a 3DES card key is 16 bytes (two-key 3DES)")
        self._cipher = DES3.new(DES3.adjust_key_parity(key), DES3.MODE_ECB)

    def encrypt_block(self, data: bytes) -> bytes:
        return self._cipher.encrypt(data)

    def decrypt_block(self, data: bytes) -> bytes:
        return self._cipher.decrypt(data)


def cipher(algorithm: str, key: bytes) -> BlockCipher:
    if algorithm == SM4:
        return Sm4(key)
    if algorithm == TDES:
        return TripleDes(key)
    raise ValueError(f"algorithm {algorithm!r} is not supported (SM4 or 3DES)")


def block_size(algorithm: str) -> int:
    return {SM4: 16, TDES: 8}[algorithm]


def pad(data: bytes, block: int) -> bytes:
    """ISO/IEC 9797-1 padding method 2: 80, then 00 up to a whole block (always at least one byte)."""
    padded = data + b"\x80"
    return padded + b"\x00" * (-len(padded) % block)


def mac(c: BlockCipher, iv: bytes, data: bytes) -> bytes:
    """CBC-MAC over padded data with IV = the card's challenge; the MAC is the first 4 bytes of the last
    block (the project's documented rule, kiosk/security/rules.py)."""
    if len(iv) != c.block:
        raise ValueError(f"IV must be {c.block} bytes")
    state = iv
    padded = pad(data, c.block)
    for i in range(0, len(padded), c.block):
        state = c.encrypt_block(bytes(a ^ b for a, b in zip(state, padded[i:i + c.block])))
    return state[:4]


def unpad(data: bytes) -> bytes:
    """Undo :func:`pad`; ValueError when the padding is not 80 00…"""
    end = data.rstrip(b"\x00")
    if not end.endswith(b"\x80"):
        raise ValueError("padding is not ISO/IEC 9797-1 method 2")
    return end[:-1]


def cbc_encrypt(c: BlockCipher, iv: bytes, data: bytes) -> bytes:
    """IV ‖ CBC ciphertext of whole blocks (pad first)."""
    _check_blocks(data, c.block)
    out, previous = bytearray(iv), iv
    for i in range(0, len(data), c.block):
        previous = c.encrypt_block(bytes(a ^ b for a, b in zip(data[i:i + c.block], previous)))
        out += previous
    return bytes(out)


def cbc_decrypt(c: BlockCipher, data: bytes) -> bytearray:
    """The plaintext of IV ‖ CBC ciphertext; ValueError when it is not whole blocks."""
    if len(data) < 2 * c.block:
        raise ValueError("CBC data shorter than IV plus one block")
    _check_blocks(data, c.block)
    plain, previous = bytearray(), data[:c.block]
    for i in range(c.block, len(data), c.block):
        block = data[i:i + c.block]
        plain += bytes(a ^ b for a, b in zip(c.decrypt_block(block), previous))
        previous = block
    return plain
