"""The account's signed-in browsers: list them, end any of them."""

from __future__ import annotations

from app.actor import Actor
from app.audit import record
from app.auth.sessions import is_current
from app.errors import NotAllowed
from app.extensions import db
from app.models import LoginSession, User


def end_browser_session(user: User, session_id: int, actor: Actor) -> bool:
    """End one of the account's sessions; True if it was the browser asking."""
    row = db.session.get(LoginSession, session_id)
    if row is None or row.user_id != user.id:
        raise NotAllowed
    current = is_current(row, user.session_token)
    record(
        "auth.session_ended",
        actor,
        user,
        session_id=row.id,
        ip=row.ip,
        user_agent=row.user_agent,
        this_browser=current,
    )
    db.session.delete(row)
    return current
