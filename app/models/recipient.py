from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class RecipientBookEntry(Base):
    """An address an organization writes to often, typed once and reused across letters.

    The office-holder's name is often left empty here: it changes, and the lead fills it in.
    """

    __tablename__ = "recipient_book_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    honorific: Mapped[str] = mapped_column(sa.String(80), default="")
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    department: Mapped[str] = mapped_column(sa.String(200), default="")
    street: Mapped[str] = mapped_column(sa.String(500), default="")  # one line per street line
    locality: Mapped[str] = mapped_column(sa.String(200), default="")  # city, state, postcode
    country: Mapped[str] = mapped_column(sa.String(100), default="")
    # Where a delivered letter is emailed (comma-separated); never printed.
    delivery_to: Mapped[str] = mapped_column(sa.String(1000), default="")
    delivery_cc: Mapped[str] = mapped_column(sa.String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
