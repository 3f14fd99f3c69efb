"""In Chromium: set up an authenticator app from the page, log in with a code and with a
recovery code, register a passkey and log in with it (a CDP virtual authenticator)."""

from __future__ import annotations

import time

import pyotp
import pytest

from tests.conftest import ARTIFACTS
from tests.support.axe import assert_accessible

pytestmark = pytest.mark.browser

EMAIL = "amara@harbour-watch.example"


def log_in_with_password(page) -> None:
    page.goto("/auth/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()


def log_out(page) -> None:
    page.get_by_role("button", name="Log out", exact=True).click()
    page.get_by_text("You are logged out.").wait_for()


@pytest.fixture
def page(browser, live_server, config, request):
    """A page on http://localhost:PORT: Chromium refuses an IP address as a passkey's site."""
    url = f"http://localhost:{live_server.port}"
    config["BASE_URL"] = url
    context = browser.new_context(base_url=url, bypass_csp=True)
    context.set_default_timeout(15000)
    pg = context.new_page()
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def test_two_factor_journey_code_recovery_code_and_passkey(make, page):
    make.user(EMAIL, name="Amara Osei")
    log_in_with_password(page)
    page.get_by_role("heading", name="Letters").wait_for()

    # Set up from the account page: the QR code and the key to type.
    page.get_by_role("link", name="Amara Osei").click()
    assert_accessible(page)
    page.get_by_role("link", name="Set up a second factor").click()
    page.get_by_role("img", name="QR code for your authenticator app").wait_for()
    assert_accessible(page)
    secret = page.locator("#totp-secret").inner_text().strip()
    totp = pyotp.TOTP(secret)
    page.get_by_label("Authentication code").fill("000000")
    page.get_by_role("button", name="Turn on the authenticator app").click()
    page.get_by_text("That code is not right").wait_for()
    page.get_by_label("Authentication code").fill(totp.now())
    page.get_by_role("button", name="Turn on the authenticator app").click()
    page.get_by_role("heading", name="Your authenticator app is set up.").wait_for()
    assert_accessible(page)
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    log_out(page)

    # A code from the app: the next time step, since the set-up used this one.
    log_in_with_password(page)
    page.get_by_role("heading", name="One more step").wait_for()
    assert_accessible(page)
    page.get_by_label("Authentication code").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Letters").wait_for()
    log_out(page)

    # A recovery code, once.
    log_in_with_password(page)
    page.get_by_label("Authentication code").fill(codes[0])
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Letters").wait_for()

    # A passkey, kept by Chromium's virtual authenticator.
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    page.goto("/auth/two-factor")
    page.get_by_label("Name of this passkey").fill("Work laptop")
    page.get_by_role("button", name="Add a passkey").click()
    page.get_by_text("The passkey “Work laptop” is added.").wait_for()
    assert_accessible(page)

    # The organization's setting, where an admin requires a second factor of everyone.
    page.get_by_role("link", name="Organization").click()
    page.get_by_label("Require a second factor for every member").check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Every member now needs a second factor").wait_for()
    assert_accessible(page)

    page.goto("/auth/sessions")
    page.get_by_text("this browser", exact=True).wait_for()
    assert_accessible(page)
    log_out(page)

    log_in_with_password(page)
    page.get_by_role("button", name="Use a passkey").click()
    page.get_by_role("heading", name="Letters").wait_for()
    assert page.url.endswith("/letters/")
