from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class InvitationLink(Base):
    """A further personal link to an invitation, sent in a reminder or a resend.

    Only the token's hash is stored, so a reminder cannot repeat the link of the first
    email: it carries a fresh random token, and every earlier link keeps working (the
    invitee may click whichever email they find). `Invitation.token_hash` is the first link.
    """

    __tablename__ = "invitation_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("invitations.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    reason: Mapped[str] = mapped_column(sa.String(20))  # "reminder" or "resend"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
