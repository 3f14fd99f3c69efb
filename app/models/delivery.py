from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, enum_column, utcnow


class DeliveryMethod(enum.StrEnum):
    email = "email"  # the cover email sent from the platform, through the outbox
    by_hand = "by_hand"
    web_form = "web_form"
    fax = "fax"
    meeting = "meeting"
    other = "other"


class DeliveryStatus(enum.StrEnum):
    queued = "queued"  # the cover email waits in the outbox
    accepted = "accepted"  # the recipients' SMTP server took it
    failed = "failed"  # refused for good (failure_reason says why)
    bounced = "bounced"  # accepted, then a bounce came back (recorded by the lead)
    recorded = "recorded"  # delivered elsewhere, recorded by the lead


class Delivery(Base):
    """One delivery of a final letter to its recipients: sent from here, or recorded."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(
        sa.ForeignKey("letters.id", ondelete="CASCADE"), index=True
    )
    method: Mapped[DeliveryMethod] = mapped_column(enum_column(DeliveryMethod, "delivery_method"))
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus, "delivery_status"))
    # Who it went to: addresses (never public) and the recipients' names and titles as the
    # letter prints them (what signatories and the public are told).
    to_addrs: Mapped[str] = mapped_column(sa.Text, default="")
    cc_addrs: Mapped[str] = mapped_column(sa.Text, default="")
    recipients_label: Mapped[str] = mapped_column(sa.Text, default="")
    subject: Mapped[str] = mapped_column(sa.String(300), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    delivered_on: Mapped[date]  # the day it was delivered (the letter's time zone)
    content_hash: Mapped[str] = mapped_column(sa.String(64))  # the final letter delivered
    pdf_sha256: Mapped[str | None] = mapped_column(sa.String(64))  # the file attached
    outbox_id: Mapped[int | None]
    message_id: Mapped[str | None] = mapped_column(sa.String(300))
    smtp_answer: Mapped[str] = mapped_column(sa.Text, default="")
    answered_at: Mapped[datetime | None]
    # Proof of a delivery made elsewhere (a receipt, a screenshot): never served publicly.
    proof_filename: Mapped[str | None] = mapped_column(sa.String(200))
    proof_mimetype: Mapped[str | None] = mapped_column(sa.String(100))
    proof_content: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    signatories_told_at: Mapped[datetime | None]

    @property
    def reached(self) -> bool:
        """It counts as delivered (for the timeline and the signatories)."""
        return self.status in (DeliveryStatus.accepted, DeliveryStatus.recorded)
