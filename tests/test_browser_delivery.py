"""In a real browser: the lead delivers a final letter and records the response; a visitor
sees both on the public page. axe-core checks every page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.axe import assert_accessible
from tests.support.delivery_factories import MINISTER_TO, final_letter
from tests.support.journey import deliver

pytestmark = [pytest.mark.browser, pytest.mark.smtp]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_deliver_record_a_response_and_see_both_in_public(
    app, make, page, browser, smtp_server, live_server
):
    lead = make.user("lena@budgets.example.org", name="Lena Lead")
    letter = final_letter(lead)

    page.goto("/auth/login")
    page.get_by_label("Email").fill(lead.email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/letters/{letter.slug}")
    page.get_by_role("heading", name="After the letter").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="Deliver", exact=True).click()
    assert MINISTER_TO in page.get_by_label("To").input_value()
    assert_accessible(page)
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("heading", name="Preview").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Send to the recipients").click()
    page.get_by_text("The letter is on its way").wait_for()

    deliver(app)  # the cover email
    assert [
        a.get_content_type() for a in smtp_server.to(MINISTER_TO)[0].message.iter_attachments()
    ] == ["application/pdf"]
    page.reload()
    page.get_by_text("Accepted by the recipients' mail server.").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="Record a response").click()
    page.get_by_label("Date of the response").fill(datetime.now(UTC).date().isoformat())
    page.get_by_label("From").fill("Office of the Minister")
    page.get_by_label("Summary").fill("The Minister will meet the coalition in January.")
    page.get_by_label("The response itself").set_input_files(
        {"name": "reply.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    assert_accessible(page)
    page.get_by_role("button", name="Record the response").click()
    page.get_by_text("Response recorded.").wait_for()

    visitor = browser.new_context(base_url=live_server.url, bypass_csp=True).new_page()
    visitor.goto(f"/l/{letter.slug}")
    timeline = visitor.get_by_role("region", name="What happened")
    timeline.get_by_text("Delivered to The Honorable Ilse Varga").wait_for()
    timeline.get_by_text("Response from Office of the Minister").wait_for()
    assert "meet the coalition in January" in timeline.inner_text()
    assert "foreign.norland.example.org" not in visitor.content()  # addresses never shown
    assert_accessible(visitor)
    with visitor.expect_download() as download:
        visitor.get_by_role("link", name="download the response").click()
    assert download.value.suggested_filename == "reply.pdf"
    visitor.context.close()
