from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.partner_contact import PartnerContact

# Which contacts a saved group holds; a plain association, not an entity of its own.
partner_group_members = sa.Table(
    "partner_group_members",
    Base.metadata,
    sa.Column("group_id", sa.ForeignKey("partner_groups.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "contact_id",
        sa.ForeignKey("partner_contacts.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class PartnerGroup(Base):
    """A saved selection of contacts ("Budget watchdogs") to invite together."""

    __tablename__ = "partner_groups"
    __table_args__ = (sa.UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    contacts: Mapped[list[PartnerContact]] = relationship(
        secondary=partner_group_members, order_by=PartnerContact.id
    )
