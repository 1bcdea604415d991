"""Encryption of NIKs at rest, with a keyed hash for look-ups and uniqueness (UU 27/2022: NIK is personal data).

One secret (`NIK_ENCRYPTION_KEY`, a Fernet key) gives two independent keys through HKDF: one encrypts, one
hashes. The hash lets the database refuse a second registration with the same NIK without ever storing it plain.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_PROBLEM = "must be a Fernet key (32 url-safe base64 bytes); delete the line to have one generated"


class NikCipher:
    """Encrypts, decrypts and hashes NIKs with keys derived from one secret."""

    def __init__(self, secret: str) -> None:
        try:
            raw = base64.urlsafe_b64decode(secret.encode())
        except (ValueError, TypeError) as error:
            raise ValueError(KEY_PROBLEM) from error
        if len(raw) != 32:
            raise ValueError(KEY_PROBLEM)
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(raw, b"sahabat-kerja nik encryption")))
        self._hash_key = _derive(raw, b"sahabat-kerja nik lookup hash")

    @staticmethod
    def generate_secret() -> str:
        return Fernet.generate_key().decode()

    def encrypt(self, nik: str) -> str:
        return self._fernet.encrypt(nik.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as error:
            raise ValueError("NIK ciphertext does not match NIK_ENCRYPTION_KEY") from error

    def lookup_hash(self, nik: str) -> str:
        return hmac.new(self._hash_key, nik.encode(), hashlib.sha256).hexdigest()


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret)
