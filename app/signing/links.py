"""The links a signer receives: personal invitation, email confirmation, and manage.

Each is a 256-bit random token; only its SHA-256 hash is stored, and a link is found by that
hash. Because the raw token exists only in the email that carried it, every later email to a
signer carries a fresh manage token (a `SignatureLink` row), and the earlier ones keep working.
A confirmation link is replaced when it is sent again: only the newest one confirms.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import Signature, SignatureLink
from app.tokens import hash_token, new_token
from app.urls import external_url

_MAX_TOKEN_LENGTH = 200  # a token is 43 characters; anything far longer is not one


def verify_hours() -> int:
    return int(current_app.config.get("SIGNATURE_VERIFY_HOURS", 72))


def new_manage_token() -> tuple[str, str]:
    return new_token()


def manage_url(raw: str) -> str:
    return external_url("signing.manage", token=raw)


def verify_url(raw: str) -> str:
    return external_url("signing.verify", token=raw)


def reconfirm_url(raw: str) -> str:
    return external_url("signing.reconfirm", token=raw)


def reissue_manage_token(signature: Signature) -> str:
    """A further manage token for an email (the earlier ones keep working); the raw token."""
    raw, token_hash = new_token()
    db.session.add(SignatureLink(signature_id=signature.id, token_hash=token_hash))
    return raw


def new_verify_link(now: datetime) -> tuple[str, dict]:
    """A confirmation link valid for SIGNATURE_VERIFY_HOURS from `now`: its URL, and the
    column values that make it the signature's one working link."""
    raw, token_hash = new_token()
    expires = now + timedelta(hours=verify_hours())
    return verify_url(raw), {"verify_token_hash": token_hash, "verify_expires_at": expires}


def reissue_verify_link(signature: Signature, now: datetime) -> str:
    """A fresh confirmation link for an existing signature; the earlier one stops working
    (and, as the one before the newest, opens a page saying it was replaced)."""
    signature.replaced_verify_token_hash = signature.verify_token_hash
    url, values = new_verify_link(now)
    for column, value in values.items():
        setattr(signature, column, value)
    return url


def _by_hash(column: sa.ColumnElement, raw: str | None) -> Signature | None:
    if not raw or len(raw) > _MAX_TOKEN_LENGTH:
        return None
    return db.session.scalar(sa.select(Signature).where(column == hash_token(raw)))


def signature_by_verify_token(raw: str | None) -> Signature | None:
    return _by_hash(Signature.verify_token_hash, raw)


def replaced_verify_link(raw: str | None) -> bool:
    """Whether `raw` was a signature's confirmation link until a newer one replaced it."""
    return _by_hash(Signature.replaced_verify_token_hash, raw) is not None


def signature_by_manage_token(raw: str | None) -> Signature | None:
    """The signature of a manage link: its first one, or one sent in a later email."""
    signature = _by_hash(Signature.manage_token_hash, raw)
    if signature is None and raw and len(raw) <= _MAX_TOKEN_LENGTH:
        signature = db.session.scalar(
            sa.select(Signature)
            .join(SignatureLink, SignatureLink.signature_id == Signature.id)
            .where(SignatureLink.token_hash == hash_token(raw))
        )
    return signature
