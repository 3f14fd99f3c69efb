"""Accounts: registration through a real SMTP server, login sessions, resets, no enumeration."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.mail.worker import send_due
from app.models import AuditEvent, LoginSession, Membership, Organization, User
from tests.conftest import csrf_token, login, post_form

COOKIE = "undersigned_session"


def link_in(text: str, path_part: str) -> str:
    match = re.search(r"https?://[^\s\"<>]*" + re.escape(path_part) + r"[^\s\"<>]*", text)
    assert match, f"no link containing {path_part!r} in:\n{text}"
    return match.group(0)


def without_tokens(html: str) -> str:
    """A page with its CSRF tokens blanked, so two answers can be compared."""
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1", html)


def relative(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def deliver(app) -> None:
    with app.app_context():
        send_due(worker_id="test")


def register(client, email="amina@example.org", password="a long enough password"):
    return post_form(
        client,
        "/auth/register",
        {
            "name": "Amina Yusuf",
            "email": email,
            "password": password,
            "organization": "Friends of Angola",
        },
    )


@pytest.mark.smtp
def test_register_verify_by_button_then_login_and_logout(app, client, smtp_server):
    response = register(client)
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)

    deliver(app)
    (message,) = smtp_server.wait_for(1)
    assert message.to == "amina@example.org"
    assert message.subject == "Confirm your email address"
    url = link_in(message.text, "/auth/verify/")
    assert url == link_in(message.html, "/auth/verify/")

    # Opening the link (as a mail scanner would) changes nothing.
    page = client.get(relative(url))
    assert page.status_code == 200
    assert "Confirm my email address" in page.get_data(as_text=True)
    with app.app_context():
        user = db.session.execute(sa.select(User)).scalar_one()
        assert user.email_verified_at is None
        assert user.memberships[0].organization.name == "Friends of Angola"
        assert user.memberships[0].role.value == "admin"
        assert user.password_hash != "a long enough password"
        assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))

    # Not yet verified: login refused with a helpful message.
    refused = login(client, "amina@example.org", "a long enough password")
    assert "confirm your email address first" in refused.get_data(as_text=True)

    confirmed = post_form(client, relative(url), {})
    assert confirmed.status_code == 302
    with app.app_context():
        assert db.session.execute(sa.select(User)).scalar_one().email_verified_at is not None

    # The link is spent but harmless: it now says the address is confirmed.
    again = client.get(relative(url))
    assert again.status_code == 302

    logged_in = login(client, "Amina@Example.org", "a long enough password")
    assert logged_in.status_code == 302
    assert client.get("/orgs/").status_code == 200

    out = post_form(client, "/auth/logout", {}, token_from="/orgs/")
    assert out.status_code == 302
    assert client.get("/orgs/").status_code == 302


def test_wrong_password_and_unknown_address_get_the_same_answer(make, client):
    make.user("known@example.org")
    wrong = without_tokens(
        login(client, "known@example.org", "not the password").get_data(as_text=True)
    )
    unknown = without_tokens(
        login(client, "nobody@example.org", "not the password").get_data(as_text=True)
    )
    assert "The email or password is not right." in wrong
    assert wrong.replace("known@", "X@") == unknown.replace("nobody@", "X@")


def test_session_cookie_is_refused_after_logout(make, client, app):
    make.user("lead@example.org")
    anonymous_cookie = None
    client.get("/auth/login")
    anonymous_cookie = client.get_cookie(COOKIE).value
    assert login(client, "lead@example.org").status_code == 302
    captured = client.get_cookie(COOKIE).value
    # The session is renewed at login: nothing of the anonymous one carries over.
    assert captured != anonymous_cookie
    assert client.get("/orgs/").status_code == 200

    post_form(client, "/auth/logout", {}, token_from="/orgs/")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession)) == 0

    replay = app.test_client()
    replay.set_cookie(COOKIE, captured)
    response = replay.get("/orgs/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_logging_out_one_browser_keeps_the_other(make, app):
    make.user("lead@example.org")
    first, second = app.test_client(), app.test_client()
    login(first, "lead@example.org")
    login(second, "lead@example.org")
    post_form(first, "/auth/logout", {}, token_from="/orgs/")
    assert first.get("/orgs/").status_code == 302
    assert second.get("/orgs/").status_code == 200


def test_post_without_csrf_token_is_refused(make, client):
    make.user("lead@example.org")
    response = client.post(
        "/auth/login", data={"email": "lead@example.org", "password": "correct horse battery"}
    )
    assert response.status_code == 400
    assert "form has expired" in response.get_data(as_text=True)
    assert client.get("/orgs/").status_code == 302


@pytest.mark.smtp
def test_register_does_not_reveal_an_existing_account(make, app, client, smtp_server):
    make.user("taken@example.org", name="Existing Person")
    new = without_tokens(register(client, "fresh@example.org").get_data(as_text=True))
    existing = without_tokens(
        register(app.test_client(), "taken@example.org").get_data(as_text=True)
    )
    assert new.replace("fresh@", "X@") == existing.replace("taken@", "X@")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == 2
    deliver(app)
    smtp_server.wait_for(2)
    (warning,) = smtp_server.to("taken@example.org")
    assert "already has one" in warning.text
    assert "/auth/verify/" not in warning.text


@pytest.mark.smtp
def test_password_reset_by_email(make, app, client, smtp_server):
    make.user("lead@example.org")
    other_browser = app.test_client()
    login(other_browser, "lead@example.org")

    known = post_form(client, "/auth/reset", {"email": "lead@example.org"}).get_data(as_text=True)
    unknown = post_form(client, "/auth/reset", {"email": "ghost@example.org"}).get_data(
        as_text=True
    )
    assert known.replace("lead@", "X@") == unknown.replace("ghost@", "X@")

    deliver(app)
    (message,) = smtp_server.wait_for(1)
    assert message.to == "lead@example.org"
    url = relative(link_in(message.text, "/auth/reset/"))
    assert client.get(url).status_code == 200

    mismatch = post_form(
        client, url, {"password": "brand new password", "confirm": "different one"}
    )
    assert "The two passwords differ." in mismatch.get_data(as_text=True)

    done = post_form(
        client, url, {"password": "brand new password", "confirm": "brand new password"}
    )
    assert done.status_code == 302
    # The reset signs out every browser, and the link works once.
    assert other_browser.get("/orgs/").status_code == 302
    assert client.get(url).status_code == 400
    assert login(client, "lead@example.org").status_code == 200
    assert login(client, "lead@example.org", "brand new password").status_code == 302


def test_change_password_needs_the_current_one(make, client, app):
    make.user("lead@example.org")
    login(client, "lead@example.org")
    wrong = post_form(
        client,
        "/auth/account",
        {
            "current": "wrong",
            "password": "another long password",
            "confirm": "another long password",
        },
    )
    assert "The current password is not right." in wrong.get_data(as_text=True)
    ok = post_form(
        client,
        "/auth/account",
        {
            "current": "correct horse battery",
            "password": "another long password",
            "confirm": "another long password",
        },
    )
    assert ok.status_code == 302
    fresh = app.test_client()
    assert login(fresh, "lead@example.org").status_code == 200
    assert login(fresh, "lead@example.org", "another long password").status_code == 302


def test_login_is_rate_limited_per_client(make, client, config):
    make.user("lead@example.org")
    config["RATELIMIT_AUTH"] = "3 per minute"
    codes = [login(client, "lead@example.org", "wrong password").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert "Too many requests" in login(client, "lead@example.org").get_data(as_text=True)


def test_next_parameter_never_leaves_the_site(make, client):
    make.user("lead@example.org")
    token = csrf_token(client, "/auth/login")
    response = client.post(
        "/auth/login",
        data={
            "email": "lead@example.org",
            "password": "correct horse battery",
            "next": "//evil.example/x",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/")
    assert "evil" not in response.headers["Location"]


def test_registration_refuses_bad_input_with_messages(client, app):
    response = post_form(
        client,
        "/auth/register",
        {"name": "Bad\u202eName", "email": "not-an-email", "password": "short", "organization": ""},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "control characters" in body
    assert "Invalid email address" in body
    assert "at least 10 characters" in body
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_every_account_change_is_audited(make, client, app):
    make.user("lead@example.org")
    login(client, "lead@example.org")
    post_form(client, "/auth/logout", {}, token_from="/orgs/")
    with app.app_context():
        query = sa.select(AuditEvent).order_by(AuditEvent.id)
        actions = [e.action for e in db.session.execute(query).scalars()]
        assert actions == ["auth.login", "auth.logout"]
        event = db.session.execute(sa.select(AuditEvent)).scalars().first()
        assert event.ip == "127.0.0.1"
        assert event.actor_user_id is not None


def test_users_create_command_reads_the_password_from_stdin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "Admin@Example.org", "--name", "Site Admin", "--org", "Lead Org"],
        input="a strong password here\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.execute(sa.select(User)).scalar_one()
        assert user.email == "admin@example.org"
        assert user.is_verified
        (membership,) = db.session.execute(sa.select(Membership)).scalars()
        assert membership.role.value == "admin"
    again = runner.invoke(
        args=["users", "create", "admin@example.org", "--name", "X", "--org", "Lead Org"],
        input="a strong password here\n",
    )
    assert again.exit_code != 0
    assert "already exists" in again.output
    short = runner.invoke(
        args=["users", "create", "b@example.org", "--name", "X", "--org", "Y"], input="short\n"
    )
    assert short.exit_code != 0
    client = app.test_client()
    assert login(client, "admin@example.org", "a strong password here").status_code == 302
