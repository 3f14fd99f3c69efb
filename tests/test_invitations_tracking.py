"""Following an invitation: its link opened, signed, declined (a page, then a button), and
the deadline closing sign-on with no command run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.invitations import tracking
from app.invitations.deadline import lead_contact, signing_closed
from app.models import AuditEvent, InvitationStatus, LetterStatus, utcnow
from tests.conftest import post_form
from tests.support.invitation_factories import (
    invite,
    make_signature,
    open_letter,
    set_status,
    token_of,
)

S = InvitationStatus


@pytest.fixture
def lead(make):
    return make.user("amara@budgets.example.org", name="Amara Okafor")


@pytest.fixture
def letter(lead):
    return open_letter(lead, title="Open the port accounts")


def test_find_by_token_knows_first_and_later_links_and_nothing_else(lead, letter):
    [inv] = invite(letter, lead, "Delta <maria@delta.example.org>")
    first = token_of(inv)
    assert tracking.find_by_token(first).id == inv.id
    assert tracking.find_by_token(first[:-1]) is None
    assert tracking.find_by_token("") is None
    assert tracking.find_by_token("x" * 500) is None


def test_mark_opened_then_signed_once_each(lead, letter):
    [inv] = invite(letter, lead, "maria@delta.example.org")
    set_status(inv, "sent")
    now = utcnow()
    assert tracking.mark_opened(inv, now) is True
    assert tracking.mark_opened(inv, now + timedelta(hours=1)) is False
    assert inv.status is S.opened and inv.opened_at == now
    signature = make_signature(letter, "maria@delta.example.org", invitation=inv)
    assert tracking.mark_signed(inv, signature, now) is True
    assert tracking.mark_signed(inv, signature, now) is False
    db.session.commit()
    assert inv.status is S.signed and inv.answered_at == now
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.object_type == "invitations")
    ).all()
    assert actions.count("invitation.opened") == 1
    assert actions.count("invitation.signed") == 1


def test_a_withdrawn_invitation_link_says_so(lead, letter):
    [inv] = invite(letter, lead, "maria@delta.example.org")
    set_status(inv, "withdrawn")
    assert "withdrawn" in tracking.link_refusal(inv)


def test_decline_page_changes_nothing_until_the_button(client, lead, letter):
    [inv] = invite(letter, lead, "Delta <maria@delta.example.org>")
    set_status(inv, "sent")
    token = token_of(inv)
    page = client.get(f"/s/{token}/decline")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "Decline the invitation" in page.get_data(as_text=True)
    db.session.refresh(inv)
    assert inv.status is S.sent  # a scanner following the link changes nothing

    response = post_form(client, f"/s/{token}/decline", {"reason": "Our board meets too late."})
    assert "Thank you for letting us know" in response.get_data(as_text=True)
    db.session.refresh(inv)
    assert inv.status is S.declined
    assert inv.decline_reason == "Our board meets too late."
    assert inv.answered_at is not None and inv.opened_at is not None

    again = client.get(f"/s/{token}/decline").get_data(as_text=True)
    assert "Thank you for letting us know" in again


def test_decline_link_unknown_or_after_signing(client, lead, letter):
    assert client.get("/s/not-a-real-token-at-all-1234567/decline").status_code == 404
    [inv] = invite(letter, lead, "maria@delta.example.org")
    set_status(inv, "signed")
    page = client.get(f"/s/{token_of(inv)}/decline").get_data(as_text=True)
    assert "You have already signed this letter" in page
    assert "Decline the invitation</button>" not in page


def test_signing_closed_after_the_deadline_in_the_letters_time_zone(lead):
    # 5 pm in New York on December 4 is 22:00 UTC.
    deadline = datetime(2026, 12, 4, 22, 0, tzinfo=UTC)
    letter = open_letter(lead, deadline=deadline, time_zone="America/New_York")
    assert signing_closed(letter, deadline - timedelta(seconds=1)) is None
    message = signing_closed(letter, deadline)
    assert "closed on Friday, December 4, 2026, 5:00 PM (America/New York)" in message
    # Public pages name the organization, never a staff member; emails still reply to her.
    assert message.endswith(f"please contact {letter.organization.name}.")
    assert "Amara Okafor" not in message
    assert lead_contact(letter).email == "amara@budgets.example.org"


def test_signing_closed_for_closed_and_draft_letters(lead, letter):
    letter.status = LetterStatus.closed
    assert "has closed" in signing_closed(letter, utcnow())
    letter.status = LetterStatus.draft
    assert "not open for sign-on" in signing_closed(letter, utcnow())
    db.session.rollback()


def test_decline_after_the_deadline_is_not_offered(client, lead):
    letter = open_letter(lead, deadline=utcnow() + timedelta(days=2))
    [inv] = invite(letter, lead, "maria@delta.example.org")
    letter.deadline_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(f"/s/{token_of(inv)}/decline").get_data(as_text=True)
    assert "Sign-on to “Free the river guides” closed on" in page
    assert "Decline the invitation</button>" not in page
