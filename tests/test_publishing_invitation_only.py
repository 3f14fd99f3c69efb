"""An invitation-only letter is invisible to strangers until it is published: its guessable
slug gives nothing through the API, the sign pages or the count badge; and public pages
name the lead organization, never a staff member's name or address."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.letters.operations import latest_version
from tests.conftest import post_form
from tests.support.invitation_factories import days_from_now, invite, open_letter, token_of
from tests.support.publishing_factories import add_signature, advance

TITLE = "Quiet plea for the river guides"


@pytest.fixture
def lead(make):
    return make.user("amara@budgets.example.org", name="Amara Okafor")


def stranger_routes(slug: str) -> list[str]:
    return [
        f"/api/v1/letters/{slug}",
        f"/l/{slug}/count.svg",
        f"/l/{slug}/sign",
        f"/l/{slug}/sign/individual",
        f"/l/{slug}/sign/resend",
        f"/l/{slug}",
    ]


def test_a_stranger_guessing_the_slug_learns_nothing_until_publication(lead, client):
    letter = open_letter(lead, title=TITLE, deadline=days_from_now(9))
    add_signature(letter, "Alpha Org")
    [invitation] = invite(letter, lead, "maria@delta.example.org")
    assert not letter.open_link
    for path in stranger_routes(letter.slug):
        response = client.get(path)
        text = response.get_data(as_text=True)
        assert response.status_code == 404, path
        assert TITLE not in text and "Amara" not in text and "amara@" not in text, path

    # The invited partner's own link still shows the letter.
    page = client.get(f"/s/{token_of(invitation)}")
    assert page.status_code == 200 and TITLE in page.get_data(as_text=True)

    advance(letter, lead, "published-open")
    assert client.get(f"/api/v1/letters/{letter.slug}").get_json()["title"] == TITLE
    assert client.get(f"/l/{letter.slug}/count.svg").status_code == 200
    sign = client.get(f"/l/{letter.slug}/sign").get_data(as_text=True)
    assert "signed by invitation only" in sign
    assert f"please contact {letter.organization.name}" in sign
    assert "Amara Okafor" not in sign and "(amara@" not in sign


def test_with_the_open_link_on_the_letter_is_public_while_open(lead, client):
    letter = open_letter(lead, title=TITLE)
    letter.open_link = True
    db.session.commit()
    assert client.get(f"/api/v1/letters/{letter.slug}").status_code == 200
    assert client.get(f"/l/{letter.slug}/sign").status_code == 200
    assert client.get(f"/l/{letter.slug}").status_code == 404  # the letter page: once published


def test_closed_and_decline_pages_name_the_organization_not_its_staff(lead, client):
    letter = open_letter(lead, title=TITLE, deadline=days_from_now(3))
    letter.open_link = True
    letter.organization.website = "https://budgets.example.org"
    [invitation] = invite(letter, lead, "maria@delta.example.org")
    letter.deadline_at = days_from_now(-1)
    db.session.commit()
    token = token_of(invitation)
    for path in (f"/l/{letter.slug}/sign", f"/s/{token}", f"/s/{token}/decline"):
        text = client.get(path).get_data(as_text=True)
        assert f"{letter.organization.name} (https://budgets.example.org)" in text, path
        assert "Amara Okafor" not in text and "(amara@" not in text, path


def test_an_invited_signer_using_another_address_is_not_sent_to_a_hidden_page(lead, client):
    letter = open_letter(lead, title=TITLE)
    [invitation] = invite(letter, lead, "maria@delta.example.org")
    token = token_of(invitation)
    page = post_form(
        client, f"/s/{token}",
        {"organization_name": "Delta Friends", "signer_name": "Maria", "country": "Norland",
         "email": "maria.private@elsewhere.example.org", "authorized": "y",
         "version": str(latest_version(letter).number)},
    ).get_data(as_text=True)  # fmt: skip
    assert "Check your email" in page or "We sent a message" in page
    assert f"/l/{letter.slug}/sign/resend" not in page
    assert "open your invitation link again" in page
