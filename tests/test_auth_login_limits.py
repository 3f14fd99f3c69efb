"""Issue 12, finding 9 (second half): a per-account limit on failed logins, whatever the client."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, OutboxMessage
from tests.conftest import free_port, login
from tests.support.servers import Browserless, Gunicorn
from tests.test_auth import deliver, link_in, relative, without_tokens

WRONG = "The email or password is not right."


def _from(app, address: str):
    """A client at its own address: the per-client limit never sees two attempts of it."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _lock_emails() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "auth.account_locked")
        )
    )


def _age_events(minutes: int) -> None:
    """Move the account's login history back in time (as if the minutes had passed)."""
    for event in db.session.scalars(sa.select(AuditEvent)):
        event.created_at = event.created_at - timedelta(minutes=minutes)
    db.session.commit()


@pytest.mark.smtp
def test_ten_wrong_passwords_from_ten_clients_lock_the_account(make, app, smtp_server):
    make.user("lead@example.org", name="Lina Lead")
    for n in range(10):
        refused = login(_from(app, f"203.0.113.{n}"), "lead@example.org", f"guess number {n}")
        assert WRONG in refused.get_data(as_text=True)
    deliver(app)
    (message,) = smtp_server.wait_for(1)
    assert message.to == "lead@example.org"
    assert "many wrong passwords" in message.message["Subject"]
    assert "Hello Lina Lead" in message.text
    assert "paused for 15 minutes" in message.text
    assert "/auth/reset/" in link_in(message.text, "/auth/reset/")

    # The owner, from a fresh client and with the right password, is refused like a stranger
    # with a wrong one: the page does not tell a locked account from a wrong password.
    owner = _from(app, "198.51.100.7")
    locked_page = login(owner, "lead@example.org")
    assert locked_page.status_code == 200
    wrong_page = login(_from(app, "198.51.100.8"), "nobody@example.org", "any old password")
    assert without_tokens(locked_page.get_data(as_text=True)) == without_tokens(
        wrong_page.get_data(as_text=True).replace("nobody@example.org", "lead@example.org")
    )
    # More guesses during the lock send no second email.
    for n in range(5):
        login(_from(app, f"192.0.2.{n}"), "lead@example.org", f"another guess {n}")
    assert len(_lock_emails()) == 1
    assert login(owner, "lead@example.org").status_code == 200

    # Fifteen minutes later the right password works again.
    _age_events(16)
    assert login(owner, "lead@example.org").status_code == 302


def test_the_reset_link_in_the_email_ends_the_lock(make, app):
    make.user("lead@example.org")
    for n in range(10):
        login(_from(app, f"203.0.113.{n}"), "lead@example.org", f"guess number {n}")
    (notice,) = _lock_emails()
    owner = _from(app, "198.51.100.7")
    url = relative(link_in(notice.text_body, "/auth/reset/"))
    form = owner.get(url)
    assert form.status_code == 200
    from tests.conftest import post_form

    done = post_form(
        owner,
        url,
        {"password": "a brand new long password", "confirm": "a brand new long password"},
    )
    assert done.status_code == 302
    assert login(owner, "lead@example.org", "a brand new long password").status_code == 302


def test_nine_failures_do_not_lock_and_old_failures_expire(make, app):
    make.user("lead@example.org")
    for n in range(9):
        login(_from(app, f"203.0.113.{n}"), "lead@example.org", f"guess number {n}")
    _age_events(16)
    for n in range(9):
        login(_from(app, f"203.0.113.{n}"), "lead@example.org", f"guess number {n}")
    assert _lock_emails() == []
    assert login(_from(app, "198.51.100.7"), "lead@example.org").status_code == 302


def test_the_limit_holds_across_gunicorn_workers(make, app, database_url):
    """Two workers, each with its own in-memory per-client counter: the account limit is in
    the database, so it still trips once, and the owner gets one email."""
    make.user("lead@example.org")
    server = Gunicorn(
        free_port(), database_url, workers=2, env={"RATELIMIT_STORAGE_URI": "memory://"}
    )
    server.start()

    def attempt(n: int) -> int:
        status, page = Browserless(server.url).post(
            "/auth/login", {"email": "lead@example.org", "password": f"guess number {n}"}
        )
        assert WRONG in page
        return status

    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            assert set(pool.map(attempt, range(14))) == {200}
        status, page = Browserless(server.url).post(
            "/auth/login", {"email": "lead@example.org", "password": "correct horse battery"}
        )
        assert status == 200 and WRONG in page
    finally:
        server.stop()
    db.session.expire_all()
    assert len(_lock_emails()) == 1
