from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class ReminderSent(Base):
    """A reminder claimed for one invitation.

    The unique (invitation_id, kind) is what makes each reminder go at most once: whoever
    inserts the row first sends it, also when two `reminders send-due` run at the same moment.
    Kinds: "deadline-3d" (automatic, N days before the deadline) or "manual:<batch>".
    """

    __tablename__ = "reminders_sent"
    __table_args__ = (sa.UniqueConstraint("invitation_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(sa.ForeignKey("invitations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
