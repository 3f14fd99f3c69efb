"""The lead's signatures table in Chromium: no horizontal scrolling at 1280 px or on a
phone (every Reject button fully in sight), sorting from the column headers, a possible
duplicate decided with one click beside its look-alike, and 29 sign-ons approved with
"Select all" and one button. axe-core on every state."""

from __future__ import annotations

import pytest

from app.models import SignatureStatus
from tests.support.axe import assert_accessible
from tests.support.signing_factories import make_open_letter, make_signature, signatures_of

pytestmark = pytest.mark.browser
LEAD = "amara@open-budgets.example.org"
NAMES = [
    "Amber Coast Watch", "Baobab Legal Clinic", "Cedar Valley Farmers", "Dune Researchers",
    "Ember Arts Collective", "Fjord Fishers Guild", "Granite Miners Solidarity",
    "Heron Wetland Trust", "Indigo Press Freedom Desk", "Juniper Health Workers",
    "Kestrel Disability Rights", "Lantern Literacy Project", "Mangrove Defenders",
    "Nightingale Nurses Network", "Orchard Cooperative", "Pelican Harbour Pilots",
    "Quarry Tenants Association", "Redwood Student Voice",
    "Saffron Women’s Initiative for Accountability and Transparency in Public Procurement",
    "Tamarind Teachers", "Umber Transparency Lab", "Vetiver Refugee Aid",
    "Willow Elders Council", "Xylem Water Engineers", "Yarrow Youth Parliament",
    "Zinnia Journalists", "Osprey Radio", "Marigold Seed Bank",
]  # fmt: skip
SIZES = {"desktop": (1280, 800), "phone": (375, 740)}


def log_in(page, next_path: str) -> None:
    page.goto(f"/auth/login?next={next_path}")
    page.get_by_label("Email").fill(LEAD)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Signatures").wait_for()


def assert_fits(page) -> None:
    """No horizontal scrolling, and every Reject button whole inside the window and inside
    any box that would clip it."""
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]} px wide in a {width[1]} px window"
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('.signature-table button')]
          .filter(b => b.textContent.trim() === 'Reject')
          .filter(b => {
            const r = b.getBoundingClientRect();
            if (r.left < 0 || r.right > window.innerWidth || r.width === 0) return true;
            for (let e = b.parentElement; e; e = e.parentElement) {
              if (getComputedStyle(e).overflowX === 'visible') continue;
              const box = e.getBoundingClientRect();
              if (r.left < box.left - 0.5 || r.right > box.right + 0.5) return true;
            }
            return false;
          }).length"""
    )
    assert clipped == 0, f"{clipped} Reject buttons are cut off"


def test_thirty_sign_ons_and_a_duplicate_decided_in_two_clicks(make, page):
    letter = make_open_letter(make.user(LEAD), moderation=True, time_zone="Europe/Berlin")
    for n, name in enumerate(NAMES):
        make_signature(
            letter, organization_name=name, status="verified",
            email=f"coordinator.{n}@{name.split()[0].lower()}-a-rather-long-domain.example.org",
            note_to_lead="Please list our acronym too.\nThanks!" if n == 3 else "",
        )  # fmt: skip
    earlier = make_signature(letter, organization_name="Centre for Civic Freedom", acronym="CCF",
                             status="verified")  # fmt: skip
    new = make_signature(letter, organization_name="Center for Civic Freedom", status="verified")
    assert new.possible_duplicate_of_id == earlier.id and len(NAMES) + 2 == 30

    page.set_viewport_size(dict(zip(("width", "height"), SIZES["desktop"], strict=True)))
    log_in(page, f"/letters/{letter.slug}/signatures")
    for width, height in SIZES.values():
        page.set_viewport_size({"width": width, "height": height})
        assert_fits(page)
        assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    note = page.locator(f"#signature-{signatures_of(letter)[3].id} .note-marker")
    assert note.inner_text() == "Note: Please list our acronym too."

    # Sorting from the headers.
    page.get_by_role("columnheader", name="Listed as").get_by_role("link").click()
    page.wait_for_url("**sort=name*")
    header = page.get_by_role("columnheader", name="Listed as")
    assert header.get_attribute("aria-sort") == "ascending"
    names = page.locator(".signature-table tbody tr td:nth-child(2) > a").all_inner_texts()
    assert names == sorted(names, key=str.casefold) and names[0] == "Amber Coast Watch"
    header.get_by_role("link").click()
    page.wait_for_url("**sort=-name*")
    assert header.get_attribute("aria-sort") == "descending"
    page.get_by_role("columnheader", name="Signed").get_by_role("link").click()
    page.wait_for_url("**sort=-time*")
    assert page.get_by_role("columnheader", name="Signed").get_attribute("aria-sort") == (
        "descending"
    )
    assert page.locator("tbody tr time").first.inner_text().count("\n") == 0
    assert_accessible(page)

    # Click 1: the pair, side by side, decided with a button that says what it keeps.
    pair = page.get_by_role("group", name="Center for Civic Freedom may be the same organization")
    assert pair.get_by_role("link", name="Centre for Civic Freedom (CCF)").is_visible()
    pair.get_by_role(
        "button",
        name="Keep Centre for Civic Freedom (CCF) (merge Center for Civic Freedom into it)",
    ).click()
    page.get_by_text("Merged: one sign-on is kept").wait_for()
    assert "sort=-time" in page.url  # back to the rows as the lead had them
    assert page.get_by_role("heading", name="Possible duplicates to decide").count() == 0

    # Click 2: select all (a tick, not a page action) and approve the ticked.
    page.get_by_label("Select all 29 on this page").check()
    assert page.get_by_label("Tick Center for Civic Freedom").is_checked() is False
    page.get_by_role("button", name="Approve ticked").click()
    page.get_by_text("29 sign-ons approved.").wait_for()
    statuses = [s.status for s in signatures_of(letter)]
    assert statuses.count(SignatureStatus.approved) == 29
    assert statuses.count(SignatureStatus.rejected) == 1
    for width, height in SIZES.values():
        page.set_viewport_size({"width": width, "height": height})
        assert_fits(page)
        assert_accessible(page)


def test_without_scripts_one_button_approves_every_awaiting_sign_on(make, browser, live_server):
    letter = make_open_letter(make.user(LEAD), moderation=True)
    for name in NAMES[:5]:
        make_signature(letter, organization_name=name, status="verified")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  bypass_csp=True, viewport={"width": 375, "height": 740})  # fmt: skip
    page = context.new_page()
    try:
        log_in(page, f"/letters/{letter.slug}/signatures")
        assert page.get_by_label("Select all 5 on this page").is_hidden()  # needs a script
        assert_fits(page)
        page.get_by_role("button", name="Approve every sign-on awaiting you (5)").click()
        page.get_by_text("5 sign-ons approved.").wait_for()
        assert [s.status for s in signatures_of(letter)] == [SignatureStatus.approved] * 5
    finally:
        context.close()
