"""In a real browser: the lead finds a possible duplicate first, keeps both and undoes it,
rejects a sign-on with a reason for the signer; the signer agrees to be named. Each page is
checked with axe-core."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import OutboxMessage
from tests.support.axe import axe_violations
from tests.support.signing_factories import make_open_letter, make_signature, signatures_of

pytestmark = pytest.mark.browser
LEAD = "amara@open-budgets.example.org"


def test_the_lead_decides_a_duplicate_and_undoes_it(make, page):
    letter = make_open_letter(make.user(LEAD))
    make_signature(letter, organization_name="Centre for Civic Freedom", acronym="CCF")
    make_signature(letter, organization_name="Harbour Workers Union")
    flagged = make_signature(letter, organization_name="Center for Civic Freedom")
    make_signature(letter, organization_name="Best Cheap Watches Ltd")
    hidden = make_signature(letter, organization_name="Lowland Water Watch", listed_publicly=False)

    page.goto(f"/auth/login?next=/letters/{letter.slug}/signatures")
    page.get_by_label("Email").fill(LEAD)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Signatures").wait_for()
    assert (
        page.locator("#signature-summary")
        .inner_text()
        .startswith("5 listed, 0 awaiting you, 0 unconfirmed, 1 listed but not named publicly.")
    )
    assert "1 possible duplicate to decide" in page.locator("main").inner_text()
    first_row = page.locator("tbody tr").first
    assert first_row.get_attribute("id") == f"signature-{flagged.id}"  # shown first
    assert axe_violations(page) == []

    first_row.get_by_role("link", name="Center for Civic Freedom").click()
    page.get_by_role("heading", name="Possible duplicate").wait_for()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Keep both").click()
    page.get_by_text("Kept both").wait_for()
    page.get_by_role("button", name="Undo keep both").click()
    page.get_by_text("flagged as a possible duplicate again").wait_for()
    page.get_by_role("heading", name="Possible duplicate").wait_for()

    # Reject another sign-on, with a reason the signer is told.
    page.goto(f"/letters/{letter.slug}/signatures")
    page.get_by_role("link", name="Best Cheap Watches Ltd").click()
    page.get_by_text("Reject, with a reason").click()
    page.get_by_label("Reason (optional, kept with the sign-on)").fill("Not an organization.")
    page.get_by_label("Email the signer that they are not listed").check()
    page.locator("details").get_by_role("button", name="Reject").click()
    page.get_by_text("The signer is emailed.").wait_for()
    page.get_by_text("Reason for rejecting: Not an organization.").wait_for()

    # Ask the unnamed signatory to be named: they stay unnamed until they agree.
    page.goto(f"/letters/{letter.slug}/signatures/{hidden.id}")
    page.get_by_label("Do not list publicly").uncheck()
    page.get_by_role("button", name="Save listing").click()
    page.get_by_text("asked by email whether they agree to be named").wait_for()
    assert signatures_of(letter)[-1].listed_publicly is False
    db.session.expire_all()
    request = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "signature_naming_request")
    ).one()
    link = re.search(r"/s/named/[A-Za-z0-9_\-]+", request.text_body).group(0)
    page.goto(link)
    assert axe_violations(page) == []
    page.get_by_role("button", name="I agree to be named as Lowland Water Watch").click()
    page.get_by_role("heading", name="Thank you: you are now named").wait_for()
    assert signatures_of(letter)[-1].listed_publicly is True
