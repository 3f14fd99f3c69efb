from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class SignatureLink(Base):
    """A further manage link of a signature, carried by a later email to its signer.

    Only a token's hash is stored, so a later email cannot repeat the link of the first one
    (`Signature.manage_token_hash`): it carries a fresh random token recorded here, and every
    earlier link keeps working, whichever email the signer finds.
    """

    __tablename__ = "signature_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    signature_id: Mapped[int] = mapped_column(
        sa.ForeignKey("signatures.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
