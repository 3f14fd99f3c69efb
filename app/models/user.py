from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow

if TYPE_CHECKING:
    from app.models.organization import Membership


class User(Base):
    """A person with an account: lead staff of an organization."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    email_verified_at: Mapped[datetime | None]
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # Set by the login code to the token of the session this object was loaded for, so
    # Flask-Login stores the session token, not the user id, in the cookie.
    session_token = None
    # When that session was last seen, as loaded (the sessions page shows it).
    session_last_seen = None

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    # Flask-Login protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def organizations(self) -> list:
        return [m.organization for m in self.memberships]

    def role_in(self, organization_id: int) -> str | None:
        for m in self.memberships:
            if m.organization_id == organization_id:
                return m.role.value
        return None


class LoginSession(Base):
    """One signed-in browser. Logging out deletes the row, so a replayed cookie is refused."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str | None] = mapped_column(sa.String(400))

    user: Mapped[User] = relationship()
