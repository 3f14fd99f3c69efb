from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow

if TYPE_CHECKING:
    from app.models.partner_contact import PartnerContact


class Partner(Base):
    """A partner organization in a lead organization's address book.

    `name_key` is the name folded for comparison (case, spacing, Unicode form), so
    "Friends of the Delta" pasted twice with different capitals is one partner.
    """

    __tablename__ = "partners"
    __table_args__ = (sa.UniqueConstraint("organization_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(300))
    name_key: Mapped[str] = mapped_column(sa.String(300))
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    contacts: Mapped[list[PartnerContact]] = relationship(
        back_populates="partner", order_by="PartnerContact.id"
    )
