"""The audit events a lead is told about, read as notices: what happened, the note or the
reason when there is one, and the page where the decision is made."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.actor import Actor
from app.audit import record
from app.extensions import db
from app.invitations.deadline import format_moment
from app.models import (
    AuditEvent,
    DeadlineNotice,
    Invitation,
    Letter,
    LetterStatus,
    Signature,
)
from app.urls import external_url

ACTIONS = (
    "signature.verified",
    "signature.withdrawn",
    "signature.listing_changed",
    "invitation.declined",
    "invitation.failed",
    "letter.deadline_near",
)
DEADLINE_WARNING = timedelta(days=2)


@dataclass(frozen=True)
class LetterRef:
    """What a notice needs of its letter, as plain values: sending commits once per member,
    and ORM rows would be reloaded after every commit."""

    id: int
    organization_id: int
    title: str
    slug: str


@dataclass(frozen=True)
class Notice:
    event_id: int
    at: datetime
    letter: LetterRef
    headline: str
    url: str
    detail: str = ""  # the note to the lead, or the reason given
    is_note: bool = False


def announce_deadlines(now: datetime) -> int:
    """Leave one "deadline in two days" event per open letter and deadline.

    The unique (letter, deadline) row makes it once only, also when two runs race; moving
    the deadline announces the new one.
    """
    letters = db.session.scalars(
        sa.select(Letter).where(
            Letter.status == LetterStatus.open,
            Letter.deadline_at > now,
            Letter.deadline_at <= now + DEADLINE_WARNING,
            ~sa.exists().where(
                DeadlineNotice.letter_id == Letter.id,
                DeadlineNotice.deadline_at == Letter.deadline_at,
            ),
        )
    ).all()
    announced = 0
    for letter in letters:
        try:
            with db.session.begin_nested():
                db.session.add(DeadlineNotice(letter_id=letter.id, deadline_at=letter.deadline_at))
        except sa.exc.IntegrityError:
            continue  # another run announced it
        record(
            "letter.deadline_near",
            Actor.system("notices"),
            letter,
            letter=letter.id,
            deadline=letter.deadline_at.isoformat(),
        )
        announced += 1
    return announced


def recent_events(after_id: int, since: datetime) -> list[AuditEvent]:
    """The events worth a notice after `after_id`, none older than `since`."""
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(
                AuditEvent.id > after_id,
                AuditEvent.created_at >= since,
                AuditEvent.action.in_(ACTIONS),
            )
            .order_by(AuditEvent.id)
        )
    )


def notices(events: Sequence[AuditEvent]) -> list[Notice]:
    """The notices among `events` (a listing change the lead made is not one, for example)."""
    signatures = _load(Signature, events, "signatures")
    invitations = _load(Invitation, events, "invitations")
    letter_ids = {s.letter_id for s in signatures.values()}
    letter_ids |= {i.letter_id for i in invitations.values()}
    letter_ids |= {e.object_id for e in events if e.object_type == "letters"}
    letters = {
        letter.id: letter
        for letter in db.session.scalars(sa.select(Letter).where(Letter.id.in_(letter_ids)))
    }
    refs = {
        i: LetterRef(letter.id, letter.organization_id, letter.title, letter.slug)
        for i, letter in letters.items()
    }
    found = []
    for event in events:
        notice = _notice(event, signatures, invitations, letters)
        if notice is not None:
            found.append(replace(notice, letter=refs[notice.letter.id]))
    return found


def _load(model: type, events: Sequence[AuditEvent], table: str) -> dict:
    ids = {e.object_id for e in events if e.object_type == table and e.object_id}
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(sa.select(model).where(model.id.in_(ids)))}


def _notice(event, signatures, invitations, letters) -> Notice | None:  # noqa: ANN001
    d = event.details or {}
    if event.object_type == "signatures":
        signature = signatures.get(event.object_id)
        if signature is None:
            return None
        letter = letters[signature.letter_id]
        url = external_url("signing.signature", slug=letter.slug, signature_id=signature.id)
        name = signature.display_name
        note = (signature.note_to_lead or "").strip()
        if event.action == "signature.verified":
            if not d.get("approved"):
                headline = f"{name} signed and awaits your decision"
                if d.get("possible_duplicate_of"):
                    headline += " (possibly a duplicate)"
            elif note:
                headline = f"{name} signed (listed) and left you a note"
            else:
                return None
            return Notice(event.id, event.created_at, letter, headline, url, note, bool(note))
        if event.action == "signature.withdrawn":
            return Notice(event.id, event.created_at, letter, f"{name} withdrew", url)
        if event.action == "signature.listing_changed" and d.get("back_to_lead"):
            headline = f"{name} changed how it is listed: approve it again"
            return Notice(event.id, event.created_at, letter, headline, url)
        return None
    if event.object_type == "invitations":
        invitation = invitations.get(event.object_id)
        if invitation is None:
            return None
        letter = letters[invitation.letter_id]
        url = external_url("invitations.index", slug=letter.slug)
        who = invitation.organization_name or invitation.email
        if event.action == "invitation.declined":
            reason = (invitation.decline_reason or "").strip()
            return Notice(
                event.id, event.created_at, letter, f"{who} declined", url, reason, bool(reason)
            )
        if event.action == "invitation.failed":
            headline = f"The invitation to {invitation.email} bounced"
            reason = (invitation.failure_reason or "").strip()
            return Notice(event.id, event.created_at, letter, headline, url, reason)
        return None
    if event.action == "letter.deadline_near" and event.object_id in letters:
        letter = letters[event.object_id]
        if letter.status is not LetterStatus.open or letter.deadline_at is None:
            return None
        headline = f"Sign-on closes in two days: {format_moment(letter.deadline_at, letter)}"
        return Notice(
            event.id,
            event.created_at,
            letter,
            headline,
            external_url("letters.overview", slug=letter.slug),
        )
    return None
