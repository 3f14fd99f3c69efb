"""Changing invitations: invite, resend, withdraw, decline, remind, and the reminder setting.

Each function checks the letter's state, changes the rows (in bulk where there can be
thousands), writes one audit event, queues its emails in the same transaction, and leaves
the commit to its caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from app.actor import Actor
from app.audit import record
from app.errors import Refused
from app.extensions import db
from app.invitations import addressbook, bulk, emails, reminders
from app.invitations.deadline import deadline_passed, lead_contact
from app.invitations.parsing import Row
from app.models import (
    Invitation,
    InvitationLink,
    InvitationStatus,
    Letter,
    LetterStatus,
    OutboxMessage,
    OutboxStatus,
    User,
    utcnow,
)
from app.tokens import new_token

S = InvitationStatus
MAX_REMINDER_DAYS = 60


def ensure_can_invite(letter: Letter, now: datetime) -> None:
    if letter.archived:
        raise Refused("This letter is archived. Unarchive it before inviting partners.")
    if letter.status is not LetterStatus.open:
        raise Refused(
            "Open the letter for sign-on before inviting partners: an invitation leads "
            f"straight to the sign page, and this letter is {letter.status.value}."
        )
    if deadline_passed(letter, now):
        raise Refused(
            "The sign-on deadline has passed. Set a later deadline in the letter's settings "
            "before inviting more partners."
        )


def invite(
    letter: Letter, rows: Sequence[Row], *, message: str, inviter: User, actor: Actor
) -> int:
    """Invite every row (already previewed and free of problems); returns how many.

    One bulk insert for the invitations, one for their emails, a few for the address book
    (see bulk.py): 5,000 rows cost a handful of statements, not 5,000 round trips.
    """
    now = utcnow()
    ensure_can_invite(letter, now)
    taken = set(
        db.session.scalars(
            sa.select(Invitation.canonical_email).where(Invitation.letter_id == letter.id)
        )
    )
    fresh: dict[str, Row] = {}
    for row in rows:
        if row.ok and row.canonical not in taken:
            fresh.setdefault(row.canonical, row)
    if not fresh:
        return 0
    tokens = [new_token() for _ in fresh]
    values = [
        {
            "letter_id": letter.id,
            "email": row.email,
            "canonical_email": row.canonical,
            "organization_name": row.organization,
            "contact_name": row.contact,
            "status": S.queued,
            "token_hash": digest,
            "invited_by_id": inviter.id,
            "created_at": now,
        }
        for row, (_, digest) in zip(fresh.values(), tokens, strict=True)
    ]
    # The new ids come back by (letter, canonical email), which is unique: asking the INSERT
    # to return them in parameter order would make it run row by row on SQLite.
    bulk.insert_many(Invitation, values)
    ids_by_email: dict[str, int] = {}
    canonical = list(fresh)
    for start in range(0, len(canonical), 900):
        ids_by_email.update(
            db.session.execute(
                sa.select(Invitation.canonical_email, Invitation.id).where(
                    Invitation.letter_id == letter.id,
                    Invitation.canonical_email.in_(canonical[start : start + 900]),
                )
            ).all()
        )
    ids = [ids_by_email[c] for c in canonical]
    recipients = [
        emails.Recipient(invitation_id, row.email, row.organization, row.contact, raw)
        for invitation_id, row, (raw, _) in zip(ids, fresh.values(), tokens, strict=True)
    ]
    emails.queue_rows(
        emails.outbox_rows(
            letter, recipients, reply_to=inviter.email, inviter_name=inviter.name, message=message
        )
    )
    addressbook.remember(
        letter.organization_id,
        (
            addressbook.Person(r.organization, r.contact, r.email, r.canonical)
            for r in fresh.values()
        ),
    )
    record(
        "invitations.invited",
        actor,
        letter,
        count=len(ids),
        custom_message=bool(message.strip()) or None,
    )
    return len(ids)


def _cancel_queued_mail(invitation: Invitation, why: str) -> None:
    """Emails still waiting in the outbox carry a link that should no longer go out."""
    db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.ref_type == Invitation.__tablename__,
            OutboxMessage.ref_id == invitation.id,
            OutboxMessage.status == OutboxStatus.queued,
        )
        .values(status=OutboxStatus.failed, last_error=why)
        .execution_options(synchronize_session=False)
    )


def resend(invitation: Invitation, *, inviter: User, actor: Actor) -> None:
    """Send the invitation again, with a fresh personal link (earlier links keep working)."""
    letter = invitation.letter
    ensure_can_invite(letter, utcnow())
    if invitation.status is S.signed:
        raise Refused(f"{invitation.email} has already signed.")
    if invitation.status is S.declined:
        raise Refused(f"{invitation.email} declined this invitation; it is not sent again.")
    if invitation.status is S.queued:
        raise Refused(f"The invitation to {invitation.email} has not left yet: it is on its way.")
    if invitation.status is S.held:
        raise Refused(f"The invitation to {invitation.email} is kept until the letter opens.")
    _cancel_queued_mail(invitation, "replaced by a resent invitation")
    raw, digest = new_token()
    db.session.add(InvitationLink(invitation_id=invitation.id, token_hash=digest, reason="resend"))
    before = invitation.status
    if invitation.status is not S.opened:
        invitation.status = S.queued
    invitation.failure_reason = ""
    recipient = emails.Recipient(
        invitation.id, invitation.email, invitation.organization_name, invitation.contact_name, raw
    )
    emails.queue_rows(
        emails.outbox_rows(letter, [recipient], reply_to=inviter.email, inviter_name=inviter.name)
    )
    record("invitation.resent", actor, invitation, letter_id=letter.id, status_before=before.value)


def withdraw(invitation: Invitation, *, actor: Actor) -> None:
    """Take the invitation back: its links stop leading to the sign page."""
    if invitation.status is S.withdrawn:
        raise Refused("This invitation is already withdrawn.")
    if invitation.status is S.signed:
        raise Refused(
            f"{invitation.email} has already signed. To take a signature off the letter, "
            "reject it on the signatures page."
        )
    _cancel_queued_mail(invitation, "invitation withdrawn by the lead")
    before = invitation.status
    invitation.status = S.withdrawn
    record(
        "invitation.withdrawn",
        actor,
        invitation,
        letter_id=invitation.letter_id,
        status_before=before.value,
    )


def decline(invitation: Invitation, *, reason: str, actor: Actor, now: datetime) -> bool:
    """The invitee says no, with an optional reason. Returns False if they already had."""
    if invitation.status is S.withdrawn:
        raise Refused("This invitation was withdrawn, so there is nothing to decline.")
    if invitation.status is S.signed:
        raise Refused(
            "You have already signed this letter. To take your signature back, use the "
            "link in the confirmation email you received when you signed."
        )
    result = db.session.execute(
        sa.update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.status.in_((S.queued, S.sent, S.opened, S.failed)),
        )
        .values(
            status=S.declined,
            answered_at=now,
            decline_reason=reason.strip()[:2000],
            opened_at=sa.func.coalesce(Invitation.opened_at, now),
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    db.session.refresh(invitation)
    record(
        "invitation.declined",
        actor,
        invitation,
        letter_id=invitation.letter_id,
        with_reason=bool(reason.strip()) or None,
    )
    return True


def set_reminder_days(letter: Letter, days: int | None, *, actor: Actor) -> bool:
    if days is not None and not 1 <= days <= MAX_REMINDER_DAYS:
        raise Refused(f"Choose between 1 and {MAX_REMINDER_DAYS} days, or no automatic reminder.")
    if letter.reminder_days_before == days:
        return False
    letter.reminder_days_before = days
    record("letter.reminder_set", actor, letter, days_before=days)
    return True


def can_remind(letter: Letter, now: datetime) -> bool:
    """Whether reminders are offered at all: only while the letter is open for sign-on."""
    return (
        letter.status is LetterStatus.open
        and not letter.archived
        and not deadline_passed(letter, now)
    )


def remind(letter: Letter, *, batch: str, inviter: User, actor: Actor) -> int:
    """Remind, now, everyone who has not answered. `batch` comes from the preview page, so
    sending the same preview twice (a double click, a reload) reminds nobody twice."""
    now = utcnow()
    ensure_can_invite(letter, now)
    count = reminders.remind(
        letter, f"manual:{batch}", now=now, reply_to=inviter.email, inviter_name=inviter.name
    )
    if count:
        record("invitations.reminded", actor, letter, count=count, kind="manual")
    return count


def remind_automatically(letter: Letter, *, now: datetime, actor: Actor) -> int:
    """The automatic reminder N days before the deadline, for `flask reminders send-due`."""
    moment = reminders.reminder_moment(letter)
    if moment is None or moment > now or deadline_passed(letter, now):
        return 0
    contact = lead_contact(letter)
    kind = reminders.automatic_kind(letter.reminder_days_before or 0)
    count = reminders.remind(
        letter,
        kind,
        now=now,
        reply_to=contact.email,
        inviter_name=contact.name,
        invited_before=moment,
    )
    if count:
        record("invitations.reminded", actor, letter, count=count, kind=kind)
    return count
