"""In Chromium: opening a personal link counts as "opened" only once the person does
something on the page (the page's script posts once on first focus, scroll or key), never
on the GET that a mail scanner also makes."""

from __future__ import annotations

import time

import pytest

from app.extensions import db
from app.models import Invitation
from tests.support.invitation_factories import invite, open_letter, token_of

pytestmark = [pytest.mark.browser]


def opened_at(invitation_id: int):
    db.session.expire_all()
    return db.session.get(Invitation, invitation_id).opened_at


def test_the_first_interaction_marks_the_invitation_opened(make, page):
    lead = make.user("dana@harbour-watch.example.org", name="Dana Reyes")
    letter = open_letter(lead, title="Protect the harbour monitors")
    [invitation] = invite(letter, lead, "Friends of the Delta <maria@delta.example.org>")
    token = token_of(invitation)

    page.goto(f"/s/{token}")
    page.get_by_role("heading", name="The text you are signing").wait_for()
    time.sleep(0.5)  # room for a request the page should not make
    assert opened_at(invitation.id) is None

    with page.expect_response(lambda r: r.url.endswith(f"/s/{token}/opened")) as beacon:
        page.locator("input[name=signer_name]").focus()
    assert beacon.value.status == 204
    assert opened_at(invitation.id) is not None
