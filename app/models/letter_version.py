from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow

if TYPE_CHECKING:
    from app.models.user import User


class LetterVersion(Base):
    """One saved state of a letter's text, numbered 1, 2, 3 … and never changed afterwards.

    The whole text is stored (recipients as JSON), so a version is a frozen snapshot that
    signatures and the final letter can point at. The unique (letter_id, number) pair is
    what stops two concurrent saves from both becoming version N+1.
    """

    __tablename__ = "letter_versions"
    __table_args__ = (
        sa.UniqueConstraint("letter_id", "number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(sa.ForeignKey("letters.id", ondelete="CASCADE"))
    number: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    change_note: Mapped[str | None] = mapped_column(sa.String(300))
    material: Mapped[bool] = mapped_column(default=False)
    restored_from: Mapped[int | None]

    recipients: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    salutation: Mapped[str] = mapped_column(sa.String(300), default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    closing: Mapped[str] = mapped_column(sa.String(200), default="")

    author: Mapped[User | None] = relationship(lazy="joined")


@sa.event.listens_for(LetterVersion, "before_update")
def _versions_are_immutable(mapper, connection, target) -> None:  # noqa: ANN001
    # Signatures and the final letter refer to a version by number; changing one in place
    # would change what people signed.
    raise ValueError("a letter version is immutable; save a new version instead")
