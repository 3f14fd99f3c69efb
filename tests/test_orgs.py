"""Organizations: an admin invites a colleague by email; roles decide who may."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.mail.worker import send_due
from app.models import Membership
from tests.conftest import login, post_form
from tests.test_auth import link_in, relative


@pytest.mark.smtp
def test_admin_invites_a_colleague_who_joins_with_a_button(make, app, client, smtp_server):
    admin = make.user("admin@lead.example", name="Nadia Admin")
    org_id = admin.memberships[0].organization_id
    make.user("colleague@lead.example", name="Carlos Colleague")
    login(client, "admin@lead.example")
    sent = post_form(
        client,
        f"/orgs/{org_id}/invite",
        {"email": "Colleague@Lead.example", "role": "member"},
        token_from="/orgs/",
    )
    assert sent.status_code == 302
    with app.app_context():
        send_due(worker_id="test")
    (message,) = smtp_server.wait_for(1)
    assert message.to == "colleague@lead.example"
    assert message.message["Reply-To"] == "admin@lead.example"
    url = relative(link_in(message.text, "/orgs/join/"))

    colleague = app.test_client()
    anonymous_page = colleague.get(url).get_data(as_text=True)
    assert "log in" in anonymous_page
    login(colleague, "colleague@lead.example")
    page = colleague.get(url)
    assert "Join" in page.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Membership)
                .where(Membership.organization_id == org_id)
            )
            == 1
        )
    joined = post_form(colleague, url, {})
    assert joined.status_code == 302
    with app.app_context():
        roles = (
            db.session.execute(
                sa.select(Membership.role).where(Membership.organization_id == org_id)
            )
            .scalars()
            .all()
        )
        assert sorted(r.value for r in roles) == ["admin", "member"]
    assert colleague.get(url).status_code == 400  # spent


def test_only_admins_invite_and_outsiders_see_nothing(make, app):
    admin = make.user("admin@lead.example")
    org = admin.memberships[0].organization
    make.user("member@lead.example", organization=org, role="member")
    make.user("outsider@other.example")
    member, outsider = app.test_client(), app.test_client()
    login(member, "member@lead.example")
    login(outsider, "outsider@other.example")
    data = {"email": "new@lead.example", "role": "admin"}
    assert post_form(member, f"/orgs/{org.id}/invite", data, token_from="/orgs/").status_code == 403
    assert (
        post_form(outsider, f"/orgs/{org.id}/invite", data, token_from="/orgs/").status_code == 404
    )
    assert org.name not in outsider.get("/orgs/").get_data(as_text=True)


def test_inviting_an_existing_member_says_so(make, client):
    admin = make.user("admin@lead.example")
    org_id = admin.memberships[0].organization_id
    login(client, "admin@lead.example")
    response = post_form(
        client,
        f"/orgs/{org_id}/invite",
        {"email": "admin@lead.example", "role": "member"},
        token_from="/orgs/",
        follow_redirects=True,
    )
    assert "already a member" in response.get_data(as_text=True)


def test_the_last_admin_cannot_be_removed(make, app, client):
    admin = make.user("admin@lead.example")
    org = admin.memberships[0].organization
    member = make.user("member@lead.example", organization=org, role="member")
    login(client, "admin@lead.example")
    member_row = next(m for m in member.memberships)
    removed = post_form(
        client, f"/orgs/{org.id}/members/{member_row.id}/remove", {}, token_from="/orgs/"
    )
    assert removed.status_code == 302
    with app.app_context():
        left = (
            db.session.execute(sa.select(Membership).where(Membership.organization_id == org.id))
            .scalars()
            .all()
        )
        assert [m.user.email for m in left] == ["admin@lead.example"]
