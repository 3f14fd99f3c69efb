"""The address book learns from sign-ons: a contact known only by an address gets the name
the signer gave, and one without an organization gets the organization they signed for.

A name the lead typed (in a paste, a file or the contact page) is never replaced, nor an
organization the contact already belongs to. Only contacts already in the book change:
adding every open-link signer stays the lead's choice ("Add signatories to the book").
"""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.invitations.addressbook import partner_id_for
from app.models import Letter, PartnerContact, Signature, SignerKind


def _untyped(contact: PartnerContact) -> bool:
    """The contact's name is no name: empty, its address, or the address's local part."""
    name = contact.name.strip().casefold()
    email = (contact.email or "").casefold()
    return not name or name in (email, email.partition("@")[0])


def learn_from_signature(signature: Signature) -> bool:
    """Update the lead organization's contact for the signer's address; True if it changed."""
    if not signature.email:
        return False
    organization_id = db.session.scalar(
        sa.select(Letter.organization_id).where(Letter.id == signature.letter_id)
    )
    contact = db.session.scalar(
        sa.select(PartnerContact).where(
            PartnerContact.organization_id == organization_id,
            PartnerContact.canonical_email == signature.canonical_email,
        )
    )
    if contact is not None and contact.merged_into_id is not None:
        contact = db.session.get(PartnerContact, contact.merged_into_id)
    if contact is None or contact.removed_at is not None:
        return False
    changed = False
    if _untyped(contact) and signature.signer_name.strip():
        contact.name = signature.signer_name.strip()[:200]
        changed = True
    named_org = signature.kind is SignerKind.organization and signature.organization_name.strip()
    if contact.partner_id is None and named_org:
        contact.partner_id = partner_id_for(organization_id, signature.organization_name)
        changed = True
    return changed
