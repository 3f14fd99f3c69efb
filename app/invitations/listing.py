"""The invitations page's figures and rows, read in one statement so they never disagree.

While the outbox drains, the counts ("Queued 28 · Sent 2") and the rows of the table change
from one moment to the next. Read by two statements they can disagree (each sees the
database at its own moment on PostgreSQL); read by one, they are one snapshot. The page, and
progress.js which swaps its parts in place, show exactly what this returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.extensions import db
from app.invitations.glance import Funnel
from app.models import Invitation, InvitationStatus, Letter

S = InvitationStatus


@dataclass
class Listing:
    funnel: Funnel
    rows: list[Invitation]
    total: int  # rows matching the filter, on every page


def read(
    letter: Letter,
    query: sa.Select,
    order: sa.ColumnElement,
    *,
    limit: int,
    offset: int,
) -> Listing:
    """The funnel of `letter` and one page of `query` (a filtered select of Invitation,
    ordered by `order` then id) with the filtered total, from one SELECT."""
    counts = (
        sa.select(
            *[sa.func.count().filter(Invitation.status == s).label(f"n_{s.value}") for s in S],
            sa.func.count()
            .filter(Invitation.opened_at.is_not(None), Invitation.status != S.withdrawn)
            .label("n_opened_at_all"),
        )
        .where(Invitation.letter_id == letter.id)
        .subquery("counts")
    )
    ordering = (order, Invitation.id)
    page = (
        query.add_columns(
            sa.func.count().over().label("total"),
            sa.func.row_number().over(order_by=ordering).label("position"),
        )
        .order_by(*ordering)
        .limit(limit)
        .offset(offset)
        .subquery("page")
    )
    row = aliased(Invitation, page)
    # One row of counts, joined to the page's rows (none: the counts alone).
    statement = (
        sa.select(counts, row, page.c.total)
        .select_from(counts)
        .outerjoin(page, sa.true())
        .order_by(page.c.position)
    )
    result = db.session.execute(statement).all()
    first = result[0]
    funnel = Funnel(
        {s.value: getattr(first, f"n_{s.value}") for s in S}, first.n_opened_at_all or 0
    )
    rows = [r[len(S) + 1] for r in result if r[len(S) + 1] is not None]
    return Listing(funnel, rows, first.total or 0)
