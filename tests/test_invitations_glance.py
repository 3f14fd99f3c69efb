"""At a glance: the funnel, the server-drawn chart of sign-ons per day, and the demo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import render_template_string

from app.extensions import db
from app.invitations.demo import create_demo_invitations
from app.invitations.glance import chart, funnel
from app.models import Invitation, InvitationStatus, Letter, PartnerContact, PartnerGroup
from tests.conftest import login
from tests.support.invitation_factories import invite, make_signature, open_letter, set_status


@pytest.fixture
def lead(make):
    return make.user("amara@budgets.example.org", name="Amara Okafor")


def test_funnel_counts_invited_opened_signed_declined(lead):
    letter = open_letter(lead)
    a, b, c, d, e = invite(letter, lead, *(f"p{n}@delta.example.org" for n in range(5)))
    now = datetime.now(UTC)
    set_status(a, "opened", opened_at=now)
    set_status(b, "signed", opened_at=now)
    set_status(c, "declined", opened_at=now)
    set_status(d, "withdrawn", opened_at=now)
    f = funnel(letter)
    assert (f.invited, f.opened, f["signed"], f["declined"], f["queued"]) == (4, 3, 1, 1, 1)
    assert f.share(f.opened) == 75


def test_chart_counts_sign_ons_per_local_day_against_the_deadline(lead):
    deadline = datetime(2030, 6, 12, 3, 0, tzinfo=UTC)  # June 11, 11 pm in New York
    letter = open_letter(lead, deadline=deadline, time_zone="America/New_York")
    letter.opened_at = datetime(2030, 6, 1, 12, tzinfo=UTC)
    db.session.commit()
    # 02:00 UTC on June 5 is still June 4 in New York.
    for moment in (datetime(2030, 6, 5, 2, tzinfo=UTC), datetime(2030, 6, 4, 15, tzinfo=UTC)):
        make_signature(letter, f"s{moment.hour}@delta.example.org", created_at=moment)
    make_signature(
        letter, "late@delta.example.org", created_at=datetime(2030, 6, 8, 15, tzinfo=UTC)
    )
    make_signature(letter, "nope@delta.example.org", status="unverified",
                   created_at=datetime(2030, 6, 8, 16, tzinfo=UTC))  # fmt: skip
    result = chart(letter, now=datetime(2030, 6, 9, 12, tzinfo=UTC))
    counts = {bar.day.isoformat(): bar.count for bar in result.bars if bar.count}
    assert counts == {"2030-06-04": 2, "2030-06-08": 1}
    assert result.total == 3 and result.peak == 2
    assert result.bars[0].day.isoformat() == "2030-06-01"
    assert result.bars[-1].day.isoformat() == "2030-06-11"
    assert result.deadline_label == "Deadline Jun 11"
    assert result.deadline_x == pytest.approx(result.right_edge)
    assert "3 confirmed sign-ons from June 1 to June 11; the most on June 4 (2)" in result.summary


def test_chart_as_an_image_and_inside_the_overview_partial(app, client, lead):
    letter = open_letter(lead, deadline=datetime.now(UTC) + timedelta(days=3))
    make_signature(letter, "one@delta.example.org")
    login(client, lead.email)
    response = client.get(f"/letters/{letter.slug}/sign-ons.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.lstrip().startswith("<svg") and "<title" in svg and "Deadline" in svg
    assert "style=" not in svg and "<script" not in svg

    with app.test_request_context():
        html = render_template_string(
            '{% include "invitations/_at_a_glance.html" %}',
            letter=db.session.get(Letter, letter.id),
        )
    assert "Sign-on at a glance" in html and "<svg" in html and "1 confirmed sign-on from" in html


def test_demo_builds_invitations_in_every_state_once(lead):
    organization = lead.organizations[0]
    create_demo_invitations(organization, lead)
    db.session.commit()
    create_demo_invitations(organization, lead)
    db.session.commit()
    letter = db.session.scalar(
        sa.select(Letter).where(Letter.slug.in_(("demo-open", "demo-invitations")))
    )
    states = set(
        db.session.scalars(sa.select(Invitation.status).where(Invitation.letter_id == letter.id))
    )
    # "held" is only for a letter not open yet (a follow-up draft, app.invitations.held).
    assert states == set(InvitationStatus) - {InvitationStatus.held}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 9
    contacts = db.session.scalars(sa.select(PartnerContact)).all()
    assert any(c.removed_at for c in contacts) and any(c.merged_into_id for c in contacts)
    [group] = db.session.scalars(sa.select(PartnerGroup)).all()
    assert len(group.contacts) == 4
