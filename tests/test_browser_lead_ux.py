"""The lead's new pages in Chromium, checked with axe-core: email preferences, the share
panel, the organization's time zone, and the sign page's error summary."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import NoticeMode, NoticePreference
from tests.support.axe import assert_accessible
from tests.support.signing_factories import make_open_letter

pytestmark = pytest.mark.browser


def log_in(page, email: str, next_path: str) -> None:
    page.goto(f"/auth/login?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_path.split('?')[0]}*")


def test_choose_how_often_to_hear_about_a_letter(make, page):
    lead = make.user("dana@harbour-watch.example", name="Dana Reyes")
    letter = make_open_letter(lead, title="Protect the harbour monitors")
    log_in(page, lead.email, f"/letters/{letter.slug}")
    page.get_by_role("link", name="Emails about this letter").click()
    assert_accessible(page)
    page.get_by_role("group", name="For all your letters").get_by_label("A daily digest").check()
    page.get_by_role("group", name="Protect the harbour monitors").get_by_label(
        "Every event, as it happens"
    ).check()
    page.get_by_role("button", name="Save email preferences").click()
    page.get_by_text("Your email preferences are saved.").wait_for()
    assert_accessible(page)
    db.session.expire_all()
    modes = {p.letter_id: p.mode for p in db.session.query(NoticePreference).all()}
    assert modes == {None: NoticeMode.daily, letter.id: NoticeMode.every}


def test_correct_a_skipped_line_in_place_on_the_preview(make, page):
    lead = make.user("dana@harbour-watch.example", name="Dana Reyes")
    letter = make_open_letter(lead, title="Protect the harbour monitors")
    log_in(page, lead.email, f"/letters/{letter.slug}/invitations/new")
    page.get_by_label("Invitees, one per line").fill(
        "Friends of the Delta; Maria Ostrova; maria@delta.example.org\nHarbour Trust, tom@harbour"
    )
    page.get_by_role("button", name="Preview").click()
    page.get_by_label("A message from you (optional)").fill("Please sign by Friday.")
    page.get_by_label("Line 2 corrected").fill("Harbour Trust, tom@harbour.example.org")
    assert_accessible(page)
    page.get_by_role("button", name="Check the corrected lines").click()
    page.get_by_text("will be invited").wait_for()
    assert "2" in page.locator(".lede strong").first.inner_text()
    assert page.get_by_label("A message from you (optional)").input_value() == (
        "Please sign by Friday."
    )
    assert_accessible(page)


def test_the_share_panel_copies_the_sign_link(make, page, live_server):
    lead = make.user("dana@harbour-watch.example", name="Dana Reyes")
    letter = make_open_letter(lead, title="Protect the harbour monitors")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    log_in(page, lead.email, f"/letters/{letter.slug}")
    field = page.get_by_label("Open sign link")
    assert field.input_value().endswith(f"/l/{letter.slug}/sign")
    assert page.get_by_role("img", name="QR code of the sign link").is_visible()
    page.get_by_role("button", name="Copy link").click()
    page.get_by_text("Copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == field.input_value()
    assert_accessible(page)


def test_registration_takes_the_browsers_zone_and_the_deadline_shows_its_weekday(
    make, browser, live_server
):
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, timezone_id="Asia/Tokyo"
    )
    page = context.new_page()
    try:
        page.goto("/auth/register")
        assert page.locator("#time_zone").input_value() == "Asia/Tokyo"
        page.get_by_label("Your name").fill("Aiko Sato")
        page.get_by_label("Email").fill("aiko@tokyo-rights.example.org")
        page.get_by_label("Password").fill("a long enough password")
        page.get_by_label("Organization name").fill("Tokyo Rights Network")
        page.get_by_role("button", name="Create account").click()
        page.get_by_text("Check your email").first.wait_for()
        db.session.expire_all()
        from app.models import Organization

        org = db.session.query(Organization).filter_by(name="Tokyo Rights Network").one()
        assert org.time_zone == "Asia/Tokyo"

        lead = make.user("dana@harbour-watch.example", name="Dana Reyes")
        letter = make_open_letter(lead, title="Protect the harbour monitors")
        log_in(page, lead.email, f"/letters/{letter.slug}/settings")
        assert page.get_by_label("Time zone").locator("option").first.inner_text() == (
            "Eastern Time (US) — America/New_York"
        )
        page.get_by_label("Sign-on deadline").fill("2026-12-04T17:00")
        page.get_by_text("Chosen: Friday, December 4, 2026 at 17:00.").wait_for()
        assert_accessible(page)
        page.goto("/orgs/")
        page.get_by_label("Time zone").select_option("Africa/Luanda")
        page.get_by_role("button", name="Save time zone").click()
        page.get_by_text("Saved: new letters start in this time zone.").wait_for()
        assert_accessible(page)
    finally:
        context.close()


def test_a_missed_attestation_is_summarized_in_view_and_linked_to_its_box(make, page):
    lead = make.user("dana@harbour-watch.example", name="Dana Reyes")
    letter = make_open_letter(lead, title="Protect the harbour monitors")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"/l/{letter.slug}/sign")
    assert page.get_by_role("link", name="Log in").count() == 0
    page.get_by_label("Organization name").fill("Tidewater Rights Project")
    page.get_by_label("Country").fill("Norland")
    page.get_by_label("Your name").fill("Ana Lindqvist")
    page.get_by_label("Your title").fill("Director")
    page.get_by_label("Email").fill("ana@tidewater.example.org")
    page.get_by_role("button", name="Sign this letter").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    summary.wait_for()
    page.wait_for_function("document.activeElement.hasAttribute('data-error-summary')")
    box = summary.bounding_box()
    assert box is not None and box["y"] < 800  # in sight, not 1,300 px below
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "authorized"
