from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, enum_column, utcnow

if TYPE_CHECKING:
    from app.models.letter import Letter


class InvitationStatus(enum.StrEnum):
    queued = "queued"  # written, email waiting in the outbox
    sent = "sent"  # the SMTP server accepted the email
    opened = "opened"  # the personal link was visited
    signed = "signed"
    declined = "declined"
    failed = "failed"  # permanent SMTP rejection (failure_reason says why)
    withdrawn = "withdrawn"  # taken back by the lead
    held = "held"  # kept, with no email, until the (follow-up) letter opens


class Invitation(Base):
    """A personal invitation to sign a letter, reached through `/s/<token>`."""

    __tablename__ = "invitations"
    __table_args__ = (
        sa.UniqueConstraint("letter_id", "canonical_email"),
        sa.Index("ix_invitations_letter_status", "letter_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(sa.ForeignKey("letters.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(sa.String(254))
    canonical_email: Mapped[str] = mapped_column(sa.String(254))
    organization_name: Mapped[str] = mapped_column(sa.String(300), default="")
    contact_name: Mapped[str] = mapped_column(sa.String(200), default="")
    status: Mapped[InvitationStatus] = mapped_column(
        enum_column(InvitationStatus, "invitation_status"), default=InvitationStatus.queued
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    decline_reason: Mapped[str] = mapped_column(sa.Text, default="")
    failure_reason: Mapped[str] = mapped_column(sa.Text, default="")
    reminders_sent: Mapped[int] = mapped_column(default=0)
    last_reminded_at: Mapped[datetime | None]
    # A held invitation's message from the lead, sent with it when the letter opens.
    held_message: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    letter: Mapped[Letter] = relationship()
