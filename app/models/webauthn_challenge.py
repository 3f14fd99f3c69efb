from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, enum_column, utcnow


class ChallengePurpose(enum.StrEnum):
    register = "register"
    authenticate = "authenticate"


class WebAuthnChallenge(Base):
    """A challenge handed to the browser for one ceremony: single use, expiring.

    Kept on the server (not in the cookie) so a challenge is used once, even by a client that
    replays an old cookie.
    """

    __tablename__ = "webauthn_challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[ChallengePurpose] = mapped_column(
        enum_column(ChallengePurpose, "webauthn_challenge_purpose")
    )
    # base64url, as the browser echoes it in clientDataJSON: the response finds its row by it.
    challenge: Mapped[str] = mapped_column(sa.String(200), unique=True)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
