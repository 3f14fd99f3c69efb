"""Server-side login sessions.

The cookie holds a random session token instead of the user id; each signed-in browser is a
row. Logging out deletes the row, so a cookie captured before logout is refused afterwards,
and logging in always starts a new token (no session fixation).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.actor import Actor
from app.extensions import db
from app.models import LoginSession, User, utcnow
from app.tokens import hash_token, new_token


def _max_age() -> timedelta:
    return timedelta(seconds=current_app.config["PERMANENT_SESSION_LIFETIME"])


def start_session(user: User, actor: Actor) -> str:
    raw, digest = new_token()
    db.session.add(
        LoginSession(user_id=user.id, token_hash=digest, ip=actor.ip, user_agent=actor.user_agent)
    )
    user.session_token = raw
    return raw


def end_session(raw: str | None) -> None:
    if raw:
        db.session.execute(
            sa.delete(LoginSession).where(LoginSession.token_hash == hash_token(raw))
        )


def end_all_sessions(user_id: int) -> None:
    db.session.execute(sa.delete(LoginSession).where(LoginSession.user_id == user_id))


def load_user(raw: str) -> User | None:
    """Flask-Login's user loader: the user of a live session token, or None."""
    row = db.session.execute(
        sa.select(LoginSession).where(LoginSession.token_hash == hash_token(raw))
    ).scalar_one_or_none()
    if row is None or not row.user.is_active or utcnow() - row.created_at > _max_age():
        return None
    user = row.user
    user.session_token = raw
    user.session_last_seen = row.last_seen_at
    return user


def end_other_sessions(user_id: int, keep: str | None) -> None:
    query = sa.delete(LoginSession).where(LoginSession.user_id == user_id)
    if keep:
        query = query.where(LoginSession.token_hash != hash_token(keep))
    db.session.execute(query)


def sessions_of(user_id: int) -> list[LoginSession]:
    return list(
        db.session.execute(
            sa.select(LoginSession)
            .where(LoginSession.user_id == user_id)
            .order_by(LoginSession.last_seen_at.desc())
        ).scalars()
    )


def is_current(row: LoginSession, raw: str | None) -> bool:
    return bool(raw) and row.token_hash == hash_token(raw)


def touch(raw: str | None, last_seen: datetime | None) -> bool:
    """Note that this browser was seen now; True if a row changed.

    At most every few minutes: a page view does not write to the database each time.
    """
    now = utcnow()
    if not raw or (last_seen is not None and now - last_seen < timedelta(minutes=5)):
        return False
    db.session.execute(
        sa.update(LoginSession)
        .where(LoginSession.token_hash == hash_token(raw))
        .values(last_seen_at=now)
    )
    return True
