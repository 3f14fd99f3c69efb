"""Invitations kept for a letter that is not open yet (a follow-up letter, issue 15).

An invitation can only be sent on an open letter (`operations.ensure_can_invite`): its link
leads straight to the sign page. A follow-up starts as a draft, so its invitations are
written now as "held", with no email and no usable link, and `release_held_invitations`
queues them when the letter opens. Each gets its personal link then: a held invitation's
token hash is a placeholder that no link was ever made from.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from app.actor import Actor
from app.audit import record
from app.extensions import db
from app.invitations import addressbook, bulk, emails
from app.invitations.deadline import lead_contact
from app.models import Invitation, InvitationStatus, Letter, User, utcnow
from app.tokens import new_token

S = InvitationStatus


def hold_invitations(
    letter: Letter, people: Iterable[addressbook.Person], *, actor: Actor, message: str = ""
) -> int:
    """Write "held" invitations for `people` not yet invited to `letter`; returns how many.

    `message` (the lead's words above the letter) is kept with them and sent when they are.
    They are remembered in the organization's address book, as sent invitations are.
    """
    taken = set(
        db.session.scalars(
            sa.select(Invitation.canonical_email).where(Invitation.letter_id == letter.id)
        )
    )
    fresh: dict[str, addressbook.Person] = {}
    for person in people:
        if person.canonical and person.canonical not in taken:
            fresh.setdefault(person.canonical, person)
    if not fresh:
        return 0
    now = utcnow()
    bulk.insert_many(
        Invitation,
        [
            {
                "letter_id": letter.id,
                "email": p.email,
                "canonical_email": p.canonical,
                "organization_name": p.organization_name,
                "contact_name": p.contact_name,
                "status": S.held,
                "token_hash": new_token()[1],  # replaced on release; no link carries it
                "invited_by_id": actor.user_id,
                "held_message": message.strip(),
                "created_at": now,
            }
            for p in fresh.values()
        ],
    )
    addressbook.remember(letter.organization_id, fresh.values())
    return len(fresh)


def release_held_invitations(letter: Letter, actor: Actor) -> int:
    """Queue the email of every held invitation of `letter` (now open); returns how many.

    Each gets a fresh personal link. Called in the transaction that opens the letter.
    """
    held = list(
        db.session.scalars(
            sa.select(Invitation)
            .where(Invitation.letter_id == letter.id, Invitation.status == S.held)
            .order_by(Invitation.id)
        )
    )
    if not held:
        return 0
    # Each batch goes as it was kept: with its inviter's name and Reply-To, and its message.
    batches: dict[tuple[int | None, str], list[emails.Recipient]] = {}
    for invitation in held:
        raw, digest = new_token()
        invitation.token_hash = digest
        invitation.status = S.queued
        batches.setdefault((invitation.invited_by_id, invitation.held_message), []).append(
            emails.Recipient(
                invitation.id,
                invitation.email,
                invitation.organization_name,
                invitation.contact_name,
                raw,
            )
        )
        invitation.held_message = ""
    db.session.flush()
    contact = lead_contact(letter)
    for (inviter_id, message), recipients in batches.items():
        inviter = db.session.get(User, inviter_id) if inviter_id else None
        reply_to, name = (inviter.email, inviter.name) if inviter else (contact.email, contact.name)
        emails.queue_rows(
            emails.outbox_rows(
                letter, recipients, reply_to=reply_to, inviter_name=name, message=message
            )
        )
    record("invitations.released", actor, letter, count=len(held))
    return len(held)
