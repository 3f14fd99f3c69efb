"""The recipient book: addresses a lead organization writes to often, typed once."""

from __future__ import annotations

import sqlalchemy as sa

from app.actor import Actor
from app.audit import record
from app.extensions import db
from app.letters.text import Address
from app.models import AuditEvent, Organization, RecipientBookEntry

SEEDED = "recipient_book.seeded"

# The offices coalition letters in the United States go to most often. The office-holder's
# name is left empty: it changes, and the lead fills it in.
SEED_ADDRESSES = (
    Address(
        honorific="The Honorable",
        title="Secretary of the Treasury",
        department="U.S. Department of the Treasury",
        street=("1500 Pennsylvania Avenue N.W.",),
        locality="Washington, D.C. 20220",
    ),
    Address(
        honorific="The Honorable",
        title="Secretary of State",
        department="U.S. Department of State",
        street=("2201 C Street N.W.",),
        locality="Washington, D.C. 20520",
    ),
)


def book_entries(organization_id: int) -> list[RecipientBookEntry]:
    return list(
        db.session.scalars(
            sa.select(RecipientBookEntry)
            .where(RecipientBookEntry.organization_id == organization_id)
            .order_by(RecipientBookEntry.title, RecipientBookEntry.name, RecipientBookEntry.id)
        )
    )


def get_entry(organization_id: int, entry_id: int) -> RecipientBookEntry | None:
    entry = db.session.get(RecipientBookEntry, entry_id)
    if entry is None or entry.organization_id != organization_id:
        return None
    return entry


def seed_book_if_new(organization: Organization, actor: Actor) -> bool:
    """Give an organization the usual offices, once in its life.

    The audit event of the seeding is the memory of it, so an organization that deleted the
    seeded entries does not get them back (the organization table is not ours to extend).
    """
    seeded_before = db.session.scalar(
        sa.select(
            sa.exists().where(
                AuditEvent.action == SEEDED,
                AuditEvent.object_type == Organization.__tablename__,
                AuditEvent.object_id == organization.id,
            )
        )
    )
    if seeded_before or book_entries(organization.id):
        return False
    for address in SEED_ADDRESSES:
        db.session.add(RecipientBookEntry(organization_id=organization.id, **_columns(address)))
    record(SEEDED, actor, organization, entries=len(SEED_ADDRESSES))
    return True


def entry_address(entry: RecipientBookEntry) -> Address:
    return Address.from_dict(
        {
            "honorific": entry.honorific,
            "name": entry.name,
            "title": entry.title,
            "department": entry.department,
            "street": entry.street,
            "locality": entry.locality,
            "country": entry.country,
            "delivery_to": entry.delivery_to,
            "delivery_cc": entry.delivery_cc,
        }
    )


def _columns(address: Address) -> dict[str, str]:
    data = address.to_dict()
    data["street"] = "\n".join(address.street)
    return data


def add_entry(organization_id: int, address: Address, *, actor: Actor) -> RecipientBookEntry:
    entry = RecipientBookEntry(organization_id=organization_id, **_columns(address))
    db.session.add(entry)
    db.session.flush()
    record("recipient_book.added", actor, entry, title=address.title or address.name)
    return entry


def update_entry(entry: RecipientBookEntry, address: Address, *, actor: Actor) -> None:
    for name, value in _columns(address).items():
        setattr(entry, name, value)
    record("recipient_book.updated", actor, entry)


def delete_entry(entry: RecipientBookEntry, *, actor: Actor) -> None:
    record("recipient_book.deleted", actor, entry, title=entry.title or entry.name)
    db.session.delete(entry)
