"""Issue 12, finding 8: register, reset and resend take the same work whether or not an
address has an account, so their time does not tell a stranger who has one."""

from __future__ import annotations

import statistics
import time
from contextlib import contextmanager

import sqlalchemy as sa
from flask import template_rendered

from app.extensions import db
from app.models import AuditEvent, OutboxMessage
from tests.conftest import csrf_token

ROUNDS = 15


def _timed_pair(client, path: str, first, second, clock=time.perf_counter) -> tuple[float, float]:
    """Median times of two kinds of request, taken in turns (so load hits both alike)."""
    token = csrf_token(client, path)
    times: tuple[list[float], list[float]] = ([], [])
    for n in range(ROUNDS):
        order = ((0, first), (1, second)) if n % 2 else ((1, second), (0, first))
        for slot, data in order:
            start = clock()
            response = client.post(path, data={**data(n), "csrf_token": token})
            times[slot].append(clock() - start)
            assert response.status_code == 200
    return statistics.median(times[0]), statistics.median(times[1])


def _register(email: str) -> dict:
    return {
        "name": "Amina Yusuf",
        "email": email,
        "password": "a long enough password",
        "organization": "Friends of Angola",
    }


def test_register_takes_as_long_for_a_known_address_as_for_a_new_one(make, client):
    make.user("known@example.org")
    known, new = _timed_pair(
        client,
        "/auth/register",
        lambda n: _register("known@example.org"),
        lambda n: _register(f"new{n}@example.org"),
    )
    # Before: about 10 ms against 127 ms (the known address skipped the password hash).
    assert 0.5 < known / new < 2.0, f"known {known * 1000:.1f} ms, new {new * 1000:.1f} ms"


@contextmanager
def _work(app):
    """What one request did: the templates it rendered and the audit events it wrote."""
    rendered: list[str] = []

    def note(sender, template, context, **extra):
        rendered.append(template.name)

    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    done: dict = {}
    with template_rendered.connected_to(note, app):
        yield done
    done["templates"] = sorted(rendered)
    done["audit_events"] = (
        db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) - before
    )


def _work_of(app, client, path: str, email: str) -> dict:
    token = csrf_token(client, path)
    with _work(app) as done:
        assert client.post(path, data={"email": email, "csrf_token": token}).status_code == 200
    return done


def test_reset_and_resend_do_the_same_work_for_any_address(make, app, client):
    make.user("known@example.org")
    make.user("pending@example.org", verified=False)
    reset = {
        email: _work_of(app, client, "/auth/reset", email)
        for email in ("known@example.org", "ghost@example.org")
    }
    # The email that goes out for an account is rendered for nobody too, and each writes one
    # audit event (before: the unknown address rendered no email and wrote nothing).
    assert reset["known@example.org"] == reset["ghost@example.org"]
    assert "auth/emails/reset_password.html" in reset["ghost@example.org"]["templates"]
    # Rendered and written for nobody, then taken back: nothing is sent to the typed address.
    sent_to = db.session.scalars(sa.select(OutboxMessage.to_addr)).all()
    assert "ghost@example.org" not in sent_to and "known@example.org" in sent_to
    resend = {
        email: _work_of(app, client, "/auth/verify/resend", email)
        for email in ("pending@example.org", "known@example.org", "ghost@example.org")
    }
    assert resend["pending@example.org"] == resend["known@example.org"]
    assert resend["pending@example.org"] == resend["ghost@example.org"]

    # And their times stay within a generous band of each other (CPU time of this process, so
    # other load on the machine does not decide it).
    known, unknown = _timed_pair(
        client,
        "/auth/reset",
        lambda n: {"email": "known@example.org"},
        lambda n: {"email": f"ghost{n}@example.org"},
        clock=time.process_time,
    )
    assert 0.4 < known / unknown < 2.5, f"known {known * 1000:.2f} ms, unknown {unknown * 1000:.2f}"


def _statements_of(client, email: str) -> list[str]:
    """The kinds of SQL statement (SELECT, INSERT …) one login request ran."""
    token = csrf_token(client)
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement.split(None, 1)[0].upper())

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        data = {"email": email, "password": "not the password", "csrf_token": token}
        assert client.post("/auth/login", data=data).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)
    return sorted(seen)


def test_a_wrong_login_does_the_same_work_for_any_address(make, client):
    """The per-account limit reads and writes for a known address; an unknown one does too."""
    make.user("known@example.org")
    assert _statements_of(client, "known@example.org") == _statements_of(
        client, "ghost@example.org"
    )
