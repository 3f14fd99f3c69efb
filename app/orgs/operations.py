"""Organizations and their staff: invite colleagues, join, remove."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.actor import Actor
from app.audit import record
from app.core.zones import valid_zone
from app.errors import NotAllowed, Refused
from app.extensions import db
from app.mail.outbox import queue_email
from app.models import ColleagueInvitation, Membership, Organization, Role, User, utcnow
from app.text import normalize_email
from app.tokens import hash_token, new_token
from app.urls import external_url

INVITATION_DAYS = 14


def membership_of(user: User, organization_id: int) -> Membership | None:
    return next((m for m in user.memberships if m.organization_id == organization_id), None)


def require_admin(user: User, organization_id: int) -> Organization:
    membership = membership_of(user, organization_id)
    if membership is None:
        raise NotAllowed
    if membership.role is not Role.admin:
        raise NotAllowed
    return membership.organization


def invite_colleague(
    organization_id: int, email: str, role: Role, inviter: User, actor: Actor
) -> ColleagueInvitation:
    organization = require_admin(inviter, organization_id)
    email = normalize_email(email)
    already = db.session.execute(
        sa.select(Membership)
        .join(User)
        .where(Membership.organization_id == organization_id, User.email == email)
    ).scalar_one_or_none()
    if already is not None:
        raise Refused(f"{email} is already a member of {organization.name}.")
    raw, digest = new_token()
    invitation = ColleagueInvitation(
        organization=organization,
        email=email,
        role=role,
        invited_by=inviter,
        token_hash=digest,
        expires_at=utcnow() + timedelta(days=INVITATION_DAYS),
    )
    db.session.add(invitation)
    db.session.flush()
    queue_email(
        kind="orgs.colleague_invitation",
        to=email,
        subject=f"{inviter.name} invites you to join {organization.name} on {current_app.config['SITE_NAME']}",
        template="orgs/emails/colleague_invitation",
        context={
            "organization": organization,
            "inviter": inviter,
            "role": role.value,
            "days": INVITATION_DAYS,
            "url": external_url("orgs.join", token=raw),
        },
        reply_to=inviter.email,
        ref=invitation,
    )
    record("orgs.colleague_invited", actor, invitation, email=email, role=role.value)
    return invitation


@dataclass(frozen=True)
class InvitationCheck:
    invitation: ColleagueInvitation | None
    problem: str | None = None


def check_invitation(raw: str) -> InvitationCheck:
    invitation = db.session.execute(
        sa.select(ColleagueInvitation).where(ColleagueInvitation.token_hash == hash_token(raw))
    ).scalar_one_or_none()
    if invitation is None:
        return InvitationCheck(None, "This invitation link is not valid.")
    if invitation.accepted_at is not None:
        return InvitationCheck(None, "This invitation has already been accepted.")
    if invitation.expires_at < utcnow():
        return InvitationCheck(
            None, "This invitation has expired. Ask your colleague for a new one."
        )
    return InvitationCheck(invitation)


def wrong_account(invitation: ColleagueInvitation, user: User) -> str | None:
    """Why this account may not use the invitation, or None when it is the invited one.

    The link alone proves nothing: it can be forwarded, or read over someone's shoulder. Only
    the account whose verified address is the invited one joins (with the invited role).
    """
    if normalize_email(user.email) != invitation.email:
        return (
            f"This invitation was sent to {invitation.email}, but you are logged in as "
            f"{user.email}. Log out and log in with the invited address (or create an account "
            "for it), or ask the admin who invited you to invite this address instead."
        )
    if not user.is_verified:
        return (
            f"Confirm your address {user.email} first (use the link we emailed you), "
            "then open this invitation again."
        )
    return None


def accept_invitation(raw: str, user: User, actor: Actor) -> Organization:
    check = check_invitation(raw)
    if check.invitation is None:
        raise Refused(check.problem)
    invitation = check.invitation
    mismatch = wrong_account(invitation, user)
    if mismatch is not None:
        record("orgs.invitation_refused", actor, invitation, user_id=user.id)
        raise Refused(mismatch)
    claimed = db.session.execute(
        sa.update(ColleagueInvitation)
        .where(ColleagueInvitation.id == invitation.id, ColleagueInvitation.accepted_at.is_(None))
        .values(accepted_at=utcnow())
    ).rowcount
    if not claimed:
        raise Refused("This invitation has already been accepted.")
    if membership_of(user, invitation.organization_id) is None:
        db.session.add(
            Membership(user=user, organization_id=invitation.organization_id, role=invitation.role)
        )
    record("orgs.colleague_joined", actor, invitation, user_id=user.id)
    return invitation.organization


def remove_member(organization_id: int, membership_id: int, admin: User, actor: Actor) -> None:
    require_admin(admin, organization_id)
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.organization_id != organization_id:
        raise NotAllowed
    if membership.role is Role.admin:
        admins = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(Membership.organization_id == organization_id, Membership.role == Role.admin)
        )
        if admins <= 1:
            raise Refused(
                "An organization needs at least one admin; make someone else admin first."
            )
    record("orgs.member_removed", actor, membership.organization, user_id=membership.user_id)
    db.session.delete(membership)


def pending_invitations(organization_id: int) -> list[ColleagueInvitation]:
    return list(
        db.session.execute(
            sa.select(ColleagueInvitation)
            .where(
                ColleagueInvitation.organization_id == organization_id,
                ColleagueInvitation.accepted_at.is_(None),
                ColleagueInvitation.expires_at > utcnow(),
            )
            .order_by(ColleagueInvitation.created_at.desc())
        ).scalars()
    )


def set_retention(organization_id: int, days: int, admin: User, actor: Actor) -> Organization:
    """How long the organization keeps its final letters' contact data (admins only)."""
    organization = require_admin(admin, organization_id)
    if not 1 <= days <= 3650:
        raise Refused("Give a number of days from 1 to 3650.")
    before = organization.retention_days
    organization.retention_days = days
    record("orgs.retention_changed", actor, organization, days=days, before=before)
    return organization


def set_time_zone(organization_id: int, zone: str, admin: User, actor: Actor) -> bool:
    """The zone the organization's new letters start in. Returns False if unchanged."""
    organization = require_admin(admin, organization_id)
    if valid_zone(zone) is None:
        raise Refused("Choose a time zone from the list.")
    if organization.time_zone == zone:
        return False
    before, organization.time_zone = organization.time_zone, zone
    record("orgs.time_zone_changed", actor, organization, before=before, after=zone)
    return True
