"""The lead's signatures table, beyond one page of rows: possible duplicates side by side
(the new sign-on and the one it resembles), and the sign-ons one button approves.

Read-only, with a fixed number of queries whatever the list's length.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.models import Letter, Organization, Signature, SignatureStatus
from app.signing import queries
from app.signing.reconfirmation import latest_material_number

S = SignatureStatus
PAIRS_SHOWN = 20  # more than this wait on the "Possible duplicates" filter


@dataclass(frozen=True)
class Pair:
    """A sign-on flagged as a possible duplicate and what it resembles: another sign-on
    (`other`) or the lead's own organization (`own_organization`)."""

    new: Signature
    other: Signature | None
    own_organization: str | None
    reason: str

    def _names(self) -> tuple[str, str]:
        """How the buttons name the two, told apart even when they are listed alike."""
        new, other = self.new.display_name, self.other.display_name if self.other else ""
        if new.casefold() != other.casefold():
            return new, other
        if self.new.signer_name.casefold() != self.other.signer_name.casefold():
            return (f"{new}, signed by {self.new.signer_name}",
                    f"{other}, signed by {self.other.signer_name}")  # fmt: skip
        return f"the new {new}", f"the earlier {other}"

    @property
    def keep_other_label(self) -> str:
        new, other = self._names()
        return f"Keep {other} (merge {new} into it)"

    @property
    def keep_new_label(self) -> str:
        new, other = self._names()
        return f"Keep {new} (merge {other} into it)"


def duplicate_pairs(letter: Letter, limit: int = PAIRS_SHOWN) -> list[Pair]:
    """The undecided possible duplicates, newest first, each with what it resembles."""
    flagged = db.session.scalars(
        sa.select(Signature)
        .where(Signature.letter_id == letter.id, queries.FLAGGED)
        .order_by(Signature.created_at.desc(), Signature.id.desc())
        .limit(limit)
    ).all()
    if not flagged:
        return []
    other_ids = {s.possible_duplicate_of_id for s in flagged if s.possible_duplicate_of_id}
    others = {
        o.id: o for o in db.session.scalars(sa.select(Signature).where(Signature.id.in_(other_ids)))
    }
    own_ids = {s.own_organization_id for s in flagged if s.own_organization_id}
    own = dict(
        db.session.execute(
            sa.select(Organization.id, Organization.name).where(Organization.id.in_(own_ids))
        ).all()
    )
    return [
        Pair(
            new=s,
            other=others.get(s.possible_duplicate_of_id),
            own_organization=own.get(s.own_organization_id),
            reason=s.match_reason,
        )
        for s in flagged
    ]


def awaiting_query(letter: Letter, *, show: str, q: str) -> sa.Select:
    """The sign-ons of the current filter and search that await the lead's approval:
    confirmed, not yet listed, and not possible duplicates (approving one of those would
    keep both without the lead having chosen)."""
    material = latest_material_number(letter) if show == "reconfirm" else None
    return queries.lead_query(letter, show, q, material).where(
        Signature.status == S.verified,
        Signature.verified_at.is_not(None),
        sa.not_(queries.FLAGGED),
    )


@dataclass(frozen=True)
class Awaiting:
    count: int
    up_to: int  # the newest id counted: sign-ons that arrive later are not approved unseen


def awaiting(letter: Letter, *, show: str, q: str) -> Awaiting:
    query = awaiting_query(letter, show=show, q=q).subquery()
    count, up_to = db.session.execute(
        sa.select(sa.func.count(), sa.func.max(query.c.id)).select_from(query)
    ).one()
    return Awaiting(count or 0, up_to or 0)


def awaiting_signatures(letter: Letter, *, show: str, q: str, up_to: int) -> list[Signature]:
    """What "Approve every sign-on awaiting you" approves: those counted on the page."""
    query = awaiting_query(letter, show=show, q=q).where(Signature.id <= up_to)
    return list(db.session.scalars(query.order_by(Signature.id)))
