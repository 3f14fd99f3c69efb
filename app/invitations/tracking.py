"""What happened to an invitation: its link was opened, it was signed, its email went or failed.

The signing pages call `find_by_token`, `link_refusal`, `mark_opened` and `mark_signed`; the
mail worker calls `_email_outcome` through `app.mail.hooks`. Each change is a conditional
UPDATE, so a repeated or concurrent call changes nothing twice, and each first change leaves
one audit event. None of these commit.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from app.actor import Actor
from app.audit import record
from app.extensions import db
from app.mail import hooks
from app.models import Invitation, InvitationLink, InvitationStatus, OutboxStatus, Signature
from app.tokens import hash_token

S = InvitationStatus
KIND_INVITATION = "invitation"
KIND_REMINDER = "invitation.reminder"
# Generous: our tokens are 43 characters; anything much longer is not one of ours.
_MAX_TOKEN = 200
_INVITEE = Actor.system("invitee")


def find_by_token(raw: str | None) -> Invitation | None:
    """The invitation a personal link opens: the first link or one sent in a reminder.

    Looked up by the token's hash, so the secret is never compared in Python.
    """
    if not raw or len(raw) > _MAX_TOKEN:
        return None
    digest = hash_token(raw)
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.token_hash == digest))
    if invitation is None:
        invitation = db.session.scalar(
            sa.select(Invitation)
            .join(InvitationLink, InvitationLink.invitation_id == Invitation.id)
            .where(InvitationLink.token_hash == digest)
        )
    return invitation


def link_refusal(invitation: Invitation) -> str | None:
    """Why this personal link no longer leads to signing (the letter's own state aside:
    see `deadline.signing_closed`)."""
    if invitation.status is S.withdrawn:
        lead = invitation.letter.organization.name
        return f"This invitation was withdrawn by {lead}. If you think this is a mistake, please write to them."
    return None


def _update(invitation: Invitation, *where: sa.ColumnElement[bool], **values: object) -> bool:
    result = db.session.execute(
        sa.update(Invitation)
        .where(Invitation.id == invitation.id, *where)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    changed = result.rowcount == 1
    if changed:
        db.session.refresh(invitation)
    return changed


def mark_opened(invitation: Invitation, now: datetime, *, actor: Actor | None = None) -> bool:
    """The personal link was visited. Returns True the first time."""
    _update(
        invitation,
        Invitation.status.in_((S.queued, S.sent, S.failed)),
        status=S.opened,
    )
    first = _update(invitation, Invitation.opened_at.is_(None), opened_at=now)
    if first:
        record("invitation.opened", actor or _INVITEE, invitation, letter_id=invitation.letter_id)
    return first


def mark_signed(
    invitation: Invitation, signature: Signature, now: datetime, *, actor: Actor | None = None
) -> bool:
    """A signature arrived through this invitation (also after a decline: minds change)."""
    changed = _update(
        invitation,
        Invitation.status.not_in((S.signed, S.withdrawn)),
        status=S.signed,
        answered_at=now,
        opened_at=sa.func.coalesce(Invitation.opened_at, now),
    )
    if changed:
        record(
            "invitation.signed",
            actor or _INVITEE,
            invitation,
            letter_id=invitation.letter_id,
            signature_id=signature.id,
        )
    return changed


def mark_signature_withdrawn(
    invitation: Invitation, now: datetime, *, actor: Actor | None = None
) -> bool:
    """The signer took their signature back: the invitation is open again (not answered)."""
    changed = _update(invitation, Invitation.status == S.signed, status=S.opened, answered_at=None)
    if changed:
        record("invitation.unsigned", actor or _INVITEE, invitation, letter_id=invitation.letter_id)
    return changed


@hooks.on_outcome(Invitation.__tablename__)
def _email_outcome(outcome: hooks.Outcome) -> None:
    """The invitation follows its email: "sent" once the SMTP server accepted the invitation,
    "failed" (with the reason) when a message to the invitee was finally refused."""
    if outcome.ref_id is None:
        return
    where = [Invitation.id == outcome.ref_id]
    if outcome.status is OutboxStatus.sent:
        if outcome.kind != KIND_INVITATION:
            return
        values: dict[str, object] = {"status": S.sent, "sent_at": outcome.at}
        where.append(Invitation.status == S.queued)
    else:
        reason = outcome.error or "The email could not be delivered."
        values = {"status": S.failed, "failure_reason": reason}
        where.append(Invitation.status.in_((S.queued, S.sent)))
    result = db.session.execute(
        sa.update(Invitation)
        .where(*where)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        event = "invitation.sent" if outcome.status is OutboxStatus.sent else "invitation.failed"
        record(
            event,
            Actor.system("mail worker"),
            db.session.get(Invitation, outcome.ref_id),
            outbox_id=outcome.message_id,
            reason=values.get("failure_reason"),
        )
