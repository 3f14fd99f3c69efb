from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, enum_column, utcnow


class NoticeMode(enum.StrEnum):
    every = "every"  # one email per event, at once
    hourly = "hourly"
    daily = "daily"
    none = "none"  # notes to the lead still arrive


class NoticePreference(Base):
    """How a member hears about one letter (`letter_id`) or about all of them (NULL)."""

    __tablename__ = "notice_preferences"
    __table_args__ = (sa.UniqueConstraint("user_id", "letter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    letter_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("letters.id", ondelete="CASCADE"), index=True
    )
    mode: Mapped[NoticeMode] = mapped_column(enum_column(NoticeMode, "notice_mode"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class NoticeWatermark(Base):
    """The last audit event a member was told about, per channel (every, hourly, daily).

    `flask notices send-due` claims a batch by moving the watermark with a conditional
    UPDATE, so two runs at once never send the same events twice.
    """

    __tablename__ = "notice_watermarks"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    channel: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None]


class DeadlineNotice(Base):
    """A letter's deadline was announced as two days away: once per letter and deadline."""

    __tablename__ = "deadline_notices"
    __table_args__ = (sa.UniqueConstraint("letter_id", "deadline_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(sa.ForeignKey("letters.id", ondelete="CASCADE"))
    deadline_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
