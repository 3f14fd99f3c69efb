"""Changing the address book: edit, remove, restore and merge contacts; rename and merge
partner organizations; saved groups. Checked, audited, never committed here."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from app.actor import Actor
from app.audit import record
from app.errors import NotAllowed, Refused
from app.extensions import db
from app.invitations import addressbook
from app.invitations.parsing import canonical_email, name_key
from app.models import (
    Organization,
    Partner,
    PartnerContact,
    PartnerGroup,
    User,
    partner_group_members,
    utcnow,
)

members = partner_group_members.c


def require_member(user: User, organization_id: int) -> Organization:
    """Any member of the lead organization keeps its address book."""
    membership = next((m for m in user.memberships if m.organization_id == organization_id), None)
    if membership is None:
        raise NotAllowed
    return membership.organization


def _same_address(contact: PartnerContact, canonical: str) -> PartnerContact | None:
    return db.session.scalar(
        sa.select(PartnerContact).where(
            PartnerContact.organization_id == contact.organization_id,
            PartnerContact.canonical_email == canonical,
            PartnerContact.id != contact.id,
        )
    )


def edit_contact(
    contact: PartnerContact, *, name: str, email: str, organization: str, actor: Actor
) -> None:
    canonical = canonical_email(email)
    other = _same_address(contact, canonical)
    if other is not None:
        raise Refused(
            f"{other.email} is already in the address book. To keep one of the two, merge them."
        )
    contact.name, contact.email, contact.canonical_email = name, email, canonical
    contact.partner_id = addressbook.partner_id_for(contact.organization_id, organization)
    record("partner_contact.edited", actor, contact)


def remove_contact(contact: PartnerContact, *, actor: Actor) -> None:
    """Removed contacts stay on record, so no group action and no refill brings them back."""
    if contact.removed_at is None:
        contact.removed_at = utcnow()
        record("partner_contact.removed", actor, contact)


def restore_contact(contact: PartnerContact, *, actor: Actor) -> None:
    if contact.removed_at is not None:
        contact.removed_at = None
        record("partner_contact.restored", actor, contact)


def merge_contacts(target: PartnerContact, other_email: str, *, actor: Actor) -> PartnerContact:
    """Make the contact with `other_email` an alias of `target`: the same person.

    The alias's groups pass to `target`; the alias's address is remembered, so a later
    sign-on or invitation at it is recognised as `target`'s.
    """
    if not target.active:
        raise Refused("Merge into a contact that is in the address book, not a removed one.")
    other = _same_address(target, canonical_email(other_email))
    if other is None:
        raise Refused(f"There is no other contact with the address {other_email}.")
    db.session.execute(
        sa.update(PartnerContact)
        .where(PartnerContact.merged_into_id == other.id)
        .values(merged_into_id=target.id)
        .execution_options(synchronize_session=False)
    )
    _move_memberships([other.id], target.id)
    other.merged_into_id = target.id
    if target.partner_id is None:
        target.partner_id = other.partner_id
    if not target.name:
        target.name = other.name
    record("partner_contact.merged", actor, target, merged_id=other.id)
    return other


def _move_memberships(from_ids: Iterable[int], to_id: int) -> None:
    from_ids = list(from_ids)
    groups = set(
        db.session.scalars(sa.select(members.group_id).where(members.contact_id.in_(from_ids)))
    )
    already = set(
        db.session.scalars(sa.select(members.group_id).where(members.contact_id == to_id))
    )
    db.session.execute(sa.delete(partner_group_members).where(members.contact_id.in_(from_ids)))
    rows = [{"group_id": g, "contact_id": to_id} for g in groups - already]
    if rows:
        db.session.execute(sa.insert(partner_group_members), rows)


def edit_partner(partner: Partner, *, name: str, website: str, actor: Actor) -> None:
    key = name_key(name)
    clash = db.session.scalar(
        sa.select(Partner).where(
            Partner.organization_id == partner.organization_id,
            Partner.name_key == key,
            Partner.id != partner.id,
        )
    )
    if clash is not None:
        raise Refused(f"“{clash.name}” is already in the address book. Merge the two instead.")
    partner.name, partner.name_key, partner.website = name, key, website
    record("partner.edited", actor, partner)


def merge_partners(target: Partner, other: Partner, *, actor: Actor) -> None:
    """Two names for one organization: `other`'s contacts move to `target`, `other` goes."""
    if target.id == other.id or target.organization_id != other.organization_id:
        raise Refused("Choose another organization of the same address book.")
    db.session.execute(
        sa.update(PartnerContact)
        .where(PartnerContact.partner_id == other.id)
        .values(partner_id=target.id)
        .execution_options(synchronize_session=False)
    )
    record("partner.merged", actor, target, merged_id=other.id, merged_name=other.name)
    # Forget any contacts loaded before the UPDATE, or deleting `other` would detach them.
    db.session.expire(other, ["contacts"])
    db.session.delete(other)


def save_group(
    organization_id: int, name: str, contact_ids: Iterable[int], *, actor: Actor
) -> PartnerGroup:
    """Add the picked contacts to the group called `name`, creating it if needed."""
    group = db.session.scalar(
        sa.select(PartnerGroup).where(
            PartnerGroup.organization_id == organization_id, PartnerGroup.name == name
        )
    )
    if group is None:
        group = PartnerGroup(organization_id=organization_id, name=name)
        db.session.add(group)
        db.session.flush()
    ids = set(
        db.session.scalars(
            sa.select(PartnerContact.id).where(
                PartnerContact.organization_id == organization_id,
                PartnerContact.id.in_(list(contact_ids)),
            )
        )
    )
    already = set(
        db.session.scalars(sa.select(members.contact_id).where(members.group_id == group.id))
    )
    rows = [{"group_id": group.id, "contact_id": i} for i in sorted(ids - already)]
    if rows:
        db.session.execute(sa.insert(partner_group_members), rows)
    record("partner_group.saved", actor, group, added=len(rows))
    return group


def remove_from_group(group: PartnerGroup, contact_ids: Iterable[int], *, actor: Actor) -> int:
    result = db.session.execute(
        sa.delete(partner_group_members).where(
            members.group_id == group.id, members.contact_id.in_(list(contact_ids))
        )
    )
    record("partner_group.members_removed", actor, group, removed=result.rowcount)
    return result.rowcount


def delete_group(group: PartnerGroup, *, actor: Actor) -> None:
    record("partner_group.deleted", actor, group, name=group.name)
    db.session.delete(group)


def add_signatories(organization_id: int, *, actor: Actor) -> int:
    added = addressbook.add_signatories(organization_id)
    if added:
        record(
            "partner_contacts.added_from_signatures",
            actor,
            None,
            organization_id=organization_id,
            count=added,
        )
    return added
