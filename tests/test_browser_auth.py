"""In a real browser: register, confirm from the dev mailbox, log in, log out."""

from __future__ import annotations

import re

import pytest

from app.mail.worker import send_due
from tests.support.axe import assert_accessible, axe_violations

pytestmark = pytest.mark.browser


def test_register_confirm_from_dev_mailbox_login_logout(app, config, page):
    config["DEV_MAILBOX"] = True
    config["MAIL_SERVER"] = None

    page.goto("/auth/register")
    assert_accessible(page)
    page.get_by_label("Your name").fill("Lucía Fernández")
    page.get_by_label("Email").fill("lucia@friends-of-angola.example")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_label("Organization name").fill("Friends of Angola")
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your email").wait_for()

    with app.app_context():
        send_due(worker_id="browser-test")

    page.goto("/dev/mail")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Confirm your email address")).first.click()
    page.locator("pre.mail-body a", has_text="auth/verify").first.click()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm my email address").click()
    page.get_by_text("Your email address is confirmed").wait_for()
    assert_accessible(page)

    page.get_by_label("Email").fill("lucia@friends-of-angola.example")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Organization").click()
    page.get_by_role("heading", name="Friends of Angola").first.wait_for()
    assert_accessible(page)

    page.get_by_role("button", name="Log out").click()
    page.get_by_text("You are logged out.").wait_for()
    page.goto("/orgs/")
    assert "/auth/login" in page.url


def test_the_accessibility_check_catches_an_unlabelled_field(page):
    page.set_content(
        "<html><head><title>t</title></head><body><main><h1>x</h1>"
        "<form><input type=text></form><img src=x.png></main></body></html>"
    )
    ids = {v["id"] for v in axe_violations(page)}
    assert {"label", "image-alt"} <= ids
