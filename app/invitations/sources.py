"""Invitees taken from the address book: everyone who signed a letter, a saved group, or
picked rows. Removed contacts never come back through these; a contact merged into another
is invited at the address that was kept.

The result is written as pasted lines ("Organization, Contact, email"), so an address-book
invitation goes through the same preview and the same checks as a paste.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import sqlalchemy as sa

from app.extensions import db
from app.invitations.addressbook import SIGNED, Person
from app.models import (
    Letter,
    Partner,
    PartnerContact,
    PartnerGroup,
    Signature,
    SignerKind,
    partner_group_members,
)


def as_lines(people: Iterable[Person]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for person in people:
        writer.writerow([person.organization_name, person.contact_name, person.email])
    return buffer.getvalue()


def _book(organization_id: int) -> dict[str, PartnerContact]:
    contacts = db.session.scalars(
        sa.select(PartnerContact).where(PartnerContact.organization_id == organization_id)
    )
    return {c.canonical_email: c for c in contacts}


def _partner_names(organization_id: int) -> dict[int, str]:
    return dict(
        db.session.execute(
            sa.select(Partner.id, Partner.name).where(Partner.organization_id == organization_id)
        ).all()
    )


def _as_person(contact: PartnerContact, names: dict[int, str]) -> Person:
    organization = names.get(contact.partner_id, "") if contact.partner_id else ""
    return Person(organization, contact.name, contact.email, contact.canonical_email)


def _resolve(contact: PartnerContact, by_id: dict[int, PartnerContact]) -> PartnerContact | None:
    """The contact to invite for `contact`: itself, the one it was merged into, or nobody."""
    seen = set()
    while contact.merged_into_id is not None and contact.id not in seen:
        seen.add(contact.id)
        target = by_id.get(contact.merged_into_id)
        if target is None:
            return None
        contact = target
    return contact if contact.removed_at is None and contact.merged_into_id is None else None


def signed_letter(organization_id: int, letter: Letter) -> list[Person]:
    """Everyone who signed `letter` (verified or listed), as the book knows them."""
    book = _book(organization_id)
    by_id = {c.id: c for c in book.values()}
    names = _partner_names(organization_id)
    people: dict[str, Person] = {}
    signatures = db.session.scalars(
        sa.select(Signature)
        .where(
            Signature.letter_id == letter.id,
            Signature.status.in_(SIGNED),
            Signature.email.is_not(None),
        )
        .order_by(Signature.id)
    )
    for signature in signatures:
        contact = book.get(signature.canonical_email)
        if contact is not None:
            kept = _resolve(contact, by_id)
            if kept is not None:
                people.setdefault(kept.canonical_email, _as_person(kept, names))
            continue  # removed from the book: not invited by a group action
        individual = signature.kind is SignerKind.individual
        people.setdefault(
            signature.canonical_email,
            Person(
                "" if individual else signature.organization_name,
                signature.signer_name,
                signature.email or "",
                signature.canonical_email,
            ),
        )
    return list(people.values())


def group(group: PartnerGroup) -> list[Person]:
    contacts = db.session.scalars(
        sa.select(PartnerContact)
        .join(partner_group_members, partner_group_members.c.contact_id == PartnerContact.id)
        .where(partner_group_members.c.group_id == group.id)
        .order_by(PartnerContact.id)
    ).all()
    return _active(group.organization_id, contacts)


def picked(organization_id: int, contact_ids: Iterable[int]) -> list[Person]:
    ids = list(set(contact_ids))
    contacts = db.session.scalars(
        sa.select(PartnerContact)
        .where(PartnerContact.organization_id == organization_id, PartnerContact.id.in_(ids))
        .order_by(PartnerContact.id)
    ).all()
    return _active(organization_id, contacts)


def _active(organization_id: int, contacts: Iterable[PartnerContact]) -> list[Person]:
    names = _partner_names(organization_id)
    return [_as_person(c, names) for c in contacts if c.active]
