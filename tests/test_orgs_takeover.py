"""Issue 12, finding 3: a colleague invitation joins only the account it was sent to."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Membership, OutboxMessage
from tests.conftest import login, post_form
from tests.test_auth import link_in, relative


def _members(app, org_id: int) -> dict[str, str]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(Membership).where(Membership.organization_id == org_id)
        ).scalars()
        return {m.user.email: m.role.value for m in rows}


def _invite(app, client, org_id: int, email: str, role: str) -> str:
    sent = post_form(
        client, f"/orgs/{org_id}/invite", {"email": email, "role": role}, token_from="/orgs/"
    )
    assert sent.status_code == 302
    with app.app_context():
        body = db.session.scalars(
            sa.select(OutboxMessage.text_body).where(OutboxMessage.to_addr == email)
        ).one()
    return relative(link_in(body, "/orgs/join/"))


def test_an_admin_invitation_cannot_be_accepted_by_another_account(make, app):
    admin = make.user("nadia@lead.example", name="Nadia Admin")
    org_id = admin.memberships[0].organization_id
    make.user("mallory@elsewhere.example", name="Mallory")
    make.user("alice@lead.example", name="Alice")
    nadia = app.test_client()
    login(nadia, "nadia@lead.example")
    url = _invite(app, nadia, org_id, "alice@lead.example", "admin")

    # Mallory got hold of the link (forwarded, shoulder-surfed) and is logged in as herself.
    mallory = app.test_client()
    login(mallory, "mallory@elsewhere.example")
    page = mallory.get(url).get_data(as_text=True)
    assert "This invitation was sent to alice@lead.example" in page
    assert "logged in as mallory@elsewhere.example" in page
    assert "log in with the invited address" in page
    assert '<button type="submit">Join' not in page
    refused = post_form(mallory, url, {})
    assert refused.status_code == 403
    assert "This invitation was sent to alice@lead.example" in refused.get_data(as_text=True)
    assert _members(app, org_id) == {"nadia@lead.example": "admin"}

    # So she cannot remove the admin either: the organization is not hers to see.
    with app.app_context():
        nadia_row = db.session.scalar(
            sa.select(Membership.id).where(Membership.organization_id == org_id)
        )
    removed = post_form(
        mallory, f"/orgs/{org_id}/members/{nadia_row}/remove", {}, token_from="/orgs/"
    )
    assert removed.status_code == 404
    assert _members(app, org_id) == {"nadia@lead.example": "admin"}

    # The link still works for the person it was sent to.
    alice = app.test_client()
    login(alice, "alice@lead.example")
    assert post_form(alice, url, {}).status_code == 302
    assert _members(app, org_id) == {"nadia@lead.example": "admin", "alice@lead.example": "admin"}


def test_an_unverified_account_with_the_invited_address_cannot_join(make, app):
    from app.orgs.operations import wrong_account

    admin = make.user("nadia@lead.example")
    org_id = admin.memberships[0].organization_id
    pending = make.user("bea@lead.example", verified=False)
    nadia = app.test_client()
    login(nadia, "nadia@lead.example")
    _invite(app, nadia, org_id, "bea@lead.example", "member")
    with app.app_context():
        from app.models import ColleagueInvitation

        invitation = db.session.scalars(sa.select(ColleagueInvitation)).one()
        user = db.session.merge(pending)
        assert "Confirm your address bea@lead.example first" in wrong_account(invitation, user)
