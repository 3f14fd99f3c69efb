from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, enum_column, utcnow


class ExportStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class ExportJob(Base):
    """A rendered export (a PDF of thousands of names takes longer than a request may), and
    the cache of a final letter's files.

    One row per letter, format and content hash: the same letter content is rendered once,
    whichever machine is asked; a newer content (a draft that changed) gets a new row.
    """

    __tablename__ = "export_jobs"
    __table_args__ = (
        sa.UniqueConstraint("letter_id", "format", "content_hash"),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The unique (letter_id, format, content_hash) index serves lookups by letter too.
    letter_id: Mapped[int] = mapped_column(sa.ForeignKey("letters.id", ondelete="CASCADE"))
    format: Mapped[str] = mapped_column(sa.String(10))
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[ExportStatus] = mapped_column(
        enum_column(ExportStatus, "export_status"), default=ExportStatus.queued
    )
    progress: Mapped[int] = mapped_column(default=0)
    # The FinalLetter to render (its to_dict()), cleared once the file is made.
    data: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    error: Mapped[str | None] = mapped_column(sa.String(300))
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Touched as pages are laid out: a running job whose heartbeat stops was lost with its
    # process and may be claimed again.
    heartbeat_at: Mapped[datetime | None]
    # The worker (`flask jobs work`, host:pid) rendering it; only it may record the result.
    claimed_by: Mapped[str | None] = mapped_column(sa.String(100))
    finished_at: Mapped[datetime | None]
