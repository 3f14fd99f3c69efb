"""An organization signing its own letter from inside the app: the lead organization when
the letter opens (unless it said it does not sign), and a co-lead with its one-click
"Sign for …". No email link is needed: the member is logged in, and the signature is
listed at once with a consent history of its own.

Each organization holds at most one active signature per letter: its canonical address is
the organization itself (never a mailbox), so the database's unique index guards it, and
the member can still sign as an individual with their own address.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from app.actor import Actor
from app.audit import record
from app.errors import Refused
from app.extensions import db
from app.letters.operations import latest_version
from app.models import (
    ACTIVE_STATUSES,
    ArrivedVia,
    ConsentKind,
    Letter,
    Organization,
    Signature,
    SignatureStatus,
    SignerKind,
    User,
    utcnow,
)
from app.signing import consent, operations, states
from app.tokens import new_token


def organization_address(organization: Organization) -> str:
    return f"organization:{organization.id}"


def organization_signature(letter: Letter, organization_id: int) -> Signature | None:
    """The active signature an organization gave from inside the app, if any."""
    return db.session.scalar(
        sa.select(Signature).where(
            Signature.letter_id == letter.id,
            Signature.organization_id == organization_id,
            Signature.status.in_(ACTIVE_STATUSES),
        )
    )


def lead_signature(letter: Letter) -> Signature | None:
    return organization_signature(letter, letter.organization_id)


def sign_for_organization(
    letter: Letter,
    organization: Organization,
    *,
    actor: Actor,
    attested: bool = True,
    now: datetime | None = None,
) -> Signature:
    """List `organization` on `letter`, signed by the member acting; idempotent."""
    states.ensure_list_can_change(letter)
    if not attested:
        raise Refused(
            "Tick “I am authorized to sign on behalf of this organization” to sign for it."
        )
    existing = organization_signature(letter, organization.id)
    if existing is not None:
        return existing
    now = now or utcnow()
    member = db.session.get(User, actor.user_id) if actor.user_id else None
    version = latest_version(letter)
    is_lead = organization.id == letter.organization_id
    signature = Signature(
        letter_id=letter.id, kind=SignerKind.organization, status=SignatureStatus.approved,
        organization_name=organization.name, website=organization.website or "",
        signer_name=member.name if member else organization.name,
        email=member.email if member else None,
        canonical_email=organization_address(organization), attested_authorized=True,
        via=ArrivedVia.lead, organization_id=organization.id, version_id=version.id,
        version_number=version.number, ip=actor.ip, user_agent=actor.user_agent,
        created_at=now, verified_at=now, approved_at=now, decided_by_id=actor.user_id,
        manage_token_hash=new_token()[1],
    )  # fmt: skip
    db.session.add(signature)
    db.session.flush()
    channel = consent.LEAD_ORGANIZATION if is_lead else consent.CO_LEAD_ORGANIZATION
    record("signature.organization_signed", actor, signature, letter=letter.id,
           organization=organization.id, lead=is_lead, version=version.number)  # fmt: skip
    consent.record_event(
        signature, ConsentKind.lead_organization, version_number=version.number,
        channel=channel, at=now,
        detail={"member": member.name if member else None, "user_id": actor.user_id},
    )  # fmt: skip
    return signature


def unsign_for_organization(
    letter: Letter, organization: Organization, *, actor: Actor, now: datetime | None = None
) -> bool:
    """Take the organization's own signature off the letter (kept as a withdrawn record)."""
    signature = organization_signature(letter, organization.id)
    if signature is None:
        return False
    channel = (
        consent.LEAD_ORGANIZATION
        if organization.id == letter.organization_id
        else consent.CO_LEAD_ORGANIZATION
    )
    return operations.withdraw(signature, actor=actor, now=now, channel=channel)


def follow_text(letter: Letter, *, actor: Actor, at: datetime) -> bool:
    """The lead's own signature agrees to the current text: the lead wrote (or finalizes)
    it. Recorded as a reconfirmation at `at`, through the lead organization."""
    signature = lead_signature(letter)
    if signature is None or signature.version_number >= latest_version(letter).number:
        return False
    return operations.reconfirm(
        signature,
        version_number=latest_version(letter).number,
        actor=actor,
        now=at,
        channel=consent.LEAD_ORGANIZATION,
    )
