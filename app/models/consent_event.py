from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, enum_column


class ConsentKind(enum.StrEnum):
    signed = "signed"
    confirmed_address = "confirmed_address"
    reconfirmed = "reconfirmed"
    listing_changed = "listing_changed"
    withdrew = "withdrew"
    lead_organization = "lead_organization"  # the lead (or a co-lead) signs its own letter
    imported = "imported"


class ConsentEvent(Base):
    """One step of a signature's consent history: what, when, to which version, how.

    Written only by `app.signing.consent.record_event`, which refuses an event that refers
    to a version saved after it: consent can only be given to a text that existed.
    """

    __tablename__ = "consent_events"
    __table_args__ = (sa.Index("ix_consent_events_signature_at", "signature_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    signature_id: Mapped[int] = mapped_column(sa.ForeignKey("signatures.id", ondelete="CASCADE"))
    kind: Mapped[ConsentKind] = mapped_column(enum_column(ConsentKind, "consent_kind"))
    version_number: Mapped[int]
    channel: Mapped[str] = mapped_column(sa.String(40))
    at: Mapped[datetime]
    detail: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
