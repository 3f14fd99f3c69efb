"""The address book of a lead organization: partner organizations, their contacts, and what
each did with the organization's letters (invited to, signed).

It fills itself from invitations (`remember`, called by `operations.invite` in bulk) and
from sign-ons (`add_signatories`). History is read live from invitations and signatures by
canonical email, so it is complete even for letters sent before the book existed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from app.core.params import LIKE_ESCAPE, contains_pattern
from app.extensions import db
from app.invitations import bulk
from app.invitations.parsing import name_key
from app.models import (
    Invitation,
    InvitationStatus,
    Letter,
    Partner,
    PartnerContact,
    PartnerGroup,
    Signature,
    SignatureStatus,
    SignerKind,
    partner_group_members,
    utcnow,
)

SIGNED = (SignatureStatus.verified, SignatureStatus.approved)
PAGE_SIZE = 100
_CHUNK = 900  # stays under SQLite's limit of bound parameters per statement


@dataclass(frozen=True)
class Person:
    """Someone to remember: as typed in a paste, a file, or a sign-on."""

    organization_name: str
    contact_name: str
    email: str
    canonical: str


@dataclass
class HistoryEntry:
    letter: Letter
    email: str
    invitation: InvitationStatus | None = None
    invited_at: datetime | None = None
    signature: SignatureStatus | None = None
    signed_at: datetime | None = None


@dataclass
class PartnerRow:
    partner: Partner | None
    contacts: list[PartnerContact] = field(default_factory=list)
    invited: int = 0
    signed: int = 0


def _chunks(items: Sequence, size: int = _CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def remember(organization_id: int, people: Iterable[Person]) -> int:
    """Add the partners and contacts not yet in the book; returns how many contacts were new.

    Existing contacts are left as they are: one removed or merged stays so.
    """
    wanted: dict[str, Person] = {}
    for person in people:
        wanted.setdefault(person.canonical, person)
    known: set[str] = set()
    for chunk in _chunks(list(wanted)):
        known.update(
            db.session.scalars(
                sa.select(PartnerContact.canonical_email).where(
                    PartnerContact.organization_id == organization_id,
                    PartnerContact.canonical_email.in_(chunk),
                )
            )
        )
    new = [p for c, p in wanted.items() if c not in known]
    if not new:
        return 0
    partner_ids = _partner_ids(organization_id, [p.organization_name for p in new])
    now = utcnow()
    rows = [
        {
            "organization_id": organization_id,
            "partner_id": partner_ids.get(name_key(p.organization_name)),
            "email": p.email,
            "canonical_email": p.canonical,
            "name": p.contact_name,
            "created_at": now,
            "updated_at": now,
        }
        for p in new
    ]
    bulk.insert_many(PartnerContact, rows)
    return len(rows)


def _partner_ids(organization_id: int, names: Iterable[str]) -> dict[str, int]:
    """Partner ids by name key, creating the partners that do not exist yet."""
    by_key: dict[str, str] = {}
    for name in names:
        if name.strip():
            by_key.setdefault(name_key(name), name.strip())
    ids = _existing_partners(organization_id, list(by_key))
    missing = [
        {"organization_id": organization_id, "name": name, "name_key": key}
        for key, name in by_key.items()
        if key not in ids
    ]
    if missing:
        # One SELECT for the new ids: asking the INSERT to return them in parameter order
        # would make it run row by row on SQLite.
        bulk.insert_many(Partner, missing)
        ids |= _existing_partners(organization_id, [m["name_key"] for m in missing])
    return ids


def _existing_partners(organization_id: int, keys: list[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for chunk in _chunks(keys):
        ids.update(
            db.session.execute(
                sa.select(Partner.name_key, Partner.id).where(
                    Partner.organization_id == organization_id, Partner.name_key.in_(chunk)
                )
            ).all()
        )
    return ids


def partner_id_for(organization_id: int, name: str) -> int | None:
    return _partner_ids(organization_id, [name]).get(name_key(name)) if name.strip() else None


def _signatories(organization_id: int) -> sa.Select:
    return (
        sa.select(Signature)
        .join(Letter, Letter.id == Signature.letter_id)
        .where(
            Letter.organization_id == organization_id,
            Signature.status.in_(SIGNED),
            Signature.email.is_not(None),
            Signature.organization_id.is_(None),  # not the lead's (or a co-lead's) own
        )
    )


def _not_in_book(organization_id: int) -> sa.ColumnElement[bool]:
    return ~sa.exists().where(
        PartnerContact.organization_id == organization_id,
        PartnerContact.canonical_email == Signature.canonical_email,
    )


def missing_signatories(organization_id: int) -> int:
    """How many people who signed the organization's letters are not in the book yet."""
    query = _signatories(organization_id).where(_not_in_book(organization_id))
    canonical = query.with_only_columns(Signature.canonical_email).distinct().subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(canonical)) or 0


def add_signatories(organization_id: int) -> int:
    """Put everyone who signed one of the organization's letters into the book."""
    signatures = db.session.scalars(
        _signatories(organization_id).where(_not_in_book(organization_id)).order_by(Signature.id)
    )
    return remember(organization_id, (_person(s) for s in signatures))


def _person(signature: Signature) -> Person:
    individual = signature.kind is SignerKind.individual
    return Person(
        organization_name="" if individual else signature.organization_name,
        contact_name=signature.signer_name,
        email=signature.email or "",
        canonical=signature.canonical_email,
    )


def list_partners(
    organization_id: int, *, q: str = "", group_id: int | None = None, removed: bool = False
) -> list[PartnerRow]:
    """Partners with their contacts (active ones, or only removed ones), matching `q`."""
    query = sa.select(PartnerContact).where(PartnerContact.organization_id == organization_id)
    if removed:
        query = query.where(PartnerContact.removed_at.is_not(None))
    else:
        query = query.where(
            PartnerContact.removed_at.is_(None), PartnerContact.merged_into_id.is_(None)
        )
    if group_id is not None:
        members = sa.select(partner_group_members.c.contact_id).where(
            partner_group_members.c.group_id == group_id
        )
        query = query.where(PartnerContact.id.in_(members))
    if q.strip():
        pattern = contains_pattern(q.strip().lower())
        query = query.outerjoin(Partner, Partner.id == PartnerContact.partner_id).where(
            sa.or_(
                sa.func.lower(Partner.name).like(pattern, escape=LIKE_ESCAPE),
                sa.func.lower(PartnerContact.name).like(pattern, escape=LIKE_ESCAPE),
                PartnerContact.canonical_email.like(pattern, escape=LIKE_ESCAPE),
            )
        )
    contacts = db.session.scalars(query.order_by(PartnerContact.id)).all()
    partners = {
        p.id: p
        for p in db.session.scalars(
            sa.select(Partner).where(Partner.id.in_({c.partner_id for c in contacts} - {None}))
        )
    }
    rows: dict[int | None, PartnerRow] = {}
    for contact in contacts:
        row = rows.setdefault(contact.partner_id, PartnerRow(partners.get(contact.partner_id)))
        row.contacts.append(contact)
    _add_counts(organization_id, rows)
    return sorted(rows.values(), key=lambda r: (r.partner is None, name_key(_name(r))))


def _name(row: PartnerRow) -> str:
    return row.partner.name if row.partner else ""


def _add_counts(organization_id: int, rows: dict[int | None, PartnerRow]) -> None:
    """Letters each partner was invited to and signed: two grouped queries for the page."""
    for model, statuses, attr in (
        (Invitation, None, "invited"),
        (Signature, SIGNED, "signed"),
    ):
        query = (
            sa.select(PartnerContact.partner_id, sa.func.count(sa.distinct(model.letter_id)))
            .join(model, model.canonical_email == PartnerContact.canonical_email)
            .join(Letter, Letter.id == model.letter_id)
            .where(
                PartnerContact.organization_id == organization_id,
                Letter.organization_id == organization_id,
            )
            .group_by(PartnerContact.partner_id)
        )
        if statuses:
            query = query.where(model.status.in_(statuses))
        for partner_id, count in db.session.execute(query):
            if partner_id in rows:
                setattr(rows[partner_id], attr, count)


def history(organization_id: int, emails: Iterable[str]) -> list[HistoryEntry]:
    """Each letter of the organization these canonical emails were invited to or signed."""
    emails = list(set(emails))
    entries: dict[tuple[int, str], HistoryEntry] = {}
    invitations = db.session.execute(
        sa.select(Invitation, Letter)
        .join(Letter, Letter.id == Invitation.letter_id)
        .where(Letter.organization_id == organization_id, Invitation.canonical_email.in_(emails))
    )
    for invitation, letter in invitations:
        entry = entries.setdefault(
            (letter.id, invitation.canonical_email), HistoryEntry(letter, invitation.email)
        )
        entry.invitation, entry.invited_at = invitation.status, invitation.created_at
    signatures = db.session.execute(
        sa.select(Signature, Letter)
        .join(Letter, Letter.id == Signature.letter_id)
        .where(Letter.organization_id == organization_id, Signature.canonical_email.in_(emails))
        .order_by(Signature.id)
    )
    for signature, letter in signatures:
        key = (letter.id, signature.canonical_email)
        entry = entries.setdefault(key, HistoryEntry(letter, signature.email or ""))
        entry.signature, entry.signed_at = signature.status, signature.created_at
    return sorted(entries.values(), key=lambda e: e.letter.created_at, reverse=True)


def aliases(contact: PartnerContact) -> list[PartnerContact]:
    return list(
        db.session.scalars(
            sa.select(PartnerContact).where(PartnerContact.merged_into_id == contact.id)
        )
    )


def groups(organization_id: int) -> list[PartnerGroup]:
    return list(
        db.session.scalars(
            sa.select(PartnerGroup)
            .where(PartnerGroup.organization_id == organization_id)
            .order_by(PartnerGroup.name)
        )
    )
