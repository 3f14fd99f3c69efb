"""Builders for the signing tests: open letters, invitations, sign-ons in any state, the
sign form as a browser posts it, and the links in the emails a signer receives."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.actor import Actor
from app.extensions import db
from app.models import (
    Invitation,
    InvitationStatus,
    Letter,
    OutboxMessage,
    Signature,
    SignatureStatus,
    SignerKind,
    User,
    utcnow,
)
from app.signing import identity, operations
from app.signing.operations import SignOnDetails
from app.tokens import new_token
from tests.letters_support import make_letter

BASE = "http://testserver.localhost"
_LINK = re.compile(r"https?://[^\s\"<>]+?/s/(verify|manage)/([A-Za-z0-9_\-]+)(/reconfirm)?")
SIGNER = Actor(ip="198.51.100.7", user_agent="pytest signer")


def make_open_letter(
    user: User,
    *,
    title: str = "Free the river guides",
    moderation: bool = False,
    open_link: bool = True,
    individuals_allowed: bool = False,
    deadline: datetime | None = None,
    time_zone: str = "UTC",
) -> Letter:
    """An open letter of `user`'s organization with version 2 as its text, committed."""
    letter = make_letter(user, title=title, status="open")
    letter.moderation = moderation
    letter.open_link = open_link
    letter.individuals_allowed = individuals_allowed
    letter.deadline_at = deadline if deadline is not None else utcnow() + timedelta(days=21)
    letter.time_zone = time_zone
    db.session.commit()
    return letter


def make_invitation(
    letter: Letter, email: str, *, organization_name: str = "", contact_name: str = ""
) -> tuple[Invitation, str]:
    """An invitation as if its email was sent; returns it and the raw token of its link."""
    raw, token_hash = new_token()
    invitation = Invitation(
        letter_id=letter.id,
        email=email,
        canonical_email=identity.canonical_email(email),
        organization_name=organization_name,
        contact_name=contact_name,
        token_hash=token_hash,
        status=InvitationStatus.sent,
        sent_at=utcnow(),
    )
    db.session.add(invitation)
    db.session.commit()
    return invitation, raw


def details(
    email: str = "ana@tidewater.example.org",
    organization_name: str = "Tidewater Rights Project",
    **kw: object,
) -> SignOnDetails:
    values: dict = {
        "email": email,
        "signer_name": "Ana Lindqvist",
        "organization_name": organization_name,
        "signer_title": "Director",
        "country": "Norland",
        "attested_authorized": True,
    }
    values.update(kw)
    return SignOnDetails(**values)


def make_signature(
    letter: Letter,
    *,
    status: SignatureStatus | str = SignatureStatus.approved,
    email: str | None = None,
    organization_name: str | None = None,
    now: datetime | None = None,
    **kw: object,
) -> Signature:
    """A sign-on made through the operations and brought to `status`, committed.

    Its emails are dropped from the outbox, so a test sees only the mail it causes.
    """
    status = SignatureStatus(status)
    n = db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) + 1
    result = operations.sign(
        letter,
        details(
            email=email or f"signer{n}@org{n}.example.org",
            organization_name=organization_name or f"Organization Number {n}",
            **kw,
        ),
        actor=SIGNER,
        now=now,
    )
    signature = result.signature
    assert signature is not None, "the address already had a signature"
    lead = Actor(label="test lead")
    if status is not SignatureStatus.unverified:
        operations.verify(signature, actor=SIGNER, now=now)
    if status is SignatureStatus.approved and signature.status is SignatureStatus.verified:
        operations.approve(signature, actor=lead)
    elif status is SignatureStatus.rejected:
        operations.reject(signature, actor=lead)
    elif status is SignatureStatus.withdrawn:
        operations.withdraw(signature, actor=SIGNER)
    elif status is SignatureStatus.expired:
        signature.verify_expires_at = utcnow() - timedelta(minutes=1)
        operations.expire_unverified(utcnow())
    db.session.execute(sa.delete(OutboxMessage))
    db.session.commit()
    db.session.refresh(signature)
    assert signature.status is status, (signature.status, status)
    return signature


def individual(email: str = "mira@example.net", **kw: object) -> SignOnDetails:
    return details(
        email=email, organization_name="", kind=SignerKind.individual, signer_title="", **kw
    )


def sign_form(**overrides: str) -> dict[str, str]:
    """The organization sign form as a browser posts it (CSRF token added by post_form)."""
    data = {
        "organization_name": "Tidewater Rights Project",
        "acronym": "TRP",
        "website": "tidewater.example.org",
        "country": "Norland",
        "signer_name": "Ana Lindqvist",
        "signer_title": "Director",
        "email": "ana@tidewater.example.org",
        "authorized": "y",
        "note_to_lead": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def links_in(text: str) -> dict[str, str]:
    """The paths of the signer links in an email: "verify", "manage" and "reconfirm"."""
    found = {}
    for match in _LINK.finditer(text):
        kind, token, reconfirm = match.groups()
        key = "reconfirm" if reconfirm else kind
        found[key] = f"/s/{kind}/{token}" + (reconfirm or "")
    return found


def signatures_of(letter: Letter) -> list[Signature]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Signature).where(Signature.letter_id == letter.id).order_by(Signature.id)
        )
    )
