from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class LetterResponse(Base):
    """An answer from the recipients, recorded by the lead; shown on the public page."""

    __tablename__ = "letter_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(
        sa.ForeignKey("letters.id", ondelete="CASCADE"), index=True
    )
    received_on: Mapped[date]
    from_name: Mapped[str] = mapped_column(sa.String(300))
    summary: Mapped[str] = mapped_column(sa.Text)
    # The response itself (a PDF or an image), kept in the database, served only as a download.
    file_name: Mapped[str | None] = mapped_column(sa.String(200))
    file_mimetype: Mapped[str | None] = mapped_column(sa.String(100))
    file_content: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
