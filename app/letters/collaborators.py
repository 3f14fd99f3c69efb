"""Editors and viewers from outside the lead organization, e.g. staff of co-lead organizations.

Everyone added gets a single-use invitation link by email, whether or not the address has an
account: nobody joins a letter, or is named on it, without accepting. Accepting is a POST by
the account whose verified email is the invited one, which then chooses which of its
organizations (if any) is named as a co-lead. A collaborator can leave at any time.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.actor import Actor
from app.audit import record
from app.errors import Refused
from app.extensions import db
from app.mail.outbox import queue_email
from app.models import (
    Collaborator,
    CollaboratorRole,
    Letter,
    Membership,
    Organization,
    User,
    utcnow,
)
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
    """The organizations that editors who accepted chose to name: the letterhead's co-leads.

    Only a choice made on accepting counts, and only while the editor is still on that
    organization's staff; an invited person's organizations never appear.
    """
    found: dict[int, Organization] = {}
    for c in collaborators_of(letter):
        if not c.joined or c.role is not CollaboratorRole.editor or c.user is None:
            continue
        org = c.co_lead_organization
        if org is None or org.id == letter.organization_id:
            continue
        if c.user.role_in(org.id) is not None:
            found.setdefault(org.id, org)
    return sorted(found.values(), key=lambda o: o.name.casefold())


def add_collaborator(
    letter: Letter, *, email: str, role: CollaboratorRole, actor: Actor
) -> Collaborator:
    """Invite `email` (or change the role of someone who already accepted).

    What the lead is told, and how many emails go, must not depend on whether the address has
    an account (else this form tells anyone with a letter who is registered), so both paths
    do the same work: one lookup, one token, one email.
    """
    email = email.strip().lower()
    # One statement whatever the answer (loading a User would load its memberships too).
    account = db.session.execute(
        sa.select(User.id, Membership.id)
        .outerjoin(
            Membership,
            sa.and_(
                Membership.user_id == User.id,
                Membership.organization_id == letter.organization_id,
            ),
        )
        .where(sa.func.lower(User.email) == email)
    ).first()
    if account is not None and account[1] is not None:
        # The lead's own staff: the lead can see them on its organization page anyway.
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
    inviter = db.session.get(User, actor.user_id) if actor.user_id else None
    context = {"letter": letter, "role": role.value, "inviter": inviter}
    raw, token_hash = new_token()
    if collaborator.joined:
        context["url"] = external_url("letters.overview", slug=letter.slug)
        template, kind = "letters/emails/collaborator_added", "letter_collaborator_added"
    else:
        collaborator.token_hash = token_hash
        collaborator.expires_at = utcnow() + timedelta(days=INVITATION_DAYS)
        context |= {
            "url": external_url("letters.join", token=raw), "days": INVITATION_DAYS,
            "has_account": account is not None,
        }  # fmt: skip
        template, kind = "letters/emails/collaborator_invited", "letter_collaborator_invited"
    db.session.flush()
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


def co_lead_choices(user: User, collaborator: Collaborator) -> list[Organization]:
    """The organizations `user` may name as co-lead when accepting (editors only)."""
    if collaborator.role is not CollaboratorRole.editor:
        return []
    letter = db.session.get(Letter, collaborator.letter_id)
    orgs = [o for o in user.organizations if o.id != letter.organization_id]
    return sorted(orgs, key=lambda o: o.name.casefold())


def accept_invitation(
    raw_token: str, *, user: User, actor: Actor, co_lead_organization_id: int | None = None
) -> Collaborator:
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
    if not user.is_verified:
        # Anyone can register with an address they do not own: only a confirmed one accepts.
        raise Refused(
            "Confirm your email address first (we sent you a link when you registered), "
            "then accept the invitation."
        )
    org = None
    if co_lead_organization_id is not None:
        org = next(
            (o for o in co_lead_choices(user, collaborator) if o.id == co_lead_organization_id),
            None,
        )
        if org is None:
            raise Refused("Choose one of your own organizations, or none.")
    collaborator.user_id, collaborator.user = user.id, user
    collaborator.co_lead_organization_id = org.id if org else None
    collaborator.accepted_at = utcnow()
    # Single use: the link stops working once it has been used.
    collaborator.token_hash = None
    collaborator.expires_at = None
    letter = db.session.get(Letter, collaborator.letter_id)
    record(
        "letter.collaborator_joined", actor, letter, email=collaborator.email,
        co_lead=org.name if org else None,
    )  # fmt: skip
    return collaborator


def leave_letter(letter: Letter, *, user: User, actor: Actor) -> None:
    """The collaborator `user` leaves `letter`: access and co-lead naming end at once."""
    collaborator = db.session.scalar(
        sa.select(Collaborator).where(
            Collaborator.letter_id == letter.id, Collaborator.user_id == user.id
        )
    )
    if collaborator is None:
        raise Refused("You are not a collaborator on this letter.")
    record("letter.collaborator_left", actor, letter, email=collaborator.email)
    db.session.delete(collaborator)
