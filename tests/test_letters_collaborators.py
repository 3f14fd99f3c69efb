"""Collaborators: everyone gets a single-use emailed link and joins only by accepting it,
choosing which of their organizations (if any) appears as co-lead; they can leave."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.errors import Refused
from app.extensions import db
from app.letters import collaborators
from app.mail.worker import send_due
from app.models import AuditEvent, Collaborator, CollaboratorRole, Membership, OutboxMessage, Role
from tests.conftest import login, post_form
from tests.letters_support import actor_for, add_collaborator, make_letter


@pytest.fixture
def lead(make):
    admin = make.user("lead@river.example", name="Lena Lead")
    admin.organizations[0].name = "River Guides Alliance"
    db.session.commit()
    return admin


def deliver(app) -> None:
    with app.app_context():
        send_due(worker_id="test")


def _link(email: str) -> str:
    messages = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.to_addr == email)
    ).all()
    return re.search(r"http://testserver\.localhost(/letters/join/\S+)", messages[-1].text_body)[1]


@pytest.mark.smtp
def test_an_existing_account_is_invited_and_shows_nothing_until_it_accepts(
    lead, make, app, client, smtp_server
):
    # The attack: add someone with an account, and their organizations (a private one too)
    # appeared at once as co-leads in the letterhead, the sign page and the exports.
    partner = make.user("ana@partner.example", name="Ana Partner")
    partner.organizations[0].name = "Coastal Rights Network"
    private = make.organization("Quiet Shelter Collective")
    db.session.add(Membership(user=partner, organization=private, role=Role.member))
    letter = make_letter(lead, status="open")
    letter.open_link, letter.show_co_leads = True, True
    db.session.commit()
    login(client, "lead@river.example")
    added = post_form(
        client, f"/letters/{letter.slug}/collaborators",
        {"email": "Ana@Partner.example", "role": "editor"}, follow_redirects=True,
    )  # fmt: skip
    assert "We emailed an invitation to ana@partner.example." in added.get_data(as_text=True)

    deliver(app)
    (message,) = smtp_server.wait_for(1)
    assert message.to == "ana@partner.example"
    assert message.subject == f"You can now help edit “{letter.title}”"
    assert message.message["Reply-To"] == "lead@river.example"
    assert "Lena Lead of River Guides Alliance invites you to help edit" in message.text
    link = re.search(r"http://testserver\.localhost(/letters/join/\S+)", message.text)[1]

    def shown_anywhere(name: str) -> bool:
        pages = [
            client.get(f"/letters/{letter.slug}/preview"),
            client.get(f"/letters/{letter.slug}/collaborators"),
            client.get(f"/letters/{letter.slug}/export.md"),
            client.get(f"/letters/{letter.slug}/export.json"),
            app.test_client().get(f"/l/{letter.slug}/sign"),
        ]
        assert all(p.status_code == 200 for p in pages), [p.status_code for p in pages]
        return any(name in p.get_data(as_text=True) for p in pages)

    partner_client = app.test_client()
    login(partner_client, "ana@partner.example")
    assert not shown_anywhere("Coastal Rights Network")
    assert not shown_anywhere("Quiet Shelter Collective")
    assert partner_client.get(f"/letters/{letter.slug}/edit").status_code == 404
    assert collaborators.co_lead_organizations(letter) == []

    # Opening the link changes nothing; accepting is a POST, with a choice of organization.
    page = partner_client.get(link).get_data(as_text=True)
    assert "Coastal Rights Network" in page and "Quiet Shelter Collective" in page
    assert "None: do not name any of my organizations" in page
    assert partner_client.get(f"/letters/{letter.slug}/edit").status_code == 404
    accepted = post_form(
        partner_client, link, {"co_lead": str(partner.organizations[0].id)},
        follow_redirects=True,
    )  # fmt: skip
    assert "You have joined the letter." in accepted.get_data(as_text=True)
    assert partner_client.get(f"/letters/{letter.slug}/edit").status_code == 200
    preview = partner_client.get(f"/letters/{letter.slug}/preview").get_data(as_text=True)
    assert re.search(
        r"River Guides Alliance</span>\s*<span class=\"letterhead-org\">Coastal Rights Network",
        preview,
    )
    assert shown_anywhere("Coastal Rights Network")
    assert not shown_anywhere("Quiet Shelter Collective")  # not chosen: never shown


def test_an_editor_may_name_no_organization_and_may_not_name_another(lead, make, app):
    partner = make.user("ana@partner.example")
    stranger_org = make.organization("Someone Else's Org")
    letter = make_letter(lead)
    collaborators.add_collaborator(
        letter, email=partner.email, role=CollaboratorRole.editor, actor=actor_for(lead)
    )
    db.session.commit()
    raw = _link(partner.email).split("/")[-1]
    with pytest.raises(Refused, match="your own organizations"):
        collaborators.accept_invitation(
            raw, user=partner, actor=actor_for(partner), co_lead_organization_id=stranger_org.id
        )
    with pytest.raises(Refused, match="your own organizations"):
        collaborators.accept_invitation(
            raw, user=partner, actor=actor_for(partner),
            co_lead_organization_id=lead.organizations[0].id,
        )  # fmt: skip
    collaborators.accept_invitation(raw, user=partner, actor=actor_for(partner))
    db.session.commit()
    assert collaborators.co_lead_organizations(letter) == []
    assert db.session.scalars(sa.select(Collaborator)).one().joined


def test_an_unverified_account_cannot_accept(lead, make):
    letter = make_letter(lead)
    squatter = make.user("squatter@partner.example", verified=False)
    collaborators.add_collaborator(
        letter, email=squatter.email, role=CollaboratorRole.editor, actor=actor_for(lead)
    )
    db.session.commit()
    raw = _link(squatter.email).split("/")[-1]
    with pytest.raises(Refused, match="Confirm your email address first"):
        collaborators.accept_invitation(raw, user=squatter, actor=actor_for(squatter))
    assert db.session.scalars(sa.select(Collaborator)).one().user_id is None


def test_a_collaborator_can_leave_and_their_organization_goes_with_them(lead, make, app):
    partner = make.user("ana@partner.example")
    partner.organizations[0].name = "Coastal Rights Network"
    letter = make_letter(lead)
    letter.show_co_leads = True
    db.session.commit()
    add_collaborator(letter, partner, "editor", co_lead=partner.organizations[0])
    assert [o.name for o in collaborators.co_lead_organizations(letter)] == [
        "Coastal Rights Network"
    ]
    partner_client = app.test_client()
    login(partner_client, "ana@partner.example")
    overview = partner_client.get(f"/letters/{letter.slug}").get_data(as_text=True)
    assert "Leave this letter" in overview
    left = post_form(
        partner_client, f"/letters/{letter.slug}/leave", {},
        token_from=f"/letters/{letter.slug}", follow_redirects=True,
    )  # fmt: skip
    assert f"You have left “{letter.title}”." in left.get_data(as_text=True)
    assert partner_client.get(f"/letters/{letter.slug}").status_code == 404
    assert collaborators.co_lead_organizations(letter) == []
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "letter.collaborator_left")
    ).one()
    assert event.actor_user_id == partner.id


def test_adding_says_the_same_whether_or_not_the_address_has_an_account(lead, make, client):
    """Enumeration: the flash, the number and kind of emails, and the work done (the SQL
    statements run) are the same for a registered and an unknown address."""
    make.user("known@partner.example")
    letter = make_letter(lead)
    login(client, "lead@river.example")
    answers = {}
    for email in ("known@partner.example", "unknown@partner.example"):
        statements: list[str] = []

        def count(conn, cursor, statement, *args, seen=statements):
            seen.append(statement.split()[0])

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            page = post_form(
                client, f"/letters/{letter.slug}/collaborators",
                {"email": email, "role": "editor"}, follow_redirects=True,
            ).get_data(as_text=True)  # fmt: skip
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        flash = re.search(r"We emailed an invitation to [^<]*", page)[0]
        kinds = db.session.scalars(
            sa.select(OutboxMessage.kind).where(OutboxMessage.to_addr == email)
        ).all()
        answers[email] = (flash.replace(email, "X"), kinds, statements)
    known, unknown = answers.values()
    assert known[0] == unknown[0] == "We emailed an invitation to X."
    assert known[1] == unknown[1] == ["letter_collaborator_invited"]
    assert known[2] == unknown[2]


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
    added = add_collaborator(letter, partner, "editor")
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
