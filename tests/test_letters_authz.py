"""Every drafting route, walked as anonymous, an outsider, a viewer, an editor and the lead.

Outsiders get 404 (an unpublished letter does not exist for them); viewers read but get 403
on changes; editors change the text but not settings, people or the lifecycle; the lead
organization's admins and members may do everything.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.letters import recipients
from app.models import Collaborator, CollaboratorRole, LetterVersion
from tests.conftest import login, post_form
from tests.letters_support import READY, add_collaborator, make_letter, text_form

READS = ["", "/versions", "/versions/compare?from=1&to=2", "/versions/1", "/preview"]
LEAD_PAGES = ["/settings", "/collaborators", "/finalize"]
ROLES = ["anonymous", "outsider", "viewer", "editor", "admin", "member"]


def expected_get(role: str, page: str) -> int:
    if role == "anonymous":
        return 302
    if role == "outsider":
        return 404
    if page in READS:
        return 200
    if page == "/edit":
        return 200 if role in ("editor", "admin", "member") else 403
    return 200 if role in ("admin", "member") else 403


def posts(slug: str, latest: int, pending_id: int) -> list[tuple[str, dict, dict[str, int]]]:
    """(path, form, expected status for each role that may see the letter)."""
    base = f"/letters/{slug}"
    editor_ok = {"viewer": 403, "editor": 302, "admin": 302, "member": 302}
    lead_ok = {"viewer": 403, "editor": 403, "admin": 302, "member": 302}
    return [
        (f"{base}/edit", text_form(READY, latest, body="Changed."), editor_ok),
        (
            f"{base}/edit/preview",
            {"body": "*hi*"},
            {**editor_ok, "editor": 200, "admin": 200, "member": 200},
        ),
        (f"{base}/versions/1/restore", {"base_version": "LATEST"}, editor_ok),
        (f"{base}/settings", {"title": "Renamed"}, lead_ok),
        (f"{base}/collaborators", {"email": "new@partner.example", "role": "viewer"}, lead_ok),
        (f"{base}/collaborators/{pending_id}/remove", {}, lead_ok),
        (f"{base}/status/open", {}, lead_ok),
        (f"{base}/status/close", {}, lead_ok),
        (f"{base}/finalize", {"confirm": "y"}, lead_ok),
    ]


@pytest.fixture
def world(make):
    """A draft letter of the lead organization, with a viewer, an editor and an outsider."""
    admin = make.user("admin@lead.example", name="Ada Admin")
    lead_org = admin.organizations[0]
    make.user("member@lead.example", organization=lead_org, role="member")
    make.user("outsider@other.example")
    viewer = make.user("viewer@partner.example")
    editor = make.user("editor@partner.example")
    letter = make_letter(admin)
    add_collaborator(letter, viewer, "viewer")
    add_collaborator(letter, editor, "editor")
    pending = Collaborator(
        letter_id=letter.id, email="pending@x.example", role=CollaboratorRole.viewer
    )
    db.session.add(pending)
    db.session.commit()
    entry = recipients.book_entries(lead_org.id)[0]
    return {"letter": letter, "pending": pending.id, "entry": entry.id}


def latest_number(letter_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.max(LetterVersion.number)).where(LetterVersion.letter_id == letter_id)
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_drafting_route(role, world, client):
    letter = world["letter"]
    slug = letter.slug
    if role != "anonymous":
        email = {"outsider": "outsider@other.example"}.get(role, f"{role}@lead.example")
        if role in ("viewer", "editor"):
            email = f"{role}@partner.example"
        assert login(client, email).status_code == 302

    for page in [*READS, "/edit", *LEAD_PAGES]:
        response = client.get(f"/letters/{slug}{page}")
        assert response.status_code == expected_get(role, page), (role, page)
        if response.status_code == 302:
            assert "/auth/login" in response.headers["Location"]

    token_page = "/auth/login" if role == "anonymous" else "/letters/"
    for path, data, expected in posts(slug, latest_number(letter.id), world["pending"]):
        if data.get("base_version") == "LATEST":
            data = {"base_version": str(latest_number(letter.id))}
        response = post_form(client, path, data, token_from=token_page)
        want = {"anonymous": 302, "outsider": 404}.get(role) or expected[role]
        if role in ("admin", "member") and path.endswith("/finalize"):
            want = 409  # allowed to try, but the letter is open, not closed: refused with a message
        assert response.status_code == want, (role, path, response.status_code)
        if role == "anonymous":
            assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_new_and_recipient_book(role, world, client):
    if role != "anonymous":
        email = {"outsider": "outsider@other.example", "viewer": "viewer@partner.example",
                 "editor": "editor@partner.example"}.get(role, f"{role}@lead.example")  # fmt: skip
        login(client, email)
    entry = world["entry"]
    for path in ["/letters/", "/letters/new", "/letters/book"]:
        expected = 302 if role == "anonymous" else 200
        assert client.get(path).status_code == expected, (role, path)
    own_book = role in ("admin", "member")
    edit = client.get(f"/letters/book/{entry}/edit")
    assert edit.status_code == {"anonymous": 302}.get(role, 200 if own_book else 404)
    token_page = "/auth/login" if role == "anonymous" else "/letters/"
    delete = post_form(client, f"/letters/book/{entry}/delete", {}, token_from=token_page)
    assert delete.status_code == {"anonymous": 302}.get(role, 302 if own_book else 404)


def test_the_dashboard_lists_only_letters_the_user_may_see(world, client):
    letter = world["letter"]
    login(client, "outsider@other.example")
    assert letter.title not in client.get("/letters/").get_data(as_text=True)
    viewer = client.application.test_client()
    login(viewer, "viewer@partner.example")
    assert letter.title in viewer.get("/letters/").get_data(as_text=True)
