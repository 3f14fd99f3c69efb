"""Reading signatures: counts, the listed signatories, and the lead's filtered table.

Read-only; every function here issues a fixed number of queries, whatever the list's length.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import g

from app.extensions import db
from app.letters.slugs import letter_at
from app.models import (
    ArrivedVia,
    Invitation,
    Letter,
    Organization,
    Signature,
    SignatureStatus,
    SignerKind,
)
from app.signing import identity
from app.signing.listing import is_held_duplicate
from app.signing.reconfirmation import latest_material_number, needs_reconfirmation

S = SignatureStatus
# The lead's filters: every status, plus two views across statuses.
FILTERS = ("all", *[s.value for s in S], "duplicates", "reconfirm")


def letter_by_slug(slug: str) -> Letter | None:
    """The letter a signing URL names, read once per request: the per-letter rate limit
    looks it up before the view does."""
    cached = g.get("signing_letter")
    if cached is not None and cached.slug == slug:
        return cached
    g.signing_letter = letter_at(slug)
    return g.signing_letter


def status_counts(letter: Letter) -> dict[SignatureStatus, int]:
    rows = db.session.execute(
        sa.select(Signature.status, sa.func.count())
        .where(Signature.letter_id == letter.id)
        .group_by(Signature.status)
    ).all()
    counts = dict.fromkeys(S, 0)
    counts.update({status: n for status, n in rows})
    return counts


@dataclass(frozen=True)
class LeadSummary:
    """The lead's count of a letter's sign-ons, each number labelled with what it counts."""

    listed: int
    awaiting: int  # confirmed, waiting for the lead's approval
    unconfirmed: int  # the signer has not pressed the button in the email yet
    unnamed: int  # listed, but not named publicly
    flagged: int  # possible duplicates the lead has not decided

    @property
    def sentence(self) -> str:
        return (
            f"{self.listed:,} listed, {self.awaiting:,} awaiting you, "
            f"{self.unconfirmed:,} unconfirmed, {self.unnamed:,} listed but not named publicly."
        )


def lead_summary(letter: Letter) -> LeadSummary:
    """For the lead's pages (template global `signature_summary`)."""
    counts = status_counts(letter)
    return LeadSummary(
        counts[S.approved], counts[S.verified], counts[S.unverified], count_unnamed(letter),
        count_flagged(letter),
    )  # fmt: skip


def count_listed(letter: Letter) -> int:
    """How many signatories the letter has: every approved signature, including those that
    asked not to be named publicly (they are counted, as "and N organizations that cannot be
    named"); `count_unnamed` says how many of them those are."""
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            Signature.letter_id == letter.id, Signature.status == S.approved
        )
    )


def count_unnamed(letter: Letter) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            Signature.letter_id == letter.id,
            Signature.status == S.approved,
            Signature.listed_publicly.is_(False),
        )
    )


@dataclass(frozen=True)
class ListedCounts:
    """The listed (approved) signatories by kind, and how many of them cannot be named.
    Only listed ones: a stranger is never shown counts of sign-ons still waiting."""

    organizations: int = 0
    individuals: int = 0
    unnamed: int = 0

    @property
    def total(self) -> int:
        return self.organizations + self.individuals


def listed_counts(letter: Letter) -> ListedCounts:
    rows = db.session.execute(
        sa.select(Signature.kind, Signature.listed_publicly, sa.func.count())
        .where(Signature.letter_id == letter.id, Signature.status == S.approved)
        .group_by(Signature.kind, Signature.listed_publicly)
    ).all()
    by_kind = {kind: 0 for kind in SignerKind}
    for kind, _, n in rows:
        by_kind[kind] += n
    unnamed = sum(n for _, named, n in rows if not named)
    return ListedCounts(by_kind[SignerKind.organization], by_kind[SignerKind.individual], unnamed)


def listed_signatures(letter: Letter) -> list[Signature]:
    """The approved signatures (named or not: check `listed_publicly`), oldest first, in one
    query. The caller sorts them for the letter (alphabetical, by time, manual)."""
    return list(
        db.session.scalars(
            sa.select(Signature)
            .where(Signature.letter_id == letter.id, Signature.status == S.approved)
            .order_by(Signature.created_at, Signature.id)
        )
    )


@dataclass(frozen=True)
class Signals:
    """What the lead sees beside a sign-on to judge it."""

    invited: bool
    domain_matches: bool
    webmail: bool
    duplicate_of: Signature | None  # the look-alike sign-on, while the lead has not decided
    own_organization: str | None = None  # "your own organization": its name, while undecided
    similar_to: Signature | None = None  # another organization with a similar name
    match_reason: str = ""

    @property
    def flagged(self) -> bool:
        return self.duplicate_of is not None or self.own_organization is not None


@dataclass(frozen=True)
class Row:
    signature: Signature
    signals: Signals
    needs_reconfirmation: bool


def _like(q: str) -> str:
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


PAGE_SIZE = 100


@dataclass(frozen=True)
class Page:
    """One page of the lead's table, and where it sits among the sign-ons that match."""

    rows: list[Row]
    number: int  # from 1
    total: int
    size: int

    @property
    def pages(self) -> int:
        return _page_count(self.total, self.size)

    @property
    def first(self) -> int:
        return (self.number - 1) * self.size + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.number * self.size, self.total)


def _page_count(total: int, size: int) -> int:
    return max(1, -(-total // size))


def _lead_query(letter: Letter, show: str, q: str, material: int | None) -> sa.Select:
    query = sa.select(Signature).where(Signature.letter_id == letter.id)
    if show in {s.value for s in S}:
        query = query.where(Signature.status == S(show))
    elif show == "duplicates":
        query = query.where(_FLAGGED)
    elif show == "reconfirm":
        query = query.where(
            Signature.status.in_([S.verified, S.approved]),
            Signature.version_number < (material or 0),
        )
    if q := q.strip():
        pattern = _like(q)
        query = query.where(
            sa.or_(
                *(
                    column.ilike(pattern, escape="\\")
                    for column in (
                        Signature.organization_name,
                        Signature.acronym,
                        Signature.signer_name,
                        Signature.email,
                        Signature.country,
                        Signature.affiliation,
                    )  # fmt: skip
                )
            )
        )
    return query


_NEWEST_FIRST = (Signature.created_at.desc(), Signature.id.desc())
# Possible duplicates the lead has not decided come first: they are what needs the lead.
_FLAGGED = sa.and_(
    sa.or_(
        Signature.possible_duplicate_of_id.is_not(None), Signature.own_organization_id.is_not(None)
    ),
    Signature.duplicate_kept_at.is_(None),
    Signature.status.in_([S.unverified, S.verified, S.approved]),
)
_LEAD_ORDER = (sa.case((_FLAGGED, 0), else_=1), *_NEWEST_FIRST)
# For the lead's table beyond one page (app.signing.pairs).
FLAGGED, lead_query = _FLAGGED, _lead_query
# The lead's sortable columns; "-name" is the reverse of "name". Ties fall back to the id.
_STATUS_RANK = {S.verified: 0, S.unverified: 1, S.approved: 2, S.rejected: 3, S.withdrawn: 4}
SORT_KEYS = {
    "name": sa.func.lower(
        sa.case((Signature.kind == SignerKind.individual, Signature.signer_name),
                else_=Signature.organization_name)
    ),
    "status": sa.case(
        *((Signature.status == status, rank) for status, rank in _STATUS_RANK.items()), else_=9
    ),
    "time": Signature.created_at,
}  # fmt: skip


def sort_order(sort: str) -> tuple:
    """The ORDER BY of the lead's table for `sort` ("name", "-time", …; "" is the default:
    undecided possible duplicates first, then newest first)."""
    key = SORT_KEYS.get(sort.removeprefix("-"))
    if key is None:
        return _LEAD_ORDER
    if sort.startswith("-"):
        return (key.desc(), Signature.id.desc())
    return (key.asc(), Signature.id.asc())


def count_flagged(letter: Letter) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(Signature.letter_id == letter.id, _FLAGGED)
    )


def lead_rows(letter: Letter, *, show: str = "all", q: str = "") -> list[Row]:
    """Every sign-on of the lead's table, filtered by `show` (see FILTERS) and a search over
    names, email and country; undecided possible duplicates first, then newest first. For the
    CSV: the page shows `lead_page`."""
    material = latest_material_number(letter)
    query = _lead_query(letter, show, q, material).order_by(*_LEAD_ORDER)
    return _rows(letter, db.session.scalars(query).all(), material)


def lead_page(
    letter: Letter,
    *,
    show: str = "all",
    q: str = "",
    number: int = 1,
    size: int | None = None,
    sort: str = "",
) -> Page:
    """One page of `lead_rows`: the same few queries whatever the number of sign-ons. A page
    number past the end shows the last page. Undecided possible duplicates come first, unless
    the lead sorts by a column (`sort_order`)."""
    size = size or PAGE_SIZE
    material = latest_material_number(letter)
    query = _lead_query(letter, show, q, material)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    number = min(max(number, 1), _page_count(total, size))
    signatures = db.session.scalars(
        query.order_by(*sort_order(sort)).limit(size).offset((number - 1) * size)
    ).all()
    return Page(_rows(letter, signatures, material), number, total, size)


def _rows(letter: Letter, signatures: list[Signature], material: int | None) -> list[Row]:
    invitations = sa.select(Invitation.canonical_email).where(Invitation.letter_id == letter.id)
    if len(signatures) <= PAGE_SIZE:  # a page asks about its own addresses only
        emails = sorted({s.canonical_email for s in signatures})
        invitations = invitations.where(Invitation.canonical_email.in_(emails))
    invited = set(db.session.scalars(invitations))
    other_ids = {i for s in signatures for i in (s.possible_duplicate_of_id, s.similar_to_id) if i}
    others = {
        o.id: o for o in db.session.scalars(sa.select(Signature).where(Signature.id.in_(other_ids)))
    }
    own_ids = {s.own_organization_id for s in signatures if s.own_organization_id}
    own = dict(
        db.session.execute(
            sa.select(Organization.id, Organization.name).where(Organization.id.in_(own_ids))
        ).all()
    )
    return [
        Row(
            signature=s,
            signals=_signals(
                s, s.via is ArrivedVia.invitation or s.canonical_email in invited, others, own
            ),  # fmt: skip
            needs_reconfirmation=s.status in (S.verified, S.approved)
            and needs_reconfirmation(s, material),
        )
        for s in signatures
    ]


def _signals(
    s: Signature, invited: bool, others: dict[int, Signature], own: dict[int, str]
) -> Signals:
    held = is_held_duplicate(s)
    return Signals(
        invited=invited,
        domain_matches=identity.email_matches_website(s.email, s.website),
        webmail=identity.is_webmail(s.email),
        duplicate_of=others.get(s.possible_duplicate_of_id) if held else None,
        own_organization=own.get(s.own_organization_id) if held else None,
        similar_to=others.get(s.similar_to_id),
        match_reason=s.match_reason,
    )


def row_for(letter: Letter, signature: Signature) -> Row:
    """One sign-on with its signals, for its detail page."""
    material = latest_material_number(letter)
    invited = signature.via is ArrivedVia.invitation or bool(
        db.session.scalar(
            sa.select(sa.func.count()).where(
                Invitation.letter_id == letter.id,
                Invitation.canonical_email == signature.canonical_email,
            )
        )
    )
    ids = [i for i in (signature.possible_duplicate_of_id, signature.similar_to_id) if i]
    others = {
        o.id: o for o in db.session.scalars(sa.select(Signature).where(Signature.id.in_(ids)))
    }
    organization = (
        db.session.get(Organization, signature.own_organization_id)
        if signature.own_organization_id
        else None
    )
    own = {organization.id: organization.name} if organization else {}
    return Row(
        signature=signature,
        signals=_signals(signature, invited, others, own),
        needs_reconfirmation=signature.status in (S.verified, S.approved)
        and needs_reconfirmation(signature, material),
    )
