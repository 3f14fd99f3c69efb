"""Which organization a new sign-on looks like: the letter's other sign-ons and its own (lead
and co-lead) organizations, judged by the one principle of `identity.compare_organizations`.

The result only ever flags the sign-on for the lead: what the signer and the public see never
depends on it (a near-match with a hidden signatory must not be detectable).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.letters.collaborators import co_lead_organizations
from app.models import ArrivedVia, Organization, Signature, SignatureStatus, SignerKind
from app.signing.identity import Kinship, compare_organizations

OWN_ORGANIZATION = "your own organization"


@dataclass(frozen=True)
class Matches:
    duplicate_of: Signature | None = None  # the same organization, signed earlier
    own_organization: Organization | None = None  # the lead's or a co-lead's organization
    similar_to: Signature | None = None  # another organization with a similar name
    reason: str = ""

    @property
    def flagged(self) -> bool:
        return self.duplicate_of is not None or self.own_organization is not None

    def values(self) -> dict:
        """The signature's columns that record the matches."""
        return {
            "possible_duplicate_of_id": self.duplicate_of.id if self.duplicate_of else None,
            "own_organization_id": self.own_organization.id if self.own_organization else None,
            "similar_to_id": self.similar_to.id if self.similar_to else None,
            "match_reason": self.reason[:200],
        }


def _own_organizations(signature: Signature) -> list[Organization]:
    letter = signature.letter
    return [letter.organization, *co_lead_organizations(letter)]


def find_matches(signature: Signature) -> Matches:
    """What a sign-on looks like among the letter's confirmed sign-ons (oldest first) and its
    own organizations. Only confirmed sign-ons count: an unconfirmed one may never be."""
    if signature.kind is not SignerKind.organization:
        return Matches()
    name, acronym = signature.organization_name, signature.acronym
    own = None
    # The lead's own sign-on (listed by the lead) is its organization, not a look-alike.
    for organization in [] if signature.via is ArrivedVia.lead else _own_organizations(signature):
        if compare_organizations(name, acronym, organization.name).same:
            own = organization
            break
    others = db.session.scalars(
        sa.select(Signature)
        .where(
            Signature.letter_id == signature.letter_id,
            Signature.id != signature.id,
            Signature.kind == SignerKind.organization,
            Signature.status.in_([SignatureStatus.verified, SignatureStatus.approved]),
        )
        .order_by(Signature.created_at, Signature.id)
    )
    duplicate = similar = None
    reason = ""
    for other in others:
        verdict = compare_organizations(name, acronym, other.organization_name, other.acronym)
        if verdict.kinship is Kinship.same and duplicate is None:
            duplicate, reason = other, verdict.reason
            break
        if verdict.kinship is Kinship.different and similar is None:
            similar, reason = other, verdict.reason
    if own is not None:
        reason = OWN_ORGANIZATION
    return Matches(duplicate, own, None if duplicate or own else similar, reason)
