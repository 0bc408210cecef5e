"""The project's key rule, "SBK-KDR-1" — documented because the national one is not public
(protocols.md §1.7, §6 items 5-7), and replaceable: a vendor's rule is another :class:`KeyRule`.

Keys by purpose, each an issuer master key (16 bytes) in the security module and a diversified card key
written into the card at personalisation:

  purpose    key id   used for
  internal   —        INTERNAL AUTHENTICATE: the card proves it is genuine
  read       0A       EXTERNAL AUTHENTICATE before reading the holder's data (RKSSSE, 3rd generation)
  update     04       EXTERNAL AUTHENTICATE before UPDATE RECORD (personalisation)
  reload     —        MAC of RELOAD PIN (a forgotten PIN is replaced)
  unblock    —        encryption and MAC of UNBLOCK PIN (after 6 wrong PINs)

Diversification: card key = ECB(master, D), where the 16-byte D is the first 8 bytes of the card
identification code as stored in EF05 (BCD) ‖ the 6-digit region code in ASCII ‖ "sx". It follows the
shape of the one public example (protocols.md §1.7: a card factor ‖ ASCII region ‖ "sx").

Cryptograms: EXTERNAL AUTHENTICATE data = ECB(card key, challenge); INTERNAL AUTHENTICATE answer =
ECB(card key, terminal random). MACs: CBC over (header ‖ data) padded 80 00…, IV = the card's challenge,
first 4 bytes of the last block. UNBLOCK's PIN block: length ‖ PIN in BCD ‖ 80 00…, ECB under the card key.
The algorithm is the card's own (9F0C in its FCI): SM4 with 16-byte blocks, 3DES with 8.
"""
from __future__ import annotations

from dataclasses import dataclass

from kiosk.security import ciphers

PURPOSES = ("internal", "read", "update", "reload", "unblock")
KEY_IDS = {0x0A: "read", 0x04: "update"}


@dataclass(frozen=True)
class CardIdentity:
    """What the security module needs to know of a card; nothing personal."""
    card_id_code: bytes        # EF05 tag 01, 16 bytes as stored (BCD, F-padded)
    region: str                # 6-digit region code, the first digits of the identification code
    algorithm: str             # ciphers.SM4 or ciphers.TDES

    @property
    def block(self) -> int:
        return ciphers.block_size(self.algorithm)


class KeyRule:
    name = "SBK-KDR-1"

    def diversifier(self, card: CardIdentity) -> bytes:
        if len(card.card_id_code) != 16 or len(card.region) != 6 or not card.region.isdigit():
            raise ValueError("card identification code must be 16 bytes and the region 6 digits")
        return card.card_id_code[:8] + card.region.encode("ascii") + b"sx"

    def card_key(self, master: bytes, card: CardIdentity) -> bytes:
        return ciphers.cipher(card.algorithm, master).ecb_encrypt(self.diversifier(card))

    def cryptogram(self, card_key: bytes, card: CardIdentity, data: bytes) -> bytes:
        return ciphers.cipher(card.algorithm, card_key).ecb_encrypt(data)

    def mac(self, card_key: bytes, card: CardIdentity, challenge: bytes, command: bytes) -> bytes:
        return ciphers.mac(ciphers.cipher(card.algorithm, card_key), challenge, command)

    def pin_block(self, card: CardIdentity, pin_bcd: bytes, digits: int) -> bytearray:
        return bytearray(ciphers.pad(bytes([digits]) + bytes(pin_bcd), card.block))

    def encrypt_pin_block(self, card_key: bytes, card: CardIdentity, block: bytes) -> bytes:
        return ciphers.cipher(card.algorithm, card_key).ecb_encrypt(bytes(block))

    def decrypt_pin_block(self, card_key: bytes, card: CardIdentity, data: bytes) -> tuple[int, bytes]:
        """(digits, BCD) from an encrypted PIN block; ValueError when it is malformed."""
        plain = ciphers.cipher(card.algorithm, card_key).ecb_decrypt(data)
        digits = plain[0]
        size = (digits + 1) // 2
        if not 4 <= digits <= 12 or plain[1 + size:1 + size + 1] != b"\x80" or any(plain[2 + size:]):
            raise ValueError("malformed PIN block")
        return digits, plain[1:1 + size]
