from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, enum_column, utcnow


class OutboxStatus(enum.StrEnum):
    queued = "queued"
    sending = "sending"
    sent = "sent"
    failed = "failed"


class OutboxMessage(Base):
    """An email waiting to be sent (or sent, or failed) by `flask mail work`."""

    __tablename__ = "outbox"
    __table_args__ = (
        sa.Index("ix_outbox_due", "status", "next_attempt_at"),
        # A feature finds the mail about one of its rows (an invitation's queued emails are
        # cancelled when it is resent): without this, a scan of every email ever sent.
        sa.Index("ix_outbox_ref", "ref_type", "ref_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What the message is about, so features can show its fate (e.g. an invitation bounced).
    kind: Mapped[str] = mapped_column(sa.String(60))
    ref_type: Mapped[str | None] = mapped_column(sa.String(40))
    ref_id: Mapped[int | None]
    to_addr: Mapped[str] = mapped_column(sa.String(254))
    reply_to: Mapped[str | None] = mapped_column(sa.String(254))
    # The From display name ("<Lead> via Undersigned"); the address stays the site's own.
    from_name: Mapped[str | None] = mapped_column(sa.String(300))
    subject: Mapped[str] = mapped_column(sa.String(300))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus, "outbox_status"), default=OutboxStatus.queued
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(100))
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    # Rarely used, so most messages pay nothing for them: more addresses (a delivered
    # letter's cc), extra headers (List-Unsubscribe…, checked when the message is built), a
    # Message-ID chosen when queued (the
    # delivery record keeps it), and whether files are attached (outbox_attachments).
    cc_addrs: Mapped[str | None] = mapped_column(sa.Text)
    headers: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    message_id: Mapped[str | None] = mapped_column(sa.String(300))
    has_attachments: Mapped[bool] = mapped_column(default=False)
