"""Accounts: register, verify, log in, reset and change passwords.

Register and reset answer the same way whether or not an address has an account; the
address's owner learns what happened by email instead.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from app.actor import Actor
from app.audit import record
from app.auth import decoys, login_limits, sessions
from app.core.zones import valid_zone
from app.extensions import db
from app.mail.outbox import queue_email
from app.models import AccountToken, Membership, Organization, Role, TokenPurpose, User, utcnow
from app.text import normalize_email
from app.tokens import hash_token, new_token
from app.urls import external_url

# Checked against when no account matches, so a login for an unknown address costs the same.
_DUMMY_HASH = generate_password_hash("not a real password")


class AuthError(Exception):
    """A refusal with a message fit to show the person."""


@dataclass(frozen=True)
class TokenResult:
    user: User | None
    problem: str | None = None


def find_user(email: str) -> User | None:
    return db.session.execute(
        sa.select(User).where(User.email == normalize_email(email))
    ).scalar_one_or_none()


def _issue_token(user: User, purpose: TokenPurpose, hours: int) -> str:
    raw, digest = new_token()
    db.session.add(
        AccountToken(
            user=user,
            purpose=purpose,
            token_hash=digest,
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    return raw


def _send_verification(user: User) -> None:
    hours = current_app.config["EMAIL_TOKEN_HOURS"]
    raw = _issue_token(user, TokenPurpose.verify_email, hours)
    queue_email(
        kind="auth.verify_email",
        to=user.email,
        subject="Confirm your email address",
        template="auth/emails/verify_email",
        context={"user": user, "hours": hours, "url": external_url("auth.verify_email", token=raw)},
        ref=user,
    )


def register(
    name: str,
    email: str,
    password: str,
    organization_name: str,
    actor: Actor,
    *,
    time_zone: str | None = None,
) -> User | None:
    """Create an unverified account and its organization, and email a verification link.

    Returns None when the address already has an account: its owner gets an email saying
    so, and the caller shows the same page as for a new account.
    """
    email = normalize_email(email)
    existing = find_user(email)
    if existing is not None:
        decoys.hash_for_nobody(password)
        queue_email(
            kind="auth.already_registered",
            to=existing.email,
            subject="Someone tried to register with your address",
            template="auth/emails/already_registered",
            context={
                "user": existing,
                "login_url": external_url("auth.login"),
                "reset_url": external_url("auth.forgot_password"),
            },
            ref=existing,
        )
        record("auth.register_existing", actor, existing)
        return None
    user = User(email=email, name=name, password_hash=generate_password_hash(password))
    # The browser's zone, when it names one we know; its letters start in it.
    organization = Organization(name=organization_name, time_zone=valid_zone(time_zone) or "UTC")
    db.session.add_all([user, organization])
    db.session.add(Membership(user=user, organization=organization, role=Role.admin))
    db.session.flush()
    _send_verification(user)
    record("auth.register", actor, user, organization_id=organization.id)
    return user


def resend_verification(email: str, actor: Actor) -> None:
    user = find_user(email)
    if user is not None and not user.is_verified:
        _send_verification(user)
        record("auth.verification_resent", actor, user)
        return
    decoys.email_for_nobody(
        email,
        subject="Confirm your email address",
        template="auth/emails/verify_email",
        endpoint="auth.verify_email",
        context={"hours": current_app.config["EMAIL_TOKEN_HOURS"]},
    )
    decoys.nothing_to_send("auth.verification_not_sent", actor)


def _find_token(raw: str, purpose: TokenPurpose) -> AccountToken | None:
    return db.session.execute(
        sa.select(AccountToken).where(
            AccountToken.token_hash == hash_token(raw), AccountToken.purpose == purpose
        )
    ).scalar_one_or_none()


def check_token(raw: str, purpose: TokenPurpose) -> TokenResult:
    """Look a link token up without using it (for the page the link opens)."""
    token = _find_token(raw, purpose)
    if token is None:
        return TokenResult(None, "This link is not valid. Check that you copied all of it.")
    if purpose is TokenPurpose.verify_email and token.user.is_verified:
        return TokenResult(token.user, None)
    if token.used_at is not None:
        return TokenResult(None, "This link has already been used.")
    if token.expires_at < utcnow():
        return TokenResult(None, "This link has expired. Ask for a new one.")
    return TokenResult(token.user)


def verify_email(raw: str, actor: Actor) -> TokenResult:
    """Mark the address verified. Idempotent: a second press finds it already verified."""
    result = check_token(raw, TokenPurpose.verify_email)
    if result.user is None or result.user.is_verified:
        return result
    token = _find_token(raw, TokenPurpose.verify_email)
    now = utcnow()
    # Conditional update: two presses at once verify once.
    done = db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
        .values(used_at=now)
    ).rowcount
    if done:
        result.user.email_verified_at = now
        record("auth.email_verified", actor, result.user)
    return result


def authenticate(email: str, password: str, actor: Actor) -> User:
    """The user for these credentials, or AuthError with a message that reveals nothing."""
    user = find_user(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        login_limits.failed_for_nobody(actor)
        raise AuthError("The email or password is not right.")
    if login_limits.is_locked(user):
        # Too many wrong passwords lately: even the right one gets the usual answer.
        check_password_hash(user.password_hash, password)
        record("auth.login_refused_locked", actor, user)
        raise AuthError("The email or password is not right.")
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        login_limits.failed(user, actor)
        raise AuthError("The email or password is not right.")
    if not user.is_verified:
        raise AuthError(
            "Please confirm your email address first: use the link we sent you, "
            "or ask for a new one below."
        )
    return user


def log_in(user: User, actor: Actor) -> str:
    token = sessions.start_session(user, actor)
    # The request was anonymous until now; the event belongs to the person logging in.
    record("auth.login", replace(actor, user_id=user.id), user)
    return token


def log_out(user: User, session_token: str | None, actor: Actor) -> None:
    sessions.end_session(session_token)
    record("auth.logout", actor, user)


def request_password_reset(email: str, actor: Actor) -> None:
    user = find_user(email)
    hours = current_app.config["RESET_TOKEN_HOURS"]
    if user is None or not user.is_active:
        decoys.email_for_nobody(
            email,
            subject="Reset your password",
            template="auth/emails/reset_password",
            endpoint="auth.reset_password",
            context={"hours": hours},
        )
        decoys.nothing_to_send("auth.reset_not_sent", actor)
        return
    raw = _issue_token(user, TokenPurpose.reset_password, hours)
    queue_email(
        kind="auth.reset_password",
        to=user.email,
        subject="Reset your password",
        template="auth/emails/reset_password",
        context={
            "user": user,
            "hours": hours,
            "url": external_url("auth.reset_password", token=raw),
        },
        ref=user,
    )
    record("auth.reset_requested", actor, user)


def reset_password(raw: str, new_password: str, actor: Actor) -> TokenResult:
    """Set a new password from a reset link; every signed-in browser is signed out."""
    result = check_token(raw, TokenPurpose.reset_password)
    if result.user is None:
        return result
    token = _find_token(raw, TokenPurpose.reset_password)
    done = db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if not done:
        return TokenResult(None, "This link has already been used.")
    user = result.user
    user.password_hash = generate_password_hash(new_password)
    # Following the link proves the address.
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    sessions.end_all_sessions(user.id)
    record("auth.password_reset", actor, user)
    return result


def change_password(user: User, current: str, new_password: str, actor: Actor) -> None:
    if not check_password_hash(user.password_hash, current):
        raise AuthError("The current password is not right.")
    user.password_hash = generate_password_hash(new_password)
    # Other browsers signed in with the old password are signed out; this one stays.
    sessions.end_other_sessions(user.id, keep=user.session_token)
    record("auth.password_changed", actor, user)
