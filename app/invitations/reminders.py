"""Reminders to invitees who have not answered, by hand or N days before the deadline.

At most once per invitee and reminder: before an email is queued, the reminder is claimed
by inserting a `reminders_sent` row with a unique (invitation_id, kind), with "ON CONFLICT DO
NOTHING ... RETURNING". Only the rows this transaction inserted are emailed. A second copy of
`flask reminders send-due` running at the same moment waits on the first one's rows (the
unique index) and, once the first commits, inserts nothing, so it sends nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.invitations import bulk, emails
from app.models import (
    ACTIVE_STATUSES,
    Invitation,
    InvitationLink,
    InvitationStatus,
    Letter,
    LetterStatus,
    ReminderSent,
    Signature,
    SignatureStatus,
)
from app.tokens import new_token

# Sent, or opened without an answer. Queued ones have not had their first email yet; failed,
# signed, declined and withdrawn ones are never reminded.
WAITING = (InvitationStatus.sent, InvitationStatus.opened)
_CHUNK = 900


def automatic_kind(days: int) -> str:
    return f"deadline-{days}d"


# A sign-on in one of these is an answer, whatever became of it: whoever withdrew their
# signature (or had it rejected) is not asked to sign again.
ANSWERED = (*ACTIVE_STATUSES, SignatureStatus.withdrawn, SignatureStatus.rejected)


def not_answered(letter: Letter) -> sa.Select:
    """Invitations of `letter` still waiting for an answer, also by another route: whoever
    signed through the open link with the same address has answered."""
    signed_anyway = sa.exists().where(
        Signature.letter_id == Invitation.letter_id,
        Signature.canonical_email == Invitation.canonical_email,
        Signature.status.in_(ANSWERED),
    )
    return sa.select(Invitation).where(
        Invitation.letter_id == letter.id, Invitation.status.in_(WAITING), ~signed_anyway
    )


def reminder_moment(letter: Letter) -> datetime | None:
    """When the automatic reminder of `letter` is due, if it has one."""
    if letter.deadline_at is None or not letter.reminder_days_before:
        return None
    return letter.deadline_at - timedelta(days=letter.reminder_days_before)


def due_letters(now: datetime) -> list[Letter]:
    """Open letters whose automatic reminder is due and whose deadline has not passed."""
    letters = db.session.scalars(
        sa.select(Letter).where(
            Letter.status == LetterStatus.open,
            Letter.archived_at.is_(None),
            Letter.deadline_at > now,
            Letter.reminder_days_before.is_not(None),
        )
    )
    return [letter for letter in letters if (moment := reminder_moment(letter)) and moment <= now]


def _insert_ignoring_duplicates(rows: list[dict]) -> sa.Insert:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(ReminderSent)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["invitation_id", "kind"])
        .returning(ReminderSent.invitation_id)
    )


def claim(invitation_ids: Sequence[int], kind: str, now: datetime) -> list[int]:
    """Claim `kind` for these invitations; returns the ids that were not claimed before."""
    claimed: list[int] = []
    for start in range(0, len(invitation_ids), _CHUNK):
        chunk = invitation_ids[start : start + _CHUNK]
        rows = [{"invitation_id": i, "kind": kind, "created_at": now} for i in chunk]
        claimed += db.session.scalars(_insert_ignoring_duplicates(rows)).all()
    return sorted(claimed)


def remind(
    letter: Letter,
    kind: str,
    *,
    now: datetime,
    reply_to: str | None,
    inviter_name: str,
    invited_before: datetime | None = None,
) -> int:
    """Queue one reminder of `kind` to everyone not answered who has not had it; returns how
    many were queued. The caller commits (that commit is what makes the claim final)."""
    had_it = sa.exists().where(
        ReminderSent.invitation_id == Invitation.id, ReminderSent.kind == kind
    )
    query = (
        not_answered(letter).where(~had_it).with_only_columns(Invitation.id).order_by(Invitation.id)
    )
    if invited_before is not None:
        # Nobody is reminded of an invitation that reached them after the reminder was due.
        query = query.where(Invitation.created_at <= invited_before)
    claimed = claim(list(db.session.scalars(query)), kind, now)
    if not claimed:
        return 0
    recipients, links = [], []
    for start in range(0, len(claimed), _CHUNK):
        chunk = claimed[start : start + _CHUNK]
        people = db.session.execute(
            sa.select(
                Invitation.id,
                Invitation.email,
                Invitation.organization_name,
                Invitation.contact_name,
            ).where(Invitation.id.in_(chunk))
        )
        for invitation_id, email, organization, contact in people:
            raw, digest = new_token()
            links.append(
                {
                    "invitation_id": invitation_id,
                    "token_hash": digest,
                    "reason": "reminder",
                    "created_at": now,
                }
            )
            recipients.append(emails.Recipient(invitation_id, email, organization, contact, raw))
        db.session.execute(
            sa.update(Invitation)
            .where(Invitation.id.in_(chunk))
            .values(reminders_sent=Invitation.reminders_sent + 1, last_reminded_at=now)
            .execution_options(synchronize_session=False)
        )
    bulk.insert_many(InvitationLink, links)
    emails.queue_rows(
        emails.outbox_rows(
            letter, recipients, reply_to=reply_to, inviter_name=inviter_name, reminder=True
        )
    )
    return len(recipients)
