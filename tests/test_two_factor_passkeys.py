"""Passkeys as a second factor, with a software authenticator making real WebAuthn answers:
the server's verification (challenge, origin, signature, counter) runs as in production."""

from __future__ import annotations

import json

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Passkey, RecoveryCode
from tests.conftest import csrf_token, login, post_form
from tests.support.soft_authenticator import SoftAuthenticator

ORIGIN, RP_ID = "http://testserver.localhost", "testserver.localhost"


def post_json(client, path: str, body: dict, token_page: str):
    token = csrf_token(client, token_page)
    return client.post(
        path, data=json.dumps(body), content_type="application/json", headers={"X-CSRFToken": token}
    )


def add_passkey(client, authenticator: SoftAuthenticator, name: str = "Laptop") -> dict:
    options = post_json(client, "/auth/passkeys/register/options", {}, "/auth/two-factor")
    assert options.status_code == 200
    credential = authenticator.create(options.get_json())
    done = post_json(
        client,
        "/auth/passkeys/register",
        {"credential": credential, "name": name},
        "/auth/two-factor",
    )
    assert done.status_code == 200, done.get_json()
    return done.get_json()


def passkey_answer(client, authenticator: SoftAuthenticator, origin: str | None = None) -> dict:
    options = post_json(client, "/auth/passkeys/login/options", {}, "/auth/login/second-step")
    assert options.status_code == 200, options.get_json()
    return authenticator.get(options.get_json(), origin=origin)


def log_out(client) -> None:
    post_form(client, "/auth/logout", {}, token_from="/auth/account")


def test_register_a_passkey_then_log_in_with_it(make, client, app):
    make.user("lead@example.org")
    key = SoftAuthenticator(ORIGIN, RP_ID)
    login(client, "lead@example.org")
    assert add_passkey(client, key)["redirect"] == "/auth/two-factor"
    page = client.get("/auth/two-factor").get_data(as_text=True)
    assert "Laptop" in page and "You have none left: make new ones now." in page
    log_out(client)

    assert login(client, "lead@example.org").headers["Location"] == "/auth/login/second-step"
    step = client.get("/auth/login/second-step").get_data(as_text=True)
    assert "Use a passkey" in step and "js/passkeys.js" in step
    answer = passkey_answer(client, key)
    done = post_json(
        client, "/auth/passkeys/login", {"credential": answer}, "/auth/login/second-step"
    )
    assert done.status_code == 200 and done.get_json()["redirect"] == "/letters/"
    assert client.get("/letters/").status_code == 200
    with app.app_context():
        assert db.session.scalars(sa.select(Passkey.sign_count)).one() == 1
        recorded = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"auth.passkey_added", "auth.two_factor_enabled", "auth.passkey_used"} <= recorded


def test_a_replayed_or_foreign_answer_is_refused(make, app):
    make.user("lead@example.org")
    key = SoftAuthenticator(ORIGIN, RP_ID)
    browser, attacker = app.test_client(), app.test_client()
    login(browser, "lead@example.org")
    add_passkey(browser, key)
    log_out(browser)

    login(browser, "lead@example.org")
    answer = passkey_answer(browser, key)
    assert (
        post_json(
            browser, "/auth/passkeys/login", {"credential": answer}, "/auth/login/second-step"
        ).status_code
        == 200
    )

    # The same answer again (captured on the wire): its challenge is used up.
    login(attacker, "lead@example.org")
    replay = post_json(
        attacker, "/auth/passkeys/login", {"credential": answer}, "/auth/login/second-step"
    )
    assert replay.status_code == 400
    assert "expired or was already used" in replay.get_json()["error"]
    # An answer made on a look-alike site for a fresh challenge: wrong origin.
    phished = passkey_answer(attacker, key, origin="http://testserver.localhost.evil.example")
    refused = post_json(
        attacker, "/auth/passkeys/login", {"credential": phished}, "/auth/login/second-step"
    )
    assert refused.status_code == 400
    assert attacker.get("/letters/").status_code == 302


def test_another_accounts_passkey_does_not_log_in(make, app):
    make.user("lead@example.org")
    make.user("other@example.org")
    mine, theirs = SoftAuthenticator(ORIGIN, RP_ID), SoftAuthenticator(ORIGIN, RP_ID)
    client = app.test_client()
    login(client, "lead@example.org")
    add_passkey(client, mine)
    log_out(client)
    login(client, "other@example.org")
    add_passkey(client, theirs)
    log_out(client)

    login(client, "lead@example.org")
    answer = passkey_answer(client, theirs)
    refused = post_json(
        client, "/auth/passkeys/login", {"credential": answer}, "/auth/login/second-step"
    )
    assert refused.status_code == 400
    assert client.get("/letters/").status_code == 302


def test_passkey_endpoints_refuse_junk_and_strangers(make, client):
    make.user("lead@example.org")
    token = csrf_token(client, "/auth/login")
    headers = {"X-CSRFToken": token}
    # No half-login: nothing to ask a passkey for.
    assert client.post("/auth/passkeys/login/options", headers=headers).status_code == 401
    assert client.post("/auth/passkeys/register/options", headers=headers).status_code == 302

    login(client, "lead@example.org")
    for body in ("not json", json.dumps({"credential": "x"}), json.dumps({"credential": {}})):
        response = client.post(
            "/auth/passkeys/register",
            data=body,
            content_type="application/json",
            headers={"X-CSRFToken": csrf_token(client, "/auth/two-factor")},
        )
        assert response.status_code == 400, body
    # Without the CSRF header the request is refused before anything runs.
    assert client.post("/auth/passkeys/register/options").status_code == 400


def test_removing_the_last_passkey_turns_the_second_factor_off(make, client, app):
    make.user("lead@example.org")
    login(client, "lead@example.org")
    add_passkey(client, SoftAuthenticator(ORIGIN, RP_ID))
    post_form(client, "/auth/two-factor/recovery-codes", {}, token_from="/auth/two-factor")
    with app.app_context():
        passkey_id = db.session.scalars(sa.select(Passkey.id)).one()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 10
    post_form(client, f"/auth/passkeys/{passkey_id}/remove", {}, token_from="/auth/two-factor")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
        recorded = list(db.session.scalars(sa.select(AuditEvent.action)))
    assert "auth.passkey_removed" in recorded and "auth.two_factor_disabled" in recorded
    log_out(client)
    assert login(client, "lead@example.org").headers["Location"] == "/letters/"


def test_no_passkeys_on_a_site_reached_by_an_ip_address(make, client, config):
    # Browsers refuse an IP address as a passkey's site: say so instead of failing later.
    config["BASE_URL"] = "http://127.0.0.1:5000"
    make.user("lead@example.org")
    login(client, "lead@example.org")
    page = client.get("/auth/two-factor").get_data(as_text=True)
    assert "Add a passkey" not in page and "not by an IP" in page
    refused = post_json(client, "/auth/passkeys/register/options", {}, "/auth/two-factor")
    assert refused.status_code == 400 and "host name" in refused.get_json()["error"]
