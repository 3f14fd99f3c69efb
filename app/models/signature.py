from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, enum_column, utcnow

if TYPE_CHECKING:
    from app.models.letter import Letter
    from app.models.letter_version import LetterVersion


class SignatureStatus(enum.StrEnum):
    unverified = "unverified"  # submitted, email not yet confirmed; never listed
    verified = "verified"  # email confirmed, waiting for the lead (moderation on)
    approved = "approved"  # listed
    rejected = "rejected"  # refused by the lead
    withdrawn = "withdrawn"  # taken back by the signer; kept as a record
    expired = "expired"  # never confirmed in time; kept as a record


# A signature in one of these holds its email's place on the letter.
ACTIVE_STATUSES = (SignatureStatus.unverified, SignatureStatus.verified, SignatureStatus.approved)


class SignerKind(enum.StrEnum):
    organization = "organization"
    individual = "individual"


class ArrivedVia(enum.StrEnum):
    invitation = "invitation"
    open_link = "open_link"
    lead = "lead"  # added by the lead on the signer's behalf (with their consent on record)


def listed_name(kind: SignerKind, organization_name: str, acronym: str, signer_name: str) -> str:
    """The name as listed: "Organization (ACR)" or the individual's name."""
    if kind is SignerKind.individual:
        return signer_name
    if acronym:
        return f"{organization_name} ({acronym})"
    return organization_name


class Signature(Base):
    """One sign-on to a letter, with its consent trail.

    The display name and acronym are kept exactly as the signer gave them (NFC). The
    signature records the version the signer saw; numbers in the final list are assigned
    when the list is built, never stored here.
    """

    __tablename__ = "signatures"
    __table_args__ = (
        # One active signature per letter and canonical email, enforced by the database.
        sa.Index(
            "uq_signatures_active_email",
            "letter_id",
            "canonical_email",
            unique=True,
            postgresql_where=sa.text("status IN ('unverified', 'verified', 'approved')"),
            sqlite_where=sa.text("status IN ('unverified', 'verified', 'approved')"),
        ),
        sa.Index("ix_signatures_letter_status", "letter_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(sa.ForeignKey("letters.id", ondelete="CASCADE"))
    kind: Mapped[SignerKind] = mapped_column(
        enum_column(SignerKind, "signer_kind"), default=SignerKind.organization
    )
    status: Mapped[SignatureStatus] = mapped_column(
        enum_column(SignatureStatus, "signature_status"), default=SignatureStatus.unverified
    )

    # How the signatory is listed. For individuals, organization_name is empty and
    # affiliation says where they work ("for identification only").
    organization_name: Mapped[str] = mapped_column(sa.String(300), default="")
    acronym: Mapped[str] = mapped_column(sa.String(40), default="")
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    country: Mapped[str] = mapped_column(sa.String(100), default="")
    signer_name: Mapped[str] = mapped_column(sa.String(200))
    signer_title: Mapped[str] = mapped_column(sa.String(200), default="")
    affiliation: Mapped[str] = mapped_column(sa.String(300), default="")
    listed_publicly: Mapped[bool] = mapped_column(default=True)
    # Manual order (letter setting "manual"): lower comes first; None goes to the end.
    manual_position: Mapped[int | None]

    # Contact and consent trail: never public.
    email: Mapped[str | None] = mapped_column(sa.String(254))  # None once erased
    canonical_email: Mapped[str] = mapped_column(sa.String(254))
    note_to_lead: Mapped[str] = mapped_column(sa.Text, default="")
    attested_authorized: Mapped[bool] = mapped_column(default=False)
    via: Mapped[ArrivedVia] = mapped_column(enum_column(ArrivedVia, "signature_via"))
    invitation_id: Mapped[int | None]
    # The organization's id when a member signed for it from inside the app (the lead
    # organization when the letter opens, or a co-lead's "Sign for …"). A plain number like
    # invitation_id, so the column is added without copying the table on SQLite.
    organization_id: Mapped[int | None]
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("letter_versions.id", ondelete="RESTRICT")
    )
    version_number: Mapped[int]
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str | None] = mapped_column(sa.String(400))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    verified_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    rejected_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    contact_erased_at: Mapped[datetime | None]
    # "Stop updates for this letter" (delivery, responses, the lead's updates): per signature.
    updates_opted_out_at: Mapped[datetime | None]

    # Duplicate handling: a second sign-on that looks like the same organization is held
    # for the lead to merge or keep; it is never listed twice silently.
    possible_duplicate_of_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("signatures.id", ondelete="SET NULL")
    )
    duplicate_kept_at: Mapped[datetime | None]
    # The lead's or a co-lead's own organization, when a sign-on looks like it.
    own_organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL")
    )
    # Another organization with a similar name ("Amnesty International USA"): shown to the
    # lead as "similar to …", never held.
    similar_to_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("signatures.id", ondelete="SET NULL")
    )
    match_reason: Mapped[str] = mapped_column(sa.String(200), default="")

    # The lead's decision: why a sign-on was rejected (told to the signer only if the lead
    # chooses), and what the last decision changed, so that it can be undone until final.
    reject_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    undo_state: Mapped[dict | None] = mapped_column(sa.JSON(none_as_null=True))

    # The lead asked a "do not name us" signatory to be named: only the signer can agree.
    naming_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    naming_expires_at: Mapped[datetime | None]

    # Single-purpose link tokens, stored only as hashes.
    verify_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    verify_expires_at: Mapped[datetime | None]
    # The confirmation link before the newest: it opens a page saying it was replaced.
    replaced_verify_token_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    manage_token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)

    letter: Mapped[Letter] = relationship()
    version: Mapped[LetterVersion] = relationship()

    @property
    def display_name(self) -> str:
        return listed_name(self.kind, self.organization_name, self.acronym, self.signer_name)

    @property
    def is_listed(self) -> bool:
        return self.status is SignatureStatus.approved
