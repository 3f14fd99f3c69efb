"""The second factor: set-up, the second login step, recovery codes, limits, replays, turning
it off, an organization's requirement, and the signed-in browsers page."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pyotp
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.mail.worker import send_due
from app.models import AuditEvent, LoginSession, RecoveryCode, Role, TotpCredential, User
from tests.conftest import csrf_token, login, post_form

SECRET = re.compile(r'id="totp-secret"[^>]*>([A-Z2-7]+)<')
RECOVERY = re.compile(r"<code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code>")


def code(secret: str, steps_ahead: int = 0) -> str:
    """The code of a later time step: the step used at set-up is never accepted again."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def set_up_totp(client) -> tuple[str, list[str]]:
    page = client.get("/auth/two-factor").get_data(as_text=True)
    secret = SECRET.search(page).group(1)
    done = post_form(client, "/auth/two-factor", {"code": code(secret)})
    assert done.status_code == 200, done.get_data(as_text=True)
    return secret, RECOVERY.findall(done.get_data(as_text=True))


def log_out(client) -> None:
    post_form(client, "/auth/logout", {}, token_from="/auth/account")


def second_step(client, value: str):
    return post_form(client, "/auth/login/second-step", {"code": value})


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_set_up_shows_a_qr_code_and_the_secret_and_refuses_a_wrong_code(make, client, app):
    make.user("lead@example.org")
    login(client, "lead@example.org")
    response = client.get("/auth/two-factor")
    page = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert '<svg role="img" aria-label="QR code for your authenticator app"' in page
    assert "<img" not in page  # drawn here, never loaded from elsewhere
    secret = SECRET.search(page).group(1)
    # The same secret on a second visit, until it is confirmed.
    assert SECRET.search(client.get("/auth/two-factor").get_data(as_text=True)).group(1) == secret
    assert "Authentication code" in page

    wrong = post_form(client, "/auth/two-factor", {"code": "000000"})
    assert wrong.status_code == 400
    assert "That code is not right" in wrong.get_data(as_text=True)
    log_out(client)
    assert login(client, "lead@example.org").headers["Location"] == "/letters/"  # nothing on

    secret, codes = set_up_totp(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    with app.app_context():
        stored = db.session.scalars(sa.select(RecoveryCode.code_hash)).all()
        credential = db.session.scalars(sa.select(TotpCredential)).one()
    assert len(stored) == 10 and not set(codes) & set(stored)  # only hashes are kept
    assert secret not in credential.secret_encrypted  # encrypted at rest
    # Shown once: the set-up page now says it is on, without the secret or the codes.
    again = client.get("/auth/two-factor").get_data(as_text=True)
    assert "totp-secret" not in again and codes[0] not in again
    assert "auth.two_factor_enabled" in actions(app)


def test_login_asks_for_a_code_and_the_half_login_opens_nothing(make, client):
    make.user("lead@example.org")
    login(client, "lead@example.org")
    secret, _ = set_up_totp(client)
    log_out(client)

    first = login(client, "lead@example.org")
    assert first.headers["Location"] == "/auth/login/second-step"
    assert "Authentication code" in client.get("/auth/login/second-step").get_data(as_text=True)
    for path in ("/letters/", "/orgs/", "/auth/account", "/auth/two-factor", "/auth/sessions"):
        assert "/auth/login" in client.get(path).headers["Location"], path

    wrong = second_step(client, "123456")
    assert wrong.status_code == 400
    assert "That code is not right" in wrong.get_data(as_text=True)
    assert client.get("/letters/").status_code == 302

    done = second_step(client, code(secret, 1))
    assert done.status_code == 302 and done.headers["Location"] == "/letters/"
    assert client.get("/letters/").status_code == 200


def test_a_used_code_cannot_be_replayed(make, app):
    make.user("lead@example.org")
    browser, attacker = app.test_client(), app.test_client()
    login(browser, "lead@example.org")
    secret, _ = set_up_totp(browser)
    log_out(browser)
    used = code(secret, 1)
    login(browser, "lead@example.org")
    assert second_step(browser, used).status_code == 302
    # Someone who saw the code (over the shoulder, a phishing page) and knows the password.
    login(attacker, "lead@example.org")
    replay = second_step(attacker, used)
    assert replay.status_code == 400
    assert attacker.get("/letters/").status_code == 302
    # The code of the set-up's own time step is refused too: it was used to confirm.
    assert second_step(attacker, code(secret, 0)).status_code == 400


def test_a_recovery_code_works_once(make, client, app):
    make.user("lead@example.org")
    login(client, "lead@example.org")
    _, codes = set_up_totp(client)
    log_out(client)

    login(client, "lead@example.org")
    assert second_step(client, codes[0].upper().replace("-", " ")).status_code == 302
    log_out(client)
    login(client, "lead@example.org")
    assert second_step(client, codes[0]).status_code == 400
    assert second_step(client, codes[1]).status_code == 302
    assert actions(app).count("auth.recovery_code_used") == 2


def test_wrong_codes_are_limited_per_account_across_browsers(make, app, config):
    config["TWO_FACTOR_MAX_FAILURES"] = 3
    make.user("lead@example.org")
    first, second = app.test_client(), app.test_client()
    login(first, "lead@example.org")
    secret, codes = set_up_totp(first)
    log_out(first)
    login(first, "lead@example.org")
    login(second, "lead@example.org")
    for guess in ("111111", "222222"):
        assert second_step(first, guess).status_code == 400
    assert second_step(second, "333333").status_code == 400
    # The right code no longer helps, from any browser, until the window has passed.
    blocked = second_step(second, code(secret, 1))
    assert "Too many wrong codes" in blocked.get_data(as_text=True)
    assert "Too many wrong codes" in second_step(first, codes[0]).get_data(as_text=True)
    assert second.get("/letters/").status_code == 302


def test_wrong_codes_are_limited_per_client(make, client, config):
    make.user("lead@example.org")
    login(client, "lead@example.org")
    set_up_totp(client)
    log_out(client)
    login(client, "lead@example.org")
    config["RATELIMIT_AUTH"] = "3 per minute"
    statuses = [second_step(client, "999999").status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]


def test_the_half_login_expires(make, client, config):
    make.user("lead@example.org")
    login(client, "lead@example.org")
    secret, _ = set_up_totp(client)
    log_out(client)
    login(client, "lead@example.org")
    config["TWO_FACTOR_PENDING_SECONDS"] = 0
    response = client.get("/auth/login/second-step")
    assert response.headers["Location"] == "/auth/login"
    assert "Your login has expired" in client.get("/auth/login").get_data(as_text=True)


def test_turning_it_off_needs_the_password_or_a_code(make, client, app):
    make.user("lead@example.org")
    login(client, "lead@example.org")
    set_up_totp(client)
    account = client.get("/auth/account").get_data(as_text=True)
    assert "Turn off the second factor" in account

    refused = post_form(
        client, "/auth/two-factor/disable", {"proof": "not it"}, token_from="/auth/account"
    )
    assert "neither your password nor a valid code" in client.get(
        refused.headers["Location"]
    ).get_data(as_text=True)
    post_form(
        client,
        "/auth/two-factor/disable",
        {"proof": "correct horse battery"},
        token_from="/auth/account",
    )
    log_out(client)
    assert login(client, "lead@example.org").headers["Location"] == "/letters/"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
    assert "auth.two_factor_disabled" in actions(app)


def test_an_admin_requires_it_and_members_are_sent_to_set_it_up(make, app):
    organization = make.organization("Friends of Angola")
    make.user("admin@example.org", organization=organization, role=Role.admin)
    make.user("member@example.org", organization=organization, role=Role.member)
    admin, member = app.test_client(), app.test_client()
    login(admin, "admin@example.org")
    path = f"/orgs/{organization.id}/two-factor"

    # Without a second factor of their own, the admin cannot require one.
    post_form(admin, path, {"required": "y"}, token_from="/orgs/")
    assert "Set up your own second factor first" in admin.get("/orgs/").get_data(as_text=True)
    set_up_totp(admin)
    post_form(admin, path, {"required": "y"}, token_from="/orgs/")
    org_page = admin.get("/orgs/").get_data(as_text=True)
    assert "Every member now needs a second factor" in org_page
    # The admin sees who has one: the admin does, the member not yet.
    assert re.search(r"admin@example.org</td><td>admin</td>\s*<td>On</td>", org_page)
    assert re.search(r"member@example.org</td><td>member</td>\s*<td>Off</td>", org_page)

    # The member logs in and can reach only the set-up page (and log out) until it is done.
    assert login(member, "member@example.org").status_code == 302
    for target in ("/letters/", "/orgs/", "/auth/account", "/auth/sessions"):
        assert member.get(target).headers["Location"] == "/auth/two-factor", target
    page = member.get("/auth/two-factor").get_data(as_text=True)
    assert "Your organization requires a second factor" in page
    _, codes = set_up_totp(member)
    assert len(codes) == 10
    assert member.get("/letters/").status_code == 200
    # A member cannot change the requirement.
    assert post_form(member, path, {}, token_from="/auth/two-factor").status_code == 403
    # ... and cannot turn it off while the organization requires it.
    post_form(
        member,
        "/auth/two-factor/disable",
        {"proof": "correct horse battery"},
        token_from="/auth/account",
    )
    assert "requires a second factor" in member.get("/auth/account").get_data(as_text=True)
    assert "orgs.two_factor_required" in actions(app)


def test_the_sessions_page_ends_another_browser(make, app):
    make.user("lead@example.org")
    laptop, phone = app.test_client(), app.test_client()
    laptop.environ_base["HTTP_USER_AGENT"] = "Laptop Browser/1.0"
    phone.environ_base["HTTP_USER_AGENT"] = "Phone Browser/2.0"
    login(laptop, "lead@example.org")
    login(phone, "lead@example.org")

    page = laptop.get("/auth/sessions").get_data(as_text=True)
    assert 'Laptop Browser/1.0 <span class="badge">this browser</span>' in page
    assert "Phone Browser/2.0" in page and "127.0.0.1" in page
    with app.app_context():
        phone_row = db.session.scalars(
            sa.select(LoginSession).where(LoginSession.user_agent == "Phone Browser/2.0")
        ).one()
    ended = post_form(laptop, f"/auth/sessions/{phone_row.id}/end", {}, token_from="/auth/sessions")
    assert ended.headers["Location"] == "/auth/sessions"
    assert "/auth/login" in phone.get("/letters/").headers["Location"]
    assert laptop.get("/letters/").status_code == 200
    assert "Phone Browser/2.0" not in laptop.get("/auth/sessions").get_data(as_text=True)
    assert "auth.session_ended" in actions(app)


def test_nobody_ends_another_accounts_session(make, app):
    make.user("lead@example.org")
    make.user("other@example.org")
    mine, theirs = app.test_client(), app.test_client()
    login(mine, "lead@example.org")
    login(theirs, "other@example.org")
    with app.app_context():
        other_row = db.session.scalars(
            sa.select(LoginSession).join(LoginSession.user).where(User.email == "other@example.org")
        ).one()
    token = csrf_token(mine, "/auth/sessions")
    response = mine.post(f"/auth/sessions/{other_row.id}/end", data={"csrf_token": token})
    assert response.status_code == 404
    assert theirs.get("/letters/").status_code == 200


FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NASTY = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["", " ", "\x00", "\u202e", "٣٣٣٣٣٣", "１２３４５６", "a" * 20000, "-" * 40]),
)


def test_odd_codes_are_refused_never_an_error(make, app, config):
    make.user("lead@example.org")
    setup_browser, step_browser = app.test_client(), app.test_client()
    login(setup_browser, "lead@example.org")
    setup_token = csrf_token(setup_browser, "/auth/two-factor")
    account_token = csrf_token(setup_browser, "/auth/account")

    @FUZZ
    @given(value=NASTY)
    def setup_and_disable(value):
        response = setup_browser.post(
            "/auth/two-factor", data={"code": value, "csrf_token": setup_token}
        )
        assert response.status_code == 400, value
        response = setup_browser.post(
            "/auth/two-factor/disable", data={"proof": value, "csrf_token": account_token}
        )
        assert response.status_code == 302, value

    setup_and_disable()
    set_up_totp(setup_browser)
    login(step_browser, "lead@example.org")
    step_token = csrf_token(step_browser, "/auth/login/second-step")

    @FUZZ
    @given(value=NASTY)
    def second(value):
        response = step_browser.post(
            "/auth/login/second-step", data={"code": value, "csrf_token": step_token}
        )
        assert response.status_code == 400, value

    config["TWO_FACTOR_MAX_FAILURES"] = 1000
    second()
    assert step_browser.get("/letters/").status_code == 302


def test_secrets_survive_a_secret_key_rotation_with_a_fallback(app_ctx, config):
    from app.auth.secretbox import UnreadableSecret, seal, unseal

    sealed = seal("JBSWY3DPEHPK3PXP")
    assert "JBSWY3DPEHPK3PXP" not in sealed
    old_key = config["SECRET_KEY"]
    config["SECRET_KEY"] = "a new secret key"
    config["SECRET_KEY_FALLBACKS"] = [old_key]
    assert unseal(sealed) == "JBSWY3DPEHPK3PXP"
    config["SECRET_KEY_FALLBACKS"] = []
    with pytest.raises(UnreadableSecret):
        unseal(sealed)


@pytest.mark.smtp
def test_the_owner_hears_of_each_change_by_email(make, client, app, smtp_server):
    make.user("lead@example.org", name="Amara Osei")
    login(client, "lead@example.org")
    _, codes = set_up_totp(client)
    log_out(client)
    login(client, "lead@example.org")
    second_step(client, codes[0])
    post_form(
        client,
        "/auth/two-factor/disable",
        {"proof": "correct horse battery"},
        token_from="/auth/account",
    )
    with app.app_context():
        send_due(worker_id="test")
    smtp_server.wait_for(3)
    subjects = [m.subject for m in smtp_server.to("lead@example.org")]
    assert subjects == [
        "An authenticator app now protects your account",
        "A recovery code was used on your account",
        "The second factor of your account is turned off",
    ]
    used = smtp_server.to("lead@example.org")[1]
    assert "You have 9 left" in used.text and "/auth/sessions" in used.text
    assert codes[1] not in used.text and "Amara Osei" in used.html


def _all_at_once(browsers: list, value: str) -> list[int]:
    """The same code sent from every browser at the same moment; their answers' statuses."""
    tokens = [csrf_token(b, "/auth/login/second-step") for b in browsers]
    barrier = Barrier(len(browsers))

    def attempt(i: int) -> int:
        barrier.wait()
        data = {"code": value, "csrf_token": tokens[i]}
        return browsers[i].post("/auth/login/second-step", data=data).status_code

    with ThreadPoolExecutor(max_workers=len(browsers)) as pool:
        return list(pool.map(attempt, range(len(browsers))))


def test_one_code_sent_from_many_browsers_at_once_logs_in_once(make, app):
    make.user("lead@example.org")
    owner = app.test_client()
    login(owner, "lead@example.org")
    secret, codes = set_up_totp(owner)
    browsers = [app.test_client() for _ in range(6)]
    for browser in browsers:
        login(browser, "lead@example.org")
    for value in (code(secret, 1), codes[0]):
        statuses = _all_at_once(browsers, value)
        assert sorted(statuses) == [302] + [400] * (len(browsers) - 1), (value, statuses)
        browsers = [b for b, s in zip(browsers, statuses, strict=True) if s != 302]
