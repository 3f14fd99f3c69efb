from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, enum_column, utcnow
from app.models.user import User


class Role(enum.StrEnum):
    admin = "admin"
    member = "member"


class Organization(Base):
    """A lead (or co-lead) organization with staff accounts."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    website: Mapped[str | None] = mapped_column(sa.String(300))
    # Set by an admin: every member needs a second factor (app.orgs.policy).
    require_two_factor: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Days after a letter is final until its signers' contact data is erased automatically.
    retention_days: Mapped[int] = mapped_column(default=180, server_default="180")
    # New letters start in this zone (from the browser at registration, editable).
    time_zone: Mapped[str] = mapped_column(sa.String(64), default="UTC", server_default="UTC")
    # The letterhead printed on its letters: a cleaned PNG or SVG (app/orgs/letterhead.py)
    # and address and contact lines, one per line.
    letterhead_logo: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    letterhead_logo_type: Mapped[str | None] = mapped_column(sa.String(40))
    letterhead_lines: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organization", cascade="all, delete-orphan"
    )


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("user_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(enum_column(Role, "membership_role"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organization: Mapped[Organization] = relationship(back_populates="memberships", lazy="joined")


class ColleagueInvitation(Base):
    """An admin's invitation for a colleague to join the organization."""

    __tablename__ = "colleague_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(sa.String(254))
    role: Mapped[Role] = mapped_column(enum_column(Role, "colleague_invitation_role"))
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organization: Mapped[Organization] = relationship()
    invited_by: Mapped[User | None] = relationship()
