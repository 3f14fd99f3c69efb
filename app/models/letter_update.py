from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class LetterUpdate(Base):
    """A short update the lead sent the signatories of a final letter (press, a meeting)."""

    __tablename__ = "letter_updates"
    __table_args__ = (
        # At most one a day per letter: the operation says so first, the database holds it.
        sa.UniqueConstraint("letter_id", "sent_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(sa.ForeignKey("letters.id", ondelete="CASCADE"))
    sent_on: Mapped[date]  # in UTC
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
