"""In a real browser: write a letter with two recipients, save twice, see the changed words."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_write_a_letter_save_twice_and_read_the_diff(make, page):
    make.user("dana@harbour-watch.example", name="Dana Reyes")

    page.goto("/auth/login?next=/letters/")
    page.get_by_label("Email").fill("dana@harbour-watch.example")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Letters").wait_for()

    page.get_by_role("link", name="New letter").click()
    page.get_by_label("Title").fill("Protect the harbour monitors")
    page.get_by_role("button", name="Start the letter").click()
    page.get_by_text("Letter started. Write its text below.").wait_for()

    # First recipient typed by hand, the second taken from the recipient book.
    page.get_by_role("button", name="Add recipient").click()
    page.locator("#recipients-0-honorific").fill("His Excellency")
    page.locator("#recipients-0-name").fill("Tomas Brandt")
    page.locator("#recipients-0-title").fill("Minister of the Interior")
    page.locator("#recipients-0-street").fill("4 Castle Square")
    page.locator("#recipients-0-locality").fill("Velden 2200")
    page.get_by_label("Add from the recipient book").select_option(label="Secretary of State")
    # Choosing a book entry adds its block at once (the button is for pages without JS).
    page.locator("#recipients-1-name").fill("Marcus Okonjo")
    assert page.locator("#recipients-0-name").input_value() == "Tomas Brandt"

    page.get_by_label("Salutation").fill("Dear Minister Brandt and Secretary Okonjo:")
    page.get_by_label("Body", exact=True).fill(
        "We ask for *swift* protection of the harbour monitors."
    )
    # The live preview renders the Markdown as the letter will show it.
    page.locator("#body-preview em", has_text="swift").wait_for()
    page.get_by_label("Closing").fill("Sincerely,")
    page.get_by_role("button", name="Save and keep editing").click()
    page.get_by_text("Saved as version 2.").wait_for()

    page.get_by_label("Body", exact=True).fill(
        "We ask for *lasting* protection of the harbour monitors."
    )
    page.get_by_label("What changed").fill("Stronger wording")
    page.get_by_role("button", name="Save and keep editing").click()
    page.get_by_text("Saved as version 3.").wait_for()

    page.get_by_role("link", name="See all versions").click()
    page.get_by_role("button", name="Compare versions").click()
    page.get_by_role("heading", name="Changes from version 2 to version 3").wait_for()
    body_diff = page.locator(".diff-section", has=page.get_by_role("heading", name="Body"))
    assert body_diff.locator("del").all_inner_texts() == ["swift"]
    assert body_diff.locator("ins").all_inner_texts() == ["lasting"]

    page.goto("/letters/protect-the-harbour-monitors/preview")
    addresses = page.locator("address.address-block").all_inner_texts()
    assert addresses[0].startswith("His Excellency Tomas Brandt\nMinister of the Interior")
    assert "The Honorable Marcus Okonjo\nSecretary of State" in addresses[1]
