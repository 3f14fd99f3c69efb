"""In a real browser: paste three invitees, preview, send, let the worker send, open a
personal link from the email, decline, and watch the counts change."""

from __future__ import annotations

import pytest

from app.mail.worker import send_due
from tests.support.invitation_factories import open_letter

pytestmark = [pytest.mark.browser, pytest.mark.smtp]


def count(page, status: str) -> str:
    return page.locator(f'[data-status="{status}"] .count').inner_text()


def test_invite_three_then_one_declines(app, make, page, smtp_server, live_server):
    lead = make.user("dana@harbour-watch.example.org", name="Dana Reyes")
    letter = open_letter(lead, title="Protect the harbour monitors")

    page.goto(f"/auth/login?next=/letters/{letter.slug}/invitations")
    page.get_by_label("Email").fill("dana@harbour-watch.example.org")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Invitations").wait_for()

    page.get_by_role("link", name="Invite organizations").first.click()
    page.get_by_label("Invitees, one per line").fill(
        "Friends of the Delta <maria@delta.example.org>\n"
        "Lakeside Tenants Union, Joon Park, joon@lakeside.example.org\n"
        "info@riverwatch.example.net\n"
    )
    page.get_by_role("button", name="Preview").first.click()
    page.get_by_role("heading", name="Preview the invitations").wait_for()
    assert "3 organizations will be invited" in page.get_by_role("status").inner_text()
    page.get_by_label("A message from you (optional)").fill("We would be glad to have you.")
    page.get_by_role("button", name="Invite 3 organizations").click()
    page.get_by_text("3 invitations queued for sending.").wait_for()
    assert count(page, "queued") == "3"
    progress = page.locator("[data-progress]")
    assert "Sending: 0 of 3 invitations" in progress.inner_text()
    page.evaluate("window.notReloaded = true")

    with app.app_context():
        assert send_due(worker_id="t").sent == 3
    # The figures follow the worker in place; the page never reloads itself.
    page.get_by_text("Every invitation has left the outbox.").wait_for(timeout=10000)
    assert page.evaluate("window.notReloaded") is True
    [mail] = smtp_server.to("joon@lakeside.example.org")
    assert mail.message["Reply-To"] == "dana@harbour-watch.example.org"
    links = [line for line in mail.text.split() if line.startswith(live_server.url + "/s/")]
    sign_link = next(link for link in links if not link.endswith("/decline"))
    decline_link = next(link for link in links if link.endswith("/decline"))

    page.goto(f"/letters/{letter.slug}/invitations")
    assert count(page, "sent") == "3"

    page.goto(sign_link)
    page.get_by_text("Protect the harbour monitors").first.wait_for()
    page.goto(decline_link)
    page.get_by_label("Would you tell us why? (optional)").fill("Our board meets next month.")
    page.get_by_role("button", name="Decline the invitation").click()
    page.get_by_role("heading", name="Thank you for letting us know").wait_for()

    page.goto(f"/letters/{letter.slug}/invitations")
    assert count(page, "sent") == "2"
    assert count(page, "declined") == "1"
    assert count(page, "opened") == "0"
    page.get_by_text("“Our board meets next month.”").wait_for()
