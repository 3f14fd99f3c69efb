from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.user import User


class TotpCredential(Base):
    """An account's authenticator-app secret (RFC 6238), encrypted at rest.

    A row with `confirmed_at` unset is a set-up in progress: the secret has been shown but no
    code from it has been entered yet, so it is not a second factor.
    """

    __tablename__ = "totp_credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    # Fernet token of the base32 secret, keyed from SECRET_KEY (app.auth.secretbox).
    secret_encrypted: Mapped[str] = mapped_column(sa.String(300))
    confirmed_at: Mapped[datetime | None]
    # The time step of the last code accepted: a code is never accepted twice.
    last_timecode: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
