from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow

if TYPE_CHECKING:
    from app.models.partner import Partner


class PartnerContact(Base):
    """A person at a partner organization, reachable by email.

    A removed contact keeps its row (with `removed_at`), so filling the book again from
    invitations and sign-ons does not bring it back and group actions can skip it. A
    contact merged into another keeps its address as an alias of the one it was merged into.
    """

    __tablename__ = "partner_contacts"
    __table_args__ = (sa.UniqueConstraint("organization_id", "canonical_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    partner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("partners.id", ondelete="SET NULL"), index=True
    )
    email: Mapped[str] = mapped_column(sa.String(254))
    canonical_email: Mapped[str] = mapped_column(sa.String(254))
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    removed_at: Mapped[datetime | None]
    merged_into_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("partner_contacts.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    partner: Mapped[Partner | None] = relationship(back_populates="contacts")

    @property
    def active(self) -> bool:
        """Offered for invitations by group actions."""
        return self.removed_at is None and self.merged_into_id is None
