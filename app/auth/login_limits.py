"""A limit on failed password logins per account, beside the per-client rate limit.

The per-client limit (RATELIMIT_AUTH) slows one client down; guesses spread over many clients
still reach one account. So after LOGIN_FAILURE_LIMIT wrong passwords within
LOGIN_FAILURE_WINDOW_MINUTES, whatever the clients, the account's password logins are locked
for LOGIN_LOCK_MINUTES, and its owner is emailed (once per lock) a link to set a new password.
While locked, every password (the right one too) gets the answer a wrong one gets, so a
stranger learns nothing, not even that the account exists.

Counted from the audit trail (`auth.login_failed`, `auth.account_locked`), which every gunicorn
worker and machine shares; a row lock on the user keeps two workers from both tripping it.
A successful login, a password reset or change starts the count again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.actor import Actor
from app.audit import record
from app.extensions import db
from app.mail.outbox import queue_email
from app.models import AccountToken, AuditEvent, Membership, TokenPurpose, User, utcnow
from app.tokens import new_token
from app.urls import external_url

FAILED = "auth.login_failed"
LOCKED = "auth.account_locked"
# Events after which earlier failures no longer count: the owner proved who they are.
FRESH_START = ("auth.login", "auth.password_reset", "auth.password_changed")


@dataclass(frozen=True)
class LoginState:
    locked_until: datetime | None
    recent_failures: int


def _limits() -> tuple[int, timedelta, timedelta]:
    config = current_app.config
    return (
        int(config["LOGIN_FAILURE_LIMIT"]),
        timedelta(minutes=int(config["LOGIN_FAILURE_WINDOW_MINUTES"])),
        timedelta(minutes=int(config["LOGIN_LOCK_MINUTES"])),
    )


def state(user: User) -> LoginState:
    """Whether the account is locked now, and how many failures count towards a lock."""
    return _state(user.id)


def _state(user_id: int) -> LoginState:
    _, window, lock = _limits()
    now = utcnow()
    events = db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.created_at)
        .where(
            AuditEvent.object_type == User.__tablename__,
            AuditEvent.object_id == user_id,
            AuditEvent.action.in_((FAILED, LOCKED, *FRESH_START)),
            AuditEvent.created_at >= now - window - lock,
        )
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ).all()
    locked_until: datetime | None = None
    failures: list[datetime] = []
    for action, at in events:
        if action == FAILED:
            failures.append(at)
        elif action == LOCKED:
            locked_until, failures = at + lock, []
        else:
            locked_until, failures = None, []
    if locked_until is not None and locked_until <= now:
        locked_until = None
    return LoginState(locked_until, sum(1 for at in failures if at > now - window))


def is_locked(user: User) -> bool:
    return state(user).locked_until is not None


def failed(user: User, actor: Actor) -> None:
    """Count a wrong password for this account; lock it and tell the owner at the limit."""
    # Serialize the failures of one account (PostgreSQL; SQLite writes one at a time anyway),
    # so two workers at the last allowed failure lock it once and send one email.
    db.session.execute(sa.select(User.id).where(User.id == user.id).with_for_update())
    record(FAILED, actor, user)
    limit, _, lock = _limits()
    current = state(user)
    if current.locked_until is not None or current.recent_failures < limit:
        return
    record(LOCKED, actor, user, failures=current.recent_failures)
    _tell_owner(user, lock)


def failed_for_nobody(actor: Actor) -> None:
    """A login for an address without an account runs the same queries as a wrong password
    for an account (and leaves an audit event), so its time does not tell the two apart."""
    nobody = -1
    # A found account comes with its memberships (loaded with it), then the limit's queries.
    db.session.execute(sa.select(Membership.id).where(Membership.user_id == nobody))
    _state(nobody)
    db.session.execute(sa.select(User.id).where(User.id == nobody))
    record("auth.login_failed_no_account", actor)
    _state(nobody)


def _tell_owner(user: User, lock: timedelta) -> None:
    hours = current_app.config["RESET_TOKEN_HOURS"]
    raw, digest = new_token()
    db.session.add(
        AccountToken(
            user=user,
            purpose=TokenPurpose.reset_password,
            token_hash=digest,
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    queue_email(
        kind="auth.account_locked",
        to=user.email,
        subject="Logins to your account are paused after many wrong passwords",
        template="auth/emails/account_locked",
        context={
            "user": user,
            "minutes": int(lock.total_seconds() // 60),
            "hours": hours,
            "reset_url": external_url("auth.reset_password", token=raw),
            "forgot_url": external_url("auth.forgot_password"),
        },
        ref=user,
    )
