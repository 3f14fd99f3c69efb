"""Equal work whether or not an address has an account, so timing tells a stranger nothing.

Register, reset and resend already answer with the same page either way. Their time gave the
difference away: registering a known address skipped the password hash (10 ms against 127 ms),
and a reset or resend for an address without an account skipped the token and the email. Where
the real path does that work for a real account, the other path does the same work for nobody:
it hashes the password, makes a token and queues the email that would have gone, then takes
them back, and leaves an audit event in place of the real one.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from werkzeug.security import generate_password_hash

from app.actor import Actor
from app.audit import record
from app.extensions import db
from app.mail.outbox import queue_email
from app.tokens import new_token
from app.urls import external_url


def hash_for_nobody(password: str) -> None:
    """Cost what hashing a new account's password costs."""
    generate_password_hash(password)


def email_for_nobody(
    email: str, *, subject: str, template: str, endpoint: str, context: dict[str, Any]
) -> None:
    """Make a link token and queue the email as for an account, then take it back.

    The message is written inside a savepoint that is rolled back at once: the same rendering
    and INSERT as the real path, and nothing any other transaction (the mail worker) can see.
    """
    raw, _ = new_token()
    nobody = SimpleNamespace(id=None, name="", email=email, is_verified=False)
    savepoint = db.session.begin_nested()
    try:
        queue_email(
            kind="auth.decoy",
            to=email,
            subject=subject,
            template=template,
            context={"user": nobody, "url": external_url(endpoint, token=raw), **context},
        )
        db.session.flush()
    finally:
        savepoint.rollback()


def nothing_to_send(action: str, actor: Actor) -> None:
    """The audit event of a request that sent nothing (no object: there is no account)."""
    record(action, actor)
