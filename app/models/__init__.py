"""All models, one module per entity; importing this registers them on the metadata."""

from app.models.audit import AuditEvent
from app.models.base import Base, utcnow
from app.models.organization import ColleagueInvitation, Membership, Organization, Role
from app.models.outbox import OutboxMessage, OutboxStatus
from app.models.token import AccountToken, TokenPurpose
from app.models.user import LoginSession, User

__all__ = [
    "AccountToken",
    "AuditEvent",
    "Base",
    "ColleagueInvitation",
    "LoginSession",
    "Membership",
    "Organization",
    "OutboxMessage",
    "OutboxStatus",
    "Role",
    "TokenPurpose",
    "User",
    "utcnow",
]
