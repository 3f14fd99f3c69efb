"""All models, one module per entity; importing this registers them on the metadata."""

from app.models.audit import AuditEvent
from app.models.base import Base, utcnow
from app.models.collaborator import Collaborator, CollaboratorRole
from app.models.consent_event import ConsentEvent, ConsentKind
from app.models.delivery import Delivery, DeliveryMethod, DeliveryStatus
from app.models.export_job import ExportJob, ExportStatus
from app.models.final_letter import FinalLetterRecord
from app.models.invitation import Invitation, InvitationStatus
from app.models.invitation_link import InvitationLink
from app.models.letter import DateMode, Letter, LetterStatus, SignatoryOrder
from app.models.letter_response import LetterResponse
from app.models.letter_update import LetterUpdate
from app.models.letter_version import LetterVersion
from app.models.notice import DeadlineNotice, NoticeMode, NoticePreference, NoticeWatermark
from app.models.organization import ColleagueInvitation, Membership, Organization, Role
from app.models.outbox import OutboxMessage, OutboxStatus
from app.models.outbox_attachment import OutboxAttachment
from app.models.partner import Partner
from app.models.partner_contact import PartnerContact
from app.models.partner_group import PartnerGroup, partner_group_members
from app.models.passkey import Passkey
from app.models.recipient import RecipientBookEntry
from app.models.recovery_code import RecoveryCode
from app.models.reminder_sent import ReminderSent
from app.models.signature import (
    ACTIVE_STATUSES,
    ArrivedVia,
    Signature,
    SignatureStatus,
    SignerKind,
)
from app.models.signature_link import SignatureLink
from app.models.token import AccountToken, TokenPurpose
from app.models.totp import TotpCredential
from app.models.update_opt_out import UpdateOptOutLink
from app.models.user import LoginSession, User
from app.models.webauthn_challenge import ChallengePurpose, WebAuthnChallenge

__all__ = [
    "ACTIVE_STATUSES",
    "ArrivedVia",
    "ChallengePurpose",
    "Signature",
    "SignatureLink",
    "SignatureStatus",
    "SignerKind",
    "AccountToken",
    "AuditEvent",
    "Base",
    "ColleagueInvitation",
    "ConsentEvent",
    "ConsentKind",
    "Collaborator",
    "CollaboratorRole",
    "DateMode",
    "DeadlineNotice",
    "ExportJob",
    "ExportStatus",
    "FinalLetterRecord",
    "Invitation",
    "InvitationLink",
    "InvitationStatus",
    "Letter",
    "LetterStatus",
    "LetterVersion",
    "LoginSession",
    "Membership",
    "NoticeMode",
    "NoticePreference",
    "NoticeWatermark",
    "Organization",
    "OutboxMessage",
    "OutboxStatus",
    "Partner",
    "PartnerContact",
    "PartnerGroup",
    "Passkey",
    "RecipientBookEntry",
    "RecoveryCode",
    "ReminderSent",
    "Role",
    "SignatoryOrder",
    "TokenPurpose",
    "TotpCredential",
    "User",
    "WebAuthnChallenge",
    "partner_group_members",
    "Delivery",
    "DeliveryMethod",
    "DeliveryStatus",
    "LetterResponse",
    "LetterUpdate",
    "OutboxAttachment",
    "UpdateOptOutLink",
    "utcnow",
]
