"""Collaborators: existing accounts join at once, others through a single-use emailed link;
co-lead organizations appear in the letterhead."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.errors import Refused
from app.extensions import db
from app.letters import collaborators
from app.mail.worker import send_due
from app.models import AuditEvent, Collaborator, CollaboratorRole, OutboxMessage
from tests.conftest import login, post_form
from tests.letters_support import actor_for, make_letter


@pytest.fixture
def lead(make):
    admin = make.user("lead@river.example", name="Lena Lead")
    admin.organizations[0].name = "River Guides Alliance"
    db.session.commit()
    return admin


def deliver(app) -> None:
    with app.app_context():
        send_due(worker_id="test")


@pytest.mark.smtp
def test_an_existing_account_joins_at_once_and_is_told_by_email(
    lead, make, app, client, smtp_server
):
    partner = make.user("ana@partner.example", name="Ana Partner")
    partner.organizations[0].name = "Coastal Rights Network"
    db.session.commit()
    letter = make_letter(lead)
    login(client, "lead@river.example")
    added = post_form(
        client, f"/letters/{letter.slug}/collaborators",
        {"email": "Ana@Partner.example", "role": "editor"}, follow_redirects=True,
    )  # fmt: skip
    page = added.get_data(as_text=True)
    assert "ana@partner.example can now work on this letter" in page
    assert "Coastal Rights Network" in page  # listed as a co-lead

    deliver(app)
    (message,) = smtp_server.wait_for(1)
    assert message.to == "ana@partner.example"
    assert message.subject == f"You can now help edit “{letter.title}”"
    assert message.message["Reply-To"] == "lead@river.example"
    assert f"http://testserver.localhost/letters/{letter.slug}" in message.text
    assert "Lena Lead of River Guides Alliance has added you as an editor" in message.text
    assert f'href="http://testserver.localhost/letters/{letter.slug}"' in message.html

    partner_client = app.test_client()
    login(partner_client, "ana@partner.example")
    assert partner_client.get(f"/letters/{letter.slug}/edit").status_code == 200
    preview = partner_client.get(f"/letters/{letter.slug}/preview").get_data(as_text=True)
    assert re.search(
        r"River Guides Alliance</span>\s*<span class=\"letterhead-org\">Coastal Rights Network",
        preview,
    )


def test_a_new_address_gets_a_single_use_link_that_works_after_registering(lead, make, app, client):
    letter = make_letter(lead)
    login(client, "lead@river.example")
    post_form(
        client,
        f"/letters/{letter.slug}/collaborators",
        {"email": "new@partner.example", "role": "viewer"},
    )
    message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert message.kind == "letter_collaborator_invited"
    assert message.subject == f"You can now read “{letter.title}”"
    link = re.search(r"http://testserver\.localhost(/letters/join/\S+)", message.text_body).group(1)
    assert "The link works once and for 14 days" in message.text_body
    pending = db.session.scalars(sa.select(Collaborator)).one()
    assert (
        pending.user_id is None
        and pending.token_hash
        and link.split("/")[-1] not in pending.token_hash
    )

    newcomer = app.test_client()
    first_look = newcomer.get(link).get_data(as_text=True)
    assert "log in" in first_look and "/auth/register?next=" in first_look
    assert newcomer.get(f"/letters/{letter.slug}").status_code == 302  # not yet a member

    make.user("new@partner.example", name="Nico Newcomer")  # registered and verified meanwhile
    login(newcomer, "new@partner.example")
    assert "Join the letter as viewer" in newcomer.get(link).get_data(as_text=True)
    joined = post_form(newcomer, link, {}, follow_redirects=True)
    assert "You have joined the letter." in joined.get_data(as_text=True)
    assert newcomer.get(f"/letters/{letter.slug}").status_code == 200
    assert newcomer.get(f"/letters/{letter.slug}/edit").status_code == 403  # a viewer

    again = post_form(
        newcomer, link, {}, token_from=f"/letters/{letter.slug}", follow_redirects=True
    )
    assert "no longer valid" in again.get_data(as_text=True)
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(AuditEvent.action == "letter.collaborator_joined")
        )
        == 1
    )


def test_the_link_only_works_for_the_invited_address(lead, make, app):
    letter = make_letter(lead)
    collaborators.add_collaborator(
        letter, email="invited@partner.example", role=CollaboratorRole.editor, actor=actor_for(lead)
    )
    db.session.commit()
    raw = re.search(
        r"/letters/join/(\S+)", db.session.scalars(sa.select(OutboxMessage)).one().text_body
    ).group(1)
    someone = make.user("someone@else.example")
    with pytest.raises(Refused, match="was sent to invited@partner.example"):
        collaborators.accept_invitation(raw, user=someone, actor=actor_for(someone))


def test_an_unverified_account_is_not_added_without_the_link(lead, make):
    letter = make_letter(lead)
    make.user("squatter@partner.example", verified=False)
    added = collaborators.add_collaborator(
        letter,
        email="squatter@partner.example",
        role=CollaboratorRole.editor,
        actor=actor_for(lead),
    )
    assert added.user_id is None and added.token_hash is not None


def test_lead_staff_are_not_added_as_collaborators(lead, make):
    letter = make_letter(lead)
    make.user("colleague@river.example", organization=lead.organizations[0], role="member")
    with pytest.raises(Refused, match="can already edit"):
        collaborators.add_collaborator(
            letter,
            email="colleague@river.example",
            role=CollaboratorRole.viewer,
            actor=actor_for(lead),
        )


def test_removing_a_collaborator_ends_their_access(lead, make, app, client):
    partner = make.user("ana@partner.example")
    letter = make_letter(lead)
    added = collaborators.add_collaborator(
        letter, email=partner.email, role=CollaboratorRole.editor, actor=actor_for(lead)
    )
    db.session.commit()
    login(client, "lead@river.example")
    removed = post_form(
        client, f"/letters/{letter.slug}/collaborators/{added.id}/remove", {},
        token_from=f"/letters/{letter.slug}/collaborators", follow_redirects=True,
    )  # fmt: skip
    assert "Removed." in removed.get_data(as_text=True)
    partner_client = app.test_client()
    login(partner_client, "ana@partner.example")
    assert partner_client.get(f"/letters/{letter.slug}").status_code == 404


def test_an_unknown_or_expired_link_is_a_clear_404(client):
    response = client.get("/letters/join/not-a-real-token")
    assert response.status_code == 404
    assert "This invitation is no longer valid" in response.get_data(as_text=True)
