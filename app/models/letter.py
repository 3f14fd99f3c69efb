from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, enum_column, utcnow

if TYPE_CHECKING:
    from app.models.organization import Organization


class LetterStatus(enum.StrEnum):
    draft = "draft"
    open = "open"
    closed = "closed"
    final = "final"


class DateMode(enum.StrEnum):
    fixed = "fixed"  # a date the lead chose
    on_finalize = "on_finalize"  # the day the letter is finalized, in its time zone


class SignatoryOrder(enum.StrEnum):
    alphabetical = "alphabetical"
    time = "time"
    manual = "manual"


DEFAULT_INTRO = "{lead} and {others} organizations urge …"


class Letter(Base):
    """A joint letter drafted by a lead organization.

    The text itself (recipients, salutation, body, closing) lives in immutable
    `LetterVersion` rows; this row holds identity, lifecycle and settings.
    """

    __tablename__ = "letters"
    __table_args__ = (
        # A final letter always knows which frozen version it was built from.
        sa.CheckConstraint(
            "status <> 'final' OR final_version_number IS NOT NULL", name="final_has_version"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[LetterStatus] = mapped_column(
        enum_column(LetterStatus, "letter_status"), default=LetterStatus.draft
    )
    published: Mapped[bool] = mapped_column(default=False)
    archived_at: Mapped[datetime | None]

    # The date line.
    date_mode: Mapped[DateMode] = mapped_column(
        enum_column(DateMode, "letter_date_mode"), default=DateMode.on_finalize
    )
    letter_date: Mapped[date | None]
    locale: Mapped[str] = mapped_column(sa.String(16), default="en_US")
    time_zone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    show_co_leads: Mapped[bool] = mapped_column(default=True)
    # "Our organization signs this letter": the lead is listed from the moment it opens.
    lead_signs: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    # Signatory settings: stored now, used by sign-on and publishing.
    numbered: Mapped[bool] = mapped_column(default=True)
    signatory_order: Mapped[SignatoryOrder] = mapped_column(
        enum_column(SignatoryOrder, "signatory_order"), default=SignatoryOrder.alphabetical
    )
    lead_first: Mapped[bool] = mapped_column(default=False)
    individuals_allowed: Mapped[bool] = mapped_column(default=False)
    moderation: Mapped[bool] = mapped_column(default=True)
    open_link: Mapped[bool] = mapped_column(default=False)
    # The sign pages show the named, listed signatories so far.
    show_signatories: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    deadline_at: Mapped[datetime | None]
    # Automatic reminder to invitees who have not answered, this many days before the deadline.
    reminder_days_before: Mapped[int | None]
    intro_template: Mapped[str] = mapped_column(sa.String(300), default=DEFAULT_INTRO)
    # Printing: the content hash in every page's footer (off: it stays in the JSON, on the
    # letter's pages and in the document's properties), and lines printed after the closing.
    fingerprint_on_pages: Mapped[bool] = mapped_column(default=False)
    signature_block: Mapped[str] = mapped_column(sa.Text, default="")

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    opened_at: Mapped[datetime | None]  # first opening; the slug is fixed from then on
    closed_at: Mapped[datetime | None]
    finalized_at: Mapped[datetime | None]
    final_version_number: Mapped[int | None]
    published_at: Mapped[datetime | None]
    # Erasing signers' contact data (by the lead, or after the organization's retention
    # period): when it was done, and when the lead was told it would be (once).
    contacts_erased_at: Mapped[datetime | None]
    retention_notice_at: Mapped[datetime | None]
    # When the listed signatories were told of the public page (once final and published).
    published_notice_at: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship(lazy="joined")

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    @property
    def stage(self) -> str:
        """The group a letter is listed under: its status, or "archived"."""
        return "archived" if self.archived else self.status.value
