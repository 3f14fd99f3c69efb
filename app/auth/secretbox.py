"""Encryption of the few secrets the server must read back (TOTP secrets).

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`, which `webauthn` already needs),
keyed by HKDF from SECRET_KEY. Keys listed in Flask's SECRET_KEY_FALLBACKS still decrypt, so
SECRET_KEY can be rotated without locking anyone out of their authenticator app. A copy of
the database alone therefore holds no usable TOTP secret.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

_INFO = b"undersigned two-factor secrets v1"


def _fernet(secret_key: str | bytes) -> Fernet:
    material = secret_key.encode() if isinstance(secret_key, str) else secret_key
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(material)
    return Fernet(base64.urlsafe_b64encode(key))


def _box() -> MultiFernet:
    keys = [
        current_app.config["SECRET_KEY"],
        *(current_app.config.get("SECRET_KEY_FALLBACKS") or []),
    ]
    return MultiFernet([_fernet(k) for k in keys if k])


class UnreadableSecret(Exception):  # noqa: N818 - the stored secret cannot be decrypted
    """Encrypted with a key this server no longer has (SECRET_KEY changed without fallback)."""


def seal(plain: str) -> str:
    return _box().encrypt(plain.encode()).decode("ascii")


def unseal(sealed: str) -> str:
    try:
        return _box().decrypt(sealed.encode("ascii")).decode()
    except InvalidToken as exc:
        raise UnreadableSecret from exc
