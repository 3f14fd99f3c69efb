"""Editors and viewers from outside the lead organization, e.g. staff of co-lead organizations.

An address that already has an account joins at once (and is told by email); any other
address gets a single-use invitation link, which works after the person registers or logs in
with that same address.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.actor import Actor
from app.audit import record
from app.errors import Refused
from app.extensions import db
from app.mail.outbox import queue_email
from app.models import Collaborator, CollaboratorRole, Letter, Organization, User, utcnow
from app.tokens import hash_token, new_token
from app.urls import external_url

INVITATION_DAYS = 14


def collaborators_of(letter: Letter) -> list[Collaborator]:
    return list(
        db.session.scalars(
            sa.select(Collaborator)
            .where(Collaborator.letter_id == letter.id)
            .order_by(Collaborator.created_at, Collaborator.id)
        )
    )


def co_lead_organizations(letter: Letter) -> list[Organization]:
    """Organizations of the editors who joined, other than the lead: the letterhead's co-leads."""
    found: dict[int, Organization] = {}
    for c in collaborators_of(letter):
        if c.user is None or c.role is not CollaboratorRole.editor:
            continue
        for org in c.user.organizations:
            if org.id != letter.organization_id:
                found.setdefault(org.id, org)
    return sorted(found.values(), key=lambda o: o.name.casefold())


def add_collaborator(
    letter: Letter, *, email: str, role: CollaboratorRole, actor: Actor
) -> Collaborator:
    email = email.strip().lower()
    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email))
    if user is not None and user.role_in(letter.organization_id) is not None:
        raise Refused(
            f"{email} is on the staff of {letter.organization.name} and can already edit."
        )
    collaborator = db.session.scalar(
        sa.select(Collaborator).where(
            Collaborator.letter_id == letter.id, Collaborator.email == email
        )
    )
    if collaborator is None:
        collaborator = Collaborator(letter_id=letter.id, email=email, invited_by_id=actor.user_id)
        db.session.add(collaborator)
    collaborator.role = role
    # Only a verified account joins at once: anyone can register with an address they do not
    # own, so an unverified one gets the emailed link like everyone else.
    if collaborator.user_id is None and user is not None and user.is_verified and user.is_active:
        collaborator.user_id, collaborator.accepted_at = user.id, utcnow()
        collaborator.user = user
    db.session.flush()
    inviter = db.session.get(User, actor.user_id) if actor.user_id else None
    context = {"letter": letter, "role": role.value, "inviter": inviter}
    if collaborator.joined:
        context["url"] = external_url("letters.overview", slug=letter.slug)
        template, kind = "letters/emails/collaborator_added", "letter_collaborator_added"
    else:
        raw, collaborator.token_hash = new_token()
        collaborator.expires_at = utcnow() + timedelta(days=INVITATION_DAYS)
        context |= {"url": external_url("letters.join", token=raw), "days": INVITATION_DAYS}
        template, kind = "letters/emails/collaborator_invited", "letter_collaborator_invited"
    queue_email(
        kind=kind,
        to=email,
        subject=f"You can now {_verb(role)} “{letter.title}”",
        template=template,
        context=context,
        reply_to=inviter.email if inviter else None,
        ref=collaborator,
    )
    record(
        "letter.collaborator_added", actor, letter, email=email, role=role.value,
        joined=collaborator.joined,
    )  # fmt: skip
    return collaborator


def _verb(role: CollaboratorRole) -> str:
    return "help edit" if role is CollaboratorRole.editor else "read"


def remove_collaborator(letter: Letter, collaborator_id: int, *, actor: Actor) -> None:
    collaborator = db.session.get(Collaborator, collaborator_id)
    if collaborator is None or collaborator.letter_id != letter.id:
        raise Refused("That person is not a collaborator on this letter.")
    record("letter.collaborator_removed", actor, letter, email=collaborator.email)
    db.session.delete(collaborator)


def invitation_for(raw_token: str) -> Collaborator | None:
    """The pending invitation for a link token, if it is still valid."""
    collaborator = db.session.scalar(
        sa.select(Collaborator).where(Collaborator.token_hash == hash_token(raw_token))
    )
    if collaborator is None or collaborator.expires_at is None:
        return None
    if collaborator.expires_at <= utcnow():
        return None
    return collaborator


def accept_invitation(raw_token: str, *, user: User, actor: Actor) -> Collaborator:
    collaborator = invitation_for(raw_token)
    if collaborator is None:
        raise Refused(
            "This invitation link is no longer valid: it was used, withdrawn or has expired. "
            "Ask the letter's lead to invite you again."
        )
    if collaborator.email != user.email.lower():
        raise Refused(
            f"This invitation was sent to {collaborator.email}, but you are logged in as "
            f"{user.email}. Log in with the invited address, or ask the lead to invite this one."
        )
    collaborator.user_id, collaborator.user = user.id, user
    collaborator.accepted_at = utcnow()
    # Single use: the link stops working once it has been used.
    collaborator.token_hash = None
    collaborator.expires_at = None
    letter = db.session.get(Letter, collaborator.letter_id)
    record("letter.collaborator_joined", actor, letter, email=collaborator.email)
    return collaborator
