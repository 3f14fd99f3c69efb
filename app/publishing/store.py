"""Loading the FinalLetter of a letter: the frozen record once final, else built live.

A constant number of queries whatever the number of signatories: one for the version, one
for the signatures (no relationship is touched per row), a few for the co-leads.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import lazyload

from app.extensions import db
from app.letters.collaborators import co_lead_organizations
from app.letters.operations import get_version, latest_version
from app.models import (
    FinalLetterRecord,
    Letter,
    LetterStatus,
    LetterVersion,
    Signature,
    SignatureStatus,
    utcnow,
)
from app.publishing.final_letter import FinalLetter, build_final_letter


def approved_signatures(letter: Letter) -> list[Signature]:
    return list(
        db.session.scalars(
            sa.select(Signature)
            .where(Signature.letter_id == letter.id, Signature.status == SignatureStatus.approved)
            .options(lazyload("*"))
        )
    )


def all_signatures(letter: Letter) -> dict[int, Signature]:
    """Every signature of the letter by id (for the lead's CSV): one query."""
    rows = db.session.scalars(
        sa.select(Signature).where(Signature.letter_id == letter.id).options(lazyload("*"))
    )
    return {s.id: s for s in rows}


def approved_count(letter: Letter) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Signature)
        .where(Signature.letter_id == letter.id, Signature.status == SignatureStatus.approved)
    )


def final_record(letter: Letter) -> FinalLetterRecord | None:
    return db.session.scalar(
        sa.select(FinalLetterRecord).where(FinalLetterRecord.letter_id == letter.id)
    )


def text_version(letter: Letter) -> LetterVersion:
    """The final version once final, else the latest."""
    if letter.final_version_number is not None:
        version = get_version(letter, letter.final_version_number)
        if version is not None:
            return version
    return latest_version(letter)


def build_live(letter: Letter, now: datetime | None = None) -> FinalLetter:
    """The letter as it stands now, from the database (a draft until final)."""
    co_leads = [org.name for org in co_lead_organizations(letter)] if letter.show_co_leads else []
    return build_final_letter(
        letter, text_version(letter), approved_signatures(letter), co_leads, now or utcnow()
    )


def preview_letter(letter: Letter, version: LetterVersion) -> FinalLetter:
    """The letter at `version` for the print preview: the frozen letter when that is the
    final version, else built from that version and today's list (marked DRAFT)."""
    if letter.status is LetterStatus.final and version.number == letter.final_version_number:
        return load_final_letter(letter)
    co_leads = [org.name for org in co_lead_organizations(letter)] if letter.show_co_leads else []
    return build_final_letter(
        letter, version, approved_signatures(letter), co_leads, utcnow(), final=False
    )


def load_final_letter(letter: Letter, now: datetime | None = None) -> FinalLetter:
    """The frozen FinalLetter of a final letter, or the live one of any other letter.

    A letter finalized before freezing existed has no record: it is built live from its
    final version, and still says FINAL.
    """
    if letter.status is LetterStatus.final:
        record = final_record(letter)
        if record is not None:
            return FinalLetter.from_dict(record.data)
    return build_live(letter, now)
