"""The half-logged-in state between the password and the second factor.

It lives in the signed session cookie: the account's id and when the password was checked.
It is not a login (Flask-Login knows nothing of it, so every page still treats the browser
as anonymous), it expires after a few minutes, and it is cleared when the login finishes.
"""

from __future__ import annotations

from flask import current_app, session

from app.extensions import db
from app.models import User, utcnow

KEY = "two_factor_pending"


def _lifetime() -> int:
    return int(current_app.config.get("TWO_FACTOR_PENDING_SECONDS", 300))


def begin(user: User, next_url: str | None) -> None:
    # A fresh session, as at any login: nothing from before the password carries over.
    session.clear()
    session[KEY] = {"user_id": user.id, "at": utcnow().timestamp(), "next": next_url or ""}


def pending_user() -> User | None:
    """The account waiting for its second factor in this browser, or None (also if expired)."""
    state = session.get(KEY)
    if not isinstance(state, dict):
        return None
    age = utcnow().timestamp() - float(state.get("at", 0))
    if age < 0 or age > _lifetime():
        session.pop(KEY, None)
        return None
    user = db.session.get(User, int(state.get("user_id", 0)))
    if user is None or not user.is_active:
        session.pop(KEY, None)
        return None
    return user


def next_url() -> str | None:
    state = session.get(KEY)
    return (state or {}).get("next") or None


def expired_message() -> str:
    return "Your login has expired. Please enter your email and password again."
