from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, enum_column, utcnow

if TYPE_CHECKING:
    from app.models.organization import Organization
    from app.models.user import User


class CollaboratorRole(enum.StrEnum):
    editor = "editor"
    viewer = "viewer"


class Collaborator(Base):
    """Someone outside the lead organization who may edit or read one letter.

    Until the person accepts, `user_id` is empty and only the hash of the invitation token is
    kept; accepting sets `user_id` (and the organization they chose to name as co-lead, if
    any) and clears the token so the link works once.
    """

    __tablename__ = "letter_collaborators"
    __table_args__ = (sa.UniqueConstraint("letter_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(sa.ForeignKey("letters.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(sa.String(254))
    role: Mapped[CollaboratorRole] = mapped_column(
        enum_column(CollaboratorRole, "collaborator_role")
    )
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime | None]
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None]
    # Chosen by the collaborator when accepting (empty: none of theirs is named as co-lead).
    co_lead_organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL")
    )

    user: Mapped[User | None] = relationship(foreign_keys=[user_id], lazy="joined")
    co_lead_organization: Mapped[Organization | None] = relationship()

    @property
    def joined(self) -> bool:
        return self.user_id is not None
