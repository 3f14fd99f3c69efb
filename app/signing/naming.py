"""Naming a signatory who asked not to be named: only the signer can agree to it.

The lead asks (`request_naming`): the signer gets an email with a link to a page with a
button, and stays unnamed until they press it (`agree_to_naming`). The link is a random token
stored as a hash, for this purpose only, and expires (SIGNATURE_NAMING_DAYS). Hiding a named
signatory stays the lead's to do (`listing.update_listing`), and the signer is emailed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from app.actor import Actor
from app.audit import record
from app.errors import Refused
from app.extensions import db
from app.models import ACTIVE_STATUSES, Signature, utcnow
from app.signing import notify, states
from app.tokens import hash_token, new_token
from app.urls import external_url


def naming_days() -> int:
    return int(current_app.config.get("SIGNATURE_NAMING_DAYS", 30))


def request_naming(signature: Signature, *, actor: Actor, now: datetime | None = None) -> None:
    """Ask an unnamed signatory whether they agree to be named; a new request replaces the
    link of an earlier one."""
    now = now or utcnow()
    states.ensure_list_can_change(signature.letter)
    if signature.listed_publicly:
        raise Refused("This signatory is already named.")
    if signature.status not in ACTIVE_STATUSES:
        raise Refused(f"This signature was {signature.status.value}; its listing cannot change.")
    raw, token_hash = new_token()
    signature.naming_token_hash = token_hash
    signature.naming_expires_at = now + timedelta(days=naming_days())
    db.session.flush()
    notify.send_naming_request(
        signature, naming_url=external_url("signing.naming", token=raw), days=naming_days()
    )
    record("signature.naming_requested", actor, signature, letter=signature.letter_id)


def signature_by_naming_token(raw: str | None, now: datetime | None = None) -> Signature | None:
    """The signature a naming link asks about, while the link is valid."""
    if not raw or len(raw) > 200:
        return None
    signature = db.session.scalar(
        db.select(Signature).where(Signature.naming_token_hash == hash_token(raw))
    )
    if signature is None or signature.naming_expires_at is None:
        return None
    if signature.naming_expires_at <= (now or utcnow()):
        return None
    return signature


def agree_to_naming(signature: Signature, *, actor: Actor) -> bool:
    """The signer agrees to be named; True if this call named them (the link then stops)."""
    states.ensure_list_can_change(signature.letter)
    if signature.status not in ACTIVE_STATUSES:
        raise Refused(f"This signature was {signature.status.value}; its listing cannot change.")
    signature.naming_token_hash = None
    signature.naming_expires_at = None
    if signature.listed_publicly:
        return False
    signature.listed_publicly = True
    db.session.flush()
    record("signature.named_by_signer", actor, signature, letter=signature.letter_id)
    return True
