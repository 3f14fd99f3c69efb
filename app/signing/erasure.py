"""Erasing the signers' contact data of a final letter, without changing its list.

The people on a list may work under surveillance: once the campaign is over, the lead (or
the organization's retention period, app/signing/retention.py) erases how to reach them.
What is erased, for one letter:

- signatures (every status): email (None), canonical_email (the token "erased:<id>", which
  is no address and keeps the unique index), note_to_lead, ip, user_agent; the confirmation
  link's hash; contact_erased_at is set;
- invitations: email and contact name (emptied), canonical_email ("erased:<id>"), the
  decline reason the invitee wrote, and the SMTP failure reason (it may quote the address);
- audit events about those signatures and invitations: ip, user_agent, actor_label and the
  details that may carry an address ("email", "reason");
- outbox messages about them (queued, sending, sent or failed): deleted, bodies included.

What stays: the list (names, acronyms, countries, titles, websites and the listing choice),
the consent trail's times and versions, the frozen FinalLetterRecord and every export file
(ExportJob), hence the content hash; and the organization's own address book of partners
(partner contacts belong to the organization across letters and are removed on its page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.actor import Actor
from app.audit import record
from app.errors import Refused
from app.extensions import db
from app.models import (
    AuditEvent,
    Invitation,
    Letter,
    LetterStatus,
    OutboxMessage,
    OutboxStatus,
    Signature,
    utcnow,
)

ERASED_PREFIX = "erased:"
# Audit details that may hold a person's address (an SMTP answer quotes the mailbox).
_CONTACT_DETAILS = ("email", "reason")


@dataclass(frozen=True)
class ErasurePlan:
    """What erasing would touch: shown on the confirmation page and by the command."""

    signatures: int
    invitations: int
    waiting_emails: int  # queued or being sent: they will not go
    already_erased: bool


def refusal(letter: Letter) -> str | None:
    if letter.status is not LetterStatus.final:
        return (
            "Contact data can be erased only once the letter is final: until then the "
            "signers may still need to be reached."
        )
    return None


def _ids(letter: Letter) -> tuple[list[int], list[int]]:
    signatures = list(
        db.session.scalars(sa.select(Signature.id).where(Signature.letter_id == letter.id))
    )
    invitations = list(
        db.session.scalars(sa.select(Invitation.id).where(Invitation.letter_id == letter.id))
    )
    return signatures, invitations


def _about(model, signature_ids: list[int], invitation_ids: list[int]):  # noqa: ANN001, ANN202
    """Rows of `model` (audit events or outbox messages) about these signatures/invitations."""
    kind = model.object_type if model is AuditEvent else model.ref_type
    ref = model.object_id if model is AuditEvent else model.ref_id
    return sa.or_(
        sa.and_(kind == Signature.__tablename__, ref.in_(signature_ids or [-1])),
        sa.and_(kind == Invitation.__tablename__, ref.in_(invitation_ids or [-1])),
    )


def plan(letter: Letter) -> ErasurePlan:
    signature_ids, invitation_ids = _ids(letter)
    waiting = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboxMessage)
        .where(
            _about(OutboxMessage, signature_ids, invitation_ids),
            OutboxMessage.status.in_([OutboxStatus.queued, OutboxStatus.sending]),
        )
    )
    return ErasurePlan(
        signatures=len(signature_ids),
        invitations=len(invitation_ids),
        waiting_emails=waiting or 0,
        already_erased=letter.contacts_erased_at is not None,
    )


def erase_contacts(
    letter: Letter, *, actor: Actor, now: datetime | None = None, reason: str = "lead"
) -> ErasurePlan:
    """Erase the contact data of every signer and invitee of a final letter (caller commits).

    Idempotent: erasing again finds nothing left and changes nothing but the audit trail.
    `reason` ("lead" or "retention") goes into the audit event, with counts, never data.
    """
    if message := refusal(letter):
        raise Refused(message)
    now = now or utcnow()
    summary = plan(letter)
    signature_ids, invitation_ids = _ids(letter)
    if signature_ids:
        db.session.execute(
            sa.update(Signature)
            .where(Signature.id.in_(signature_ids))
            .values(
                email=None,
                canonical_email=sa.literal(ERASED_PREFIX) + sa.cast(Signature.id, sa.String),
                note_to_lead="",
                ip=None,
                user_agent=None,
                verify_token_hash=None,
                verify_expires_at=None,
                contact_erased_at=sa.func.coalesce(Signature.contact_erased_at, now),
            )  # fmt: skip
            .execution_options(synchronize_session=False)
        )
    if invitation_ids:
        db.session.execute(
            sa.update(Invitation)
            .where(Invitation.id.in_(invitation_ids))
            .values(
                email="",
                contact_name="",
                decline_reason="",
                failure_reason="",
                canonical_email=sa.literal(ERASED_PREFIX) + sa.cast(Invitation.id, sa.String),
            )  # fmt: skip
            .execution_options(synchronize_session=False)
        )
    _scrub_audit(signature_ids, invitation_ids)
    db.session.execute(
        sa.delete(OutboxMessage)
        .where(_about(OutboxMessage, signature_ids, invitation_ids))
        .execution_options(synchronize_session=False)
    )
    if letter.contacts_erased_at is None:
        letter.contacts_erased_at = now
    record(
        "letter.contacts_erased", actor, letter, reason=reason,
        signatures=summary.signatures, invitations=summary.invitations,
    )  # fmt: skip
    db.session.flush()
    # The rows changed in SQL: what this session holds of them is out of date.
    db.session.expire_all()
    return summary


def _scrub_audit(signature_ids: list[int], invitation_ids: list[int]) -> None:
    events = db.session.execute(
        sa.select(AuditEvent.id, AuditEvent.details).where(
            _about(AuditEvent, signature_ids, invitation_ids)
        )
    ).all()
    db.session.execute(
        sa.update(AuditEvent)
        .where(_about(AuditEvent, signature_ids, invitation_ids))
        .values(ip=None, user_agent=None, actor_label=None)
        .execution_options(synchronize_session=False)
    )
    for event_id, details in events:
        if details and any(key in details for key in _CONTACT_DETAILS):
            kept = {k: v for k, v in details.items() if k not in _CONTACT_DETAILS}
            db.session.execute(
                sa.update(AuditEvent).where(AuditEvent.id == event_id).values(details=kept)
            )
