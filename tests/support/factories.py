"""Factories: each builds one thing with sensible defaults and commits it."""

from __future__ import annotations

import itertools

from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import Membership, Organization, Role, User, utcnow

PASSWORD = "correct horse battery"
_seq = itertools.count(1)
# Hashing is deliberately slow; tests share one hash of the default password.
_DEFAULT_HASH: str | None = None


def _password_hash(password: str) -> str:
    global _DEFAULT_HASH
    if password != PASSWORD:
        return generate_password_hash(password)
    if _DEFAULT_HASH is None:
        _DEFAULT_HASH = generate_password_hash(PASSWORD)
    return _DEFAULT_HASH


class Factories:
    def organization(self, name: str | None = None, **kw) -> Organization:
        org = Organization(name=name or f"Test Organization {next(_seq)}", **kw)
        db.session.add(org)
        db.session.commit()
        return org

    def user(
        self,
        email: str | None = None,
        *,
        name: str = "Test Person",
        password: str = PASSWORD,
        organization: Organization | None = None,
        role: Role | str = Role.admin,
        verified: bool = True,
    ) -> User:
        n = next(_seq)
        user = User(
            email=(email or f"person{n}@example.org").lower(),
            name=name,
            password_hash=_password_hash(password),
            email_verified_at=utcnow() if verified else None,
        )
        db.session.add(user)
        db.session.flush()
        if organization is None:
            organization = Organization(name=f"Organization of {user.email}")
            db.session.add(organization)
            db.session.flush()
        db.session.add(Membership(user=user, organization=organization, role=Role(role)))
        db.session.commit()
        return user


def queue_notices(count: int) -> list[int]:
    """`count` plain notices in the outbox, to person0@example.org and on; committed."""
    from app.mail.outbox import queue_email

    messages = [
        queue_email(
            kind="test.notice",
            to=f"person{n}@example.org",
            subject=f"Notice {n}",
            template="mail/emails/notice",
            context={"heading": "Hello", "body": f"Message number {n}."},
        )
        for n in range(count)
    ]
    db.session.commit()
    return [m.id for m in messages]
