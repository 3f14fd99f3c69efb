"""In a real browser: the paste is previewed live as it is typed and a draft is opened and
its invitations sent from the first page; the invitations page follows the outbox in place,
counts and rows together. axe-core clean on each page."""

from __future__ import annotations

import pytest

from app.mail.worker import send_due
from tests.letters_support import make_letter
from tests.support.axe import assert_accessible
from tests.support.invitation_factories import invite, open_letter

pytestmark = [pytest.mark.browser, pytest.mark.smtp]

LIST = (
    "Friends of the Delta <maria@delta.example.org>\n"
    "Lakeside Tenants Union, Joon Park, joon@lakeside.example.org\n"
    "not an address\n"
)


def log_in(page, email: str, then: str) -> None:
    page.goto(f"/auth/login?next={then}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()


def test_live_preview_then_open_and_send_from_the_first_page(app, make, page):
    lead = make.user("dana@harbour-watch.example.org", name="Dana Reyes")
    letter = make_letter(lead, title="Protect the harbour monitors")
    log_in(page, lead.email, f"/letters/{letter.slug}/invitations/new")
    page.get_by_role("heading", name="Invite organizations").wait_for()
    assert page.get_by_role("button", name="Open the letter and send").count() == 0

    page.get_by_label("Invitees, one per line").fill(LIST)
    summary = page.locator("[data-live-summary]")
    page.get_by_text("2 organizations will be invited; 1 line skipped: line 3").wait_for()
    assert "Bad address" in summary.inner_text()
    assert page.locator("[data-live-rows] tbody tr").count() == 3
    keep = page.get_by_role("button", name="Keep them: send when the letter opens")
    assert keep.is_visible()
    assert_accessible(page)

    # Typing again updates the count and the buttons, with no page action.
    page.get_by_label("Invitees, one per line").fill(LIST + "info@riverwatch.example.net\n")
    go = page.get_by_role("button", name="Open the letter and send 3 invitations")
    go.wait_for()
    page.get_by_label("A message from you (optional)").fill("We would be glad to have you.")
    go.click()
    page.get_by_text("The letter is open. 3 invitations queued for sending.").wait_for()
    assert_accessible(page)


def test_the_invitations_page_follows_the_outbox_in_place(app, make, page, smtp_server):
    lead = make.user("dana@harbour-watch.example.org", name="Dana Reyes")
    letter = open_letter(lead, title="Protect the harbour monitors")
    invite(
        letter,
        lead,
        "Friends of the Delta <maria@delta.example.org>",
        "Lakeside Tenants Union <joon@lakeside.example.org>",
    )
    log_in(page, lead.email, f"/letters/{letter.slug}/invitations")
    page.get_by_role("heading", name="Invitations").wait_for()
    rows = page.locator("#inv-rows tbody tr")
    assert rows.count() == 2
    assert page.locator("#inv-rows .badge.inv-queued").count() == 2
    assert page.get_by_role("button", name="Resend").count() == 0  # nothing has left yet
    assert_accessible(page)
    page.evaluate("window.notReloaded = true")

    with app.app_context():
        assert send_due(worker_id="t").sent == 2
    page.get_by_text("Every invitation has left the outbox").wait_for(timeout=10000)
    # The counts and the rows changed together, in place.
    assert page.locator('[data-status="sent"] .count').inner_text() == "2"
    assert page.locator('[data-status="queued"] .count').inner_text() == "0"
    assert page.locator("#inv-rows .badge.inv-sent").count() == 2
    assert page.get_by_role("button", name="Resend").count() == 2
    assert page.evaluate("window.notReloaded") is True
    assert_accessible(page)
