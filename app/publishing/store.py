"""Loading the FinalLetter of a letter: the frozen record once final, else built live.

A constant number of queries whatever the number of signatories: one for the version, one
for the signatures (no relationship is touched per row), a few for the co-leads.

The live letter of an open letter is built from plain rows, and the app keeps the last few
it built: a public page with thousands of signatories is read far more often than its list
changes, and rebuilding it (ordering, numbering, hashing) costs far more than reading it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import lazyload

from app.core.recent import recent
from app.extensions import db
from app.letters.collaborators import co_lead_organizations
from app.letters.operations import get_version, latest_version
from app.letters.printing import date_line
from app.models import (
    FinalLetterRecord,
    Letter,
    LetterStatus,
    LetterVersion,
    Signature,
    SignatureStatus,
    SignerKind,
    utcnow,
)
from app.models.signature import listed_name
from app.orgs.letterhead import letterhead_key
from app.publishing.final_letter import FinalLetter, build_final_letter


def approved_signatures(letter: Letter) -> list[Signature]:
    return list(
        db.session.scalars(
            sa.select(Signature)
            .where(Signature.letter_id == letter.id, Signature.status == SignatureStatus.approved)
            .options(lazyload("*"))
        )
    )


@dataclass(frozen=True, slots=True)
class ListedRow:
    """An approved signature with only what the list shows and orders by (read-only pages)."""

    id: int
    kind: SignerKind
    status: SignatureStatus
    organization_name: str
    acronym: str
    country: str
    signer_name: str
    signer_title: str
    affiliation: str
    listed_publicly: bool
    manual_position: int | None
    created_at: datetime
    approved_at: datetime | None

    @property
    def display_name(self) -> str:
        return listed_name(self.kind, self.organization_name, self.acronym, self.signer_name)


_TABLE = Signature.__table__
_LISTED = sa.select(*(_TABLE.c[name] for name in ListedRow.__slots__)).where(
    _TABLE.c.letter_id == sa.bindparam("letter_id"),
    _TABLE.c.status == SignatureStatus.approved,
)


def _listed_rows(letter: Letter) -> list[tuple]:
    # Through the session's connection: plain tuples, without the ORM's per-row loading. That
    # path does not autoflush, so this request's own unflushed changes are flushed first.
    db.session.flush()
    result = db.session.connection().execute(_LISTED, {"letter_id": letter.id})
    return [tuple(row) for row in result]


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
    """The letter as it stands now, from the database (a draft until final).

    Kept by everything it is built from (the letter's columns and its organization's name,
    the version, the co-leads, the date line, every listed row), so any change to any of
    them builds it anew and an unchanged list is not rebuilt.
    """
    now = now or utcnow()
    co_leads = [org.name for org in co_lead_organizations(letter)] if letter.show_co_leads else []
    version = text_version(letter)
    rows = _listed_rows(letter)
    state = tuple(getattr(letter, a.key) for a in sa.inspect(Letter).column_attrs)
    key = (state, letterhead_key(letter.organization), version.id, tuple(co_leads),
           date_line(letter, now), tuple(rows))  # fmt: skip
    built = recent("live_letters").get(key)
    if built is None:
        signatures = [ListedRow(*row) for row in rows]
        built = build_final_letter(letter, version, signatures, co_leads, now)
        recent("live_letters").put(key, built)
    return built


def preview_letter(letter: Letter, version: LetterVersion) -> FinalLetter:
    """The letter at `version` for the print preview: the frozen letter when that is the
    final version, else built from that version and today's list (marked DRAFT)."""
    if letter.status is LetterStatus.final and version.number == letter.final_version_number:
        return load_final_letter(letter)
    co_leads = [org.name for org in co_lead_organizations(letter)] if letter.show_co_leads else []
    signatures = [ListedRow(*row) for row in _listed_rows(letter)]
    return build_final_letter(letter, version, signatures, co_leads, utcnow(), final=False)


def load_final_letter(letter: Letter, now: datetime | None = None) -> FinalLetter:
    """The frozen FinalLetter of a final letter, or the live one of any other letter.

    A letter finalized before freezing existed has no record: it is built live from its
    final version, and still says FINAL.
    """
    if letter.status is LetterStatus.final:
        frozen = _frozen(letter)
        if frozen is not None:
            return frozen
    return build_live(letter, now)


def _frozen(letter: Letter) -> FinalLetter | None:
    """The frozen letter, read whole only when this app has not read it already: a record is
    never changed once written, so its id and content hash name its data. (The count badge
    and the API of a published letter are asked for far more often than anything else.)"""
    table = FinalLetterRecord.__table__
    found = db.session.execute(
        sa.select(table.c.id, table.c.content_hash).where(table.c.letter_id == letter.id)
    ).first()
    if found is None:
        return None
    key = tuple(found)
    frozen = recent("final_letters").get(key)
    if frozen is None:
        data = db.session.scalar(sa.select(table.c.data).where(table.c.id == found.id))
        frozen = FinalLetter.from_dict(data)
        recent("final_letters").put(key, frozen)
    return frozen
