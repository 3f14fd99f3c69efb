"""Issue 12, finding 9 (first half): common and low-variety passwords are refused, saying why."""

from __future__ import annotations

import html

import pytest
import sqlalchemy as sa

from app.auth import passwords
from app.extensions import db
from app.models import OutboxMessage, User
from tests.conftest import login, post_form
from tests.test_auth import register


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("aaaaaaaaaa", "Use at least 5 different characters: this password has only 1."),
        ("abababab12", "Use at least 5 different characters"),
        ("password2024", "one of the most common passwords"),
        ("P@ssw0rd2026!", "one of the most common passwords"),
        ("manchester", "one of the most common passwords"),
        ("qwertyuiop", "a simple pattern"),
        ("1234567890", "a simple pattern"),
        ("sunshinesunshine", "a simple pattern"),
    ],
)
def test_register_refuses_a_weak_password_and_says_which_rule(app_ctx, client, password, says):
    page = html.unescape(register(client, password=password).get_data(as_text=True))
    assert says in page
    assert "Check your email" not in page
    assert _count(User) == 0
    assert _count(OutboxMessage) == 0


def test_passwords_of_several_words_pass(app_ctx, client):
    for fine in ("correct horse battery", "a long enough password", "demo-password-2026"):
        assert passwords.problem(fine) is None
    assert "Check your email" in register(client).get_data(as_text=True)


def test_reset_and_change_refuse_weak_passwords(make, app, client):
    from app.auth import operations as ops
    from app.models import TokenPurpose

    user = make.user("lead@example.org")
    raw = ops._issue_token(user, TokenPurpose.reset_password, 2)
    db.session.commit()
    reset = post_form(
        client, f"/auth/reset/{raw}", {"password": "aaaaaaaaaa", "confirm": "aaaaaaaaaa"}
    )
    assert "Use at least 5 different characters" in html.unescape(reset.get_data(as_text=True))
    # The link is still unused and the old password still works.
    assert login(client, "lead@example.org").status_code == 302
    change = post_form(
        client,
        "/auth/account",
        {"current": "correct horse battery", "password": "iloveyou123", "confirm": "iloveyou123"},
    )
    assert "one of the most common passwords" in html.unescape(change.get_data(as_text=True))
    post_form(client, "/auth/logout", {}, token_from="/orgs/")
    assert login(client, "lead@example.org", "iloveyou123").status_code == 200
    assert login(client, "lead@example.org").status_code == 302


def test_users_create_refuses_a_weak_password(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "a@example.org", "--name", "A", "--org", "B"],
        input="qwerty123456\n",
    )
    assert result.exit_code != 0
    assert "one of the most common passwords" in result.output


def test_the_shipped_list_is_there_and_says_where_it_comes_from():
    assert len(passwords.common_passwords()) >= 10_000 - 1
    header = passwords._LIST.read_text(encoding="utf-8")[:2000]
    assert "zxcvbn" in header and "MIT License" in header
