"""The preview before inviting: every row with its problem, checked against the letter.

"Already invited" and "already signed" come from two queries for the whole list, whatever
its length. The fingerprint names exactly the rows that would be invited; the send step
rebuilds the preview and refuses to go on if the fingerprint changed, so the lead never
invites anything other than what the preview showed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.extensions import db
from app.invitations.parsing import Parsed, Row
from app.models import ACTIVE_STATUSES, Invitation, Letter, PartnerContact, Signature

STATUS_WORDS = {
    "queued": "waiting to be sent",
    "sent": "sent",
    "opened": "opened",
    "signed": "signed",
    "declined": "declined",
    "failed": "could not be delivered",
    "withdrawn": "withdrawn (resend it from the list to invite again)",
    "held": "kept until the letter opens",
}


@dataclass
class Preview:
    rows: list[Row] = field(default_factory=list)
    error: str | None = None
    # Line numbers of rows whose contact was removed from the address book (a warning only:
    # a paste is the lead's explicit choice).
    removed_from_book: set[int] = field(default_factory=set)

    @property
    def invitable(self) -> list[Row]:
        return [r for r in self.rows if r.ok]

    @property
    def skipped(self) -> list[Row]:
        return [r for r in self.rows if not r.ok]

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for row in self.invitable:
            digest.update(f"{row.canonical}\x1f{row.organization}\x1f{row.contact}\x1e".encode())
        return digest.hexdigest()


def build_preview(letter: Letter, parsed: Parsed) -> Preview:
    if parsed.error:
        return Preview(error=parsed.error)
    preview = Preview(rows=parsed.rows)
    if not preview.invitable:
        return preview
    invited = dict(
        db.session.execute(
            sa.select(Invitation.canonical_email, Invitation.status).where(
                Invitation.letter_id == letter.id
            )
        ).all()
    )
    signed = set(
        db.session.scalars(
            sa.select(Signature.canonical_email).where(
                Signature.letter_id == letter.id, Signature.status.in_(ACTIVE_STATUSES)
            )
        )
    )
    removed = set(
        db.session.scalars(
            sa.select(PartnerContact.canonical_email).where(
                PartnerContact.organization_id == letter.organization_id,
                PartnerContact.removed_at.is_not(None),
            )
        )
    )
    for row in preview.invitable:
        if row.canonical in signed:
            row.problem = "Already signed this letter."
        elif row.canonical in invited:
            status = invited[row.canonical].value
            row.problem = f"Already invited ({STATUS_WORDS[status]})."
        elif row.canonical in removed:
            preview.removed_from_book.add(row.line)
    return preview
