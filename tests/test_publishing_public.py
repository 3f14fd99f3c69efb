"""The public page, the count badge, the JSON API, and who may download what."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.letters.lifecycle import Transition
from app.models import CollaboratorRole
from tests.conftest import login
from tests.letters_support import add_collaborator, make_letter
from tests.support.publishing_factories import advance, letter_with


@pytest.fixture
def lead(make):
    return make.user("lead@example.org", name="Lena Lead")


def meta(html: str, key: str) -> str:
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', html)
    assert match, key
    return match.group(1)


def test_the_public_page_exists_only_once_published(lead, client):
    letter = letter_with(lead, ["Alpha Org", "Beta Org"], status="final", unnamed=["Quiet"])
    assert client.get(f"/l/{letter.slug}").status_code == 404
    assert client.get(f"/l/{letter.slug}/letter.pdf").status_code == 404
    advance(letter, lead, "published-open")  # publish
    response = client.get(f"/l/{letter.slug}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    intro = f"{letter.organization.name} and 3 organizations urge …"
    assert meta(html, "og:title") == letter.title and meta(html, "og:description") == intro
    assert meta(html, "og:url") == f"http://testserver.localhost/l/{letter.slug}"
    assert meta(html, "og:type") == "article" and meta(html, "twitter:card") == "summary"
    assert meta(html, "twitter:title") == letter.title
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert html.index("1. <bdi>Alpha Org</bdi>") < html.index("2. <bdi>Beta Org</bdi>")
    assert "and 1 organization that cannot be named for its safety" in html
    assert "Quiet" not in html and "@partners.example.org" not in html
    assert '<p class="date-line">' in html and intro in html
    pdf = client.get(f"/l/{letter.slug}/letter.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_a_published_open_letter_offers_the_sign_link(lead, client):
    letter = letter_with(lead, ["Alpha Org"], status="open")
    letter.open_link = True
    advance(letter, lead, "published-open")
    html = client.get(f"/l/{letter.slug}").get_data(as_text=True)
    assert f'href="/l/{letter.slug}/sign"' in html and "sign-on in progress" in html


def test_the_api_answers_past_draft_and_lists_once_published(lead, client):
    draft = make_letter(lead, title="Secret draft")
    assert client.get(f"/api/v1/letters/{draft.slug}").status_code == 404
    assert client.get(f"/l/{draft.slug}/count.svg").status_code == 404
    letter = letter_with(lead, ["Beta Org", "Alpha Org"], unnamed=["Quiet"],
                         individuals=[("Jane Roe", "Lab")])  # fmt: skip
    assert client.get(f"/api/v1/letters/{letter.slug}").status_code == 404  # invitation only
    letter.open_link = True
    db.session.commit()
    data = client.get(f"/api/v1/letters/{letter.slug}").get_json()
    assert data == {
        "title": letter.title, "slug": letter.slug, "status": "open", "deadline": None,
        "count": 4, "published": False,
    }  # fmt: skip
    advance(letter, lead, "published")
    response = client.get(f"/api/v1/letters/{letter.slug}")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    data = response.get_json()
    assert data["status"] == "final" and data["published"] is True and data["count"] == 4
    assert data["signatories"] == [
        {"number": 1, "name": "Alpha Org", "country": "Norland"},
        {"number": 2, "name": "Beta Org", "country": "Norland"},
    ]
    assert data["individuals"] == [{"name": "Jane Roe", "affiliation": "Lab", "country": "Norland"}]
    assert data["unnamed_organizations"] == 1 and len(data["content_hash"]) == 64


def test_the_count_badge_can_be_embedded_and_cached(lead, client):
    letter = letter_with(lead, ["Alpha Org", "Beta Org"], unnamed=["Quiet"])
    letter.open_link = True  # public before publication only through its open link
    db.session.commit()
    response = client.get(f"/l/{letter.slug}/count.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert "3 signatures" in svg and "<script" not in svg
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in policy and "default-src 'none'" in policy
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "max-age=300" in response.headers["Cache-Control"]
    again = client.get(
        f"/l/{letter.slug}/count.svg", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_anonymous_visitors_get_404_on_exports(lead, client):
    draft = make_letter(lead, title="Secret draft")
    final = letter_with(lead, ["Alpha Org"], status="published")
    for letter in (draft, final):
        for fmt in ("pdf", "docx", "html", "md", "txt", "csv", "json"):
            assert client.get(f"/letters/{letter.slug}/export.{fmt}").status_code == 404
        assert client.get(f"/letters/{letter.slug}/export.csv?lead=1").status_code == 404
    assert client.get(f"/letters/{draft.slug}/export.exe").status_code == 404


def test_a_viewer_exports_but_only_the_lead_gets_contacts(lead, make, client):
    letter = letter_with(lead, ["Alpha Org"], status="final")
    viewer = make.user("viewer@example.org")
    add_collaborator(letter, viewer, CollaboratorRole.viewer.value)
    outsider = make.user("outsider@example.org")
    login(client, "outsider@example.org")
    assert client.get(f"/letters/{letter.slug}/export.pdf").status_code == 404
    client.post("/auth/logout")
    client = client.application.test_client()
    login(client, "viewer@example.org")
    assert client.get(f"/letters/{letter.slug}/export.csv").status_code == 200
    assert client.get(f"/letters/{letter.slug}/export.csv?lead=1").status_code == 403
    assert client.get(f"/letters/{letter.slug}/exports").status_code == 200
    lead_client = client.application.test_client()
    login(lead_client, "lead@example.org")
    response = lead_client.get(f"/letters/{letter.slug}/export.csv?lead=1")
    header = response.get_data().decode("utf-8-sig").splitlines()[0].split(",")
    assert header[-10:] == [
        "listed_publicly",
        "email",
        "verified_at",
        "version_signed",
        "via",
        "attested",
        "signed_at",
        "confirmed_at",
        "reconfirmed_at",
        "consent_history",
    ]
    row = response.get_data().decode("utf-8-sig").splitlines()[1]
    assert "@partners.example.org" in row and "open_link" in row
    assert response.headers["Cache-Control"] == "private, no-store"
    assert outsider.email not in response.get_data(as_text=True)


def test_the_exports_page_lists_every_format(lead, client):
    letter = letter_with(lead, ["Alpha Org"], status="final")
    login(client, "lead@example.org")
    html = client.get(f"/letters/{letter.slug}/exports").get_data(as_text=True)
    for fmt in ("pdf", "docx", "html", "md", "txt", "csv", "json"):
        assert f"/letters/{letter.slug}/export.{fmt}" in html
    assert "export.csv?lead=1" in html and "SHA-256" in html
    assert f"/l/{letter.slug}/count.svg" in html
    assert Transition.publish  # the page works before publication too


def test_the_print_preview_renders_the_same_final_letter(lead, client):
    letter = letter_with(lead, ["Beta Org", "Alpha Org"], status="open", unnamed=["Quiet"])
    login(client, "lead@example.org")
    html = client.get(f"/letters/{letter.slug}/preview").get_data(as_text=True)
    assert "DRAFT — version" in html and "[Signatory organization]" not in html
    assert html.index("1. <bdi>Alpha Org</bdi>") < html.index("2. <bdi>Beta Org</bdi>")
    assert "and 1 organization that cannot be named for its safety" in html
    advance(letter, lead, "final")
    html = client.get(f"/letters/{letter.slug}/preview").get_data(as_text=True)
    frozen = client.get(f"/letters/{letter.slug}/export.json").get_json()["content_hash"]
    assert f"SHA-256: {frozen}" in html and "DRAFT" not in html
    older = client.get(f"/letters/{letter.slug}/preview?version=1").get_data(as_text=True)
    assert "DRAFT — version 1" in older  # an earlier text is never shown as the final letter
