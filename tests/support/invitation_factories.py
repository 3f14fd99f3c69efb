"""Builders for the invitations tests: open letters, invitations in any state, sign-ons,
and the personal link of an invitation as its email carries it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.invitations import operations, parsing
from app.letters.operations import latest_version
from app.models import (
    ArrivedVia,
    Invitation,
    InvitationStatus,
    Letter,
    OutboxMessage,
    Signature,
    SignatureStatus,
    User,
    utcnow,
)
from app.tokens import new_token
from tests.letters_support import actor_for, make_letter

LINK = re.compile(r"/s/([A-Za-z0-9_\-]{20,})(?=[\s\"<]|$)")


def open_letter(
    user: User,
    *,
    title: str = "Free the river guides",
    deadline: datetime | None = None,
    reminder_days: int | None = None,
    time_zone: str = "UTC",
) -> Letter:
    letter = make_letter(user, title=title, status="open")
    letter.deadline_at = deadline
    letter.reminder_days_before = reminder_days
    letter.time_zone = time_zone
    db.session.commit()
    return letter


def invite(letter: Letter, user: User, *lines: str, message: str = "") -> list[Invitation]:
    """Invite pasted `lines` as the lead would, committed; returns the invitations."""
    parsed = parsing.parse_pasted("\n".join(lines))
    rows = [r for r in parsed.rows if r.ok]
    operations.invite(letter, rows, message=message, inviter=user, actor=actor_for(user))
    db.session.commit()
    canonical = [r.canonical for r in rows]
    return list(
        db.session.scalars(
            sa.select(Invitation)
            .where(Invitation.letter_id == letter.id, Invitation.canonical_email.in_(canonical))
            .order_by(Invitation.id)
        )
    )


def set_status(invitation: Invitation, status: str, **values) -> Invitation:
    invitation.status = InvitationStatus(status)
    for key, value in values.items():
        setattr(invitation, key, value)
    db.session.commit()
    return invitation


def make_signature(
    letter: Letter,
    email: str,
    *,
    organization: str = "Friends of the Delta",
    name: str = "Signer Person",
    status: str = "approved",
    invitation: Invitation | None = None,
    created_at: datetime | None = None,
) -> Signature:
    version = latest_version(letter)
    signature = Signature(
        letter_id=letter.id,
        status=SignatureStatus(status),
        organization_name=organization,
        signer_name=name,
        email=email,
        canonical_email=parsing.canonical_email(email),
        attested_authorized=True,
        via=ArrivedVia.invitation if invitation else ArrivedVia.open_link,
        invitation_id=invitation.id if invitation else None,
        version_id=version.id,
        version_number=version.number,
        manage_token_hash=new_token()[1],
        created_at=created_at or utcnow(),
    )
    db.session.add(signature)
    db.session.commit()
    return signature


def outbox_for(invitation: Invitation) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.ref_type == "invitations", OutboxMessage.ref_id == invitation.id)
            .order_by(OutboxMessage.id)
        )
    )


def link_token(text: str) -> str:
    match = LINK.search(text)
    assert match, "no personal link in the email"
    return match.group(1)


def token_of(invitation: Invitation) -> str:
    """The raw token of the invitation's latest email, read from the outbox."""
    return link_token(outbox_for(invitation)[-1].text_body)


def days_from_now(days: float) -> datetime:
    return utcnow() + timedelta(days=days)
