"""In a real browser: fill the open sign page by its labels, take the confirmation link from
the email that arrived, press the button, and see the public count go up by one."""

from __future__ import annotations

import pytest

from tests.support.signing_factories import links_in, make_open_letter, make_signature
from tests.test_signing_flow import deliver

pytestmark = [pytest.mark.browser, pytest.mark.smtp]


def public_count(page, slug: str) -> int:
    response = page.request.get(f"/api/v1/letters/{slug}")
    assert response.ok
    data = response.json()
    assert {"title", "status", "deadline", "count"} <= set(data)
    return data["count"]


def test_sign_confirm_by_email_and_the_count_goes_up(app, make, page, smtp_server):
    letter = make_open_letter(make.user("amara@open-budgets.example.org"))
    make_signature(letter, organization_name="Riverbank Legal Aid Network")
    before = public_count(page, letter.slug)
    assert before == 1

    page.goto(f"/l/{letter.slug}/sign")
    page.get_by_role("heading", name="The text you are signing").wait_for()
    page.get_by_label("Organization name", exact=True).fill("FSI – Freedom Seekers International")
    page.get_by_label("Acronym", exact=True).fill("FSI")
    page.get_by_label("Website", exact=True).fill("freedom-seekers.example.org")
    page.get_by_label("Country", exact=True).fill("Norland")
    page.get_by_label("Your name", exact=True).fill("Idris Bello")
    page.get_by_label("Your title", exact=True).fill("Program Director")
    page.get_by_label("Email", exact=True).fill("idris@freedom-seekers.example.org")
    page.get_by_label("I am authorized to sign on behalf of this organization").check()
    page.get_by_role("button", name="Sign this letter").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    assert public_count(page, letter.slug) == before  # not yet: the email is not confirmed

    deliver(app)
    (message,) = smtp_server.wait_for(1)
    assert message.to == "idris@freedom-seekers.example.org"
    page.goto(links_in(message.text)["verify"])
    page.get_by_role("button", name="Confirm my signature").click()
    page.get_by_role("heading", name="Thank you: your signature is confirmed").wait_for()

    assert public_count(page, letter.slug) == before + 1
    page.goto(f"/l/{letter.slug}/sign")
    assert page.locator("#signature-count").inner_text() == str(before + 1)
