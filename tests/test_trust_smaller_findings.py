"""Issue 12, finding 11: each smaller hole, attacked and shown closed — a code fence that
broke out of export.md, mail scanners counted as readers, a 36 MB echo of an 8 MB upload,
token and personal pages kept in caches, LIKE wildcards in searches, and images from
another port of the site's host."""

from __future__ import annotations

import io

import pytest
from markdown_it import MarkdownIt

from app.extensions import db
from app.invitations import addressbook
from app.letters.markdown import render_body
from app.models import InvitationStatus
from tests.conftest import login, post_form
from tests.support.invitation_factories import invite, open_letter, token_of
from tests.support.publishing_factories import letter_with


@pytest.fixture
def lead(make):
    return make.user("amara@budgets.example.org", name="Amara Okafor")


# (a) --------------------------------------------------------------------------------------
BREAKOUT = (
    "Our evidence:\n\n"
    "````\n```\n[Click to verify](https://evil.example/x)\n\n# You have been hacked\n```\n````\n\n"
    "Inline: ```a `` b``` and done."
)


def test_a_code_block_holding_a_fence_stays_code_in_export_md(lead, client):
    letter = letter_with(lead, ["Alpha Org"], body=BREAKOUT)
    login(client, lead.email)
    markdown = client.get(f"/letters/{letter.slug}/export.md").get_data(as_text=True)
    assert "````\n```\n[Click to verify]" in markdown
    # Read back by any CommonMark renderer, the code is still code.
    html = MarkdownIt("commonmark").render(markdown)
    assert 'href="https://evil.example/x"' not in html
    assert "<h1>You have been hacked</h1>" not in html
    assert "[Click to verify](https://evil.example/x)" in html
    assert "<code>a `` b</code>" in html


# (b) --------------------------------------------------------------------------------------
def test_a_plain_get_of_the_personal_link_does_not_count_as_opened(lead, client):
    letter = open_letter(lead)
    [invitation] = invite(letter, lead, "maria@delta.example.org")
    token = token_of(invitation)
    for _ in range(3):  # a mail scanner, a link preview, a prefetch
        assert client.get(f"/s/{token}").status_code == 200
    db.session.refresh(invitation)
    assert invitation.opened_at is None and invitation.status is not InvitationStatus.opened

    # A forged beacon without the page's CSRF token changes nothing either.
    assert client.post(f"/s/{token}/opened").status_code == 400
    db.session.refresh(invitation)
    assert invitation.opened_at is None

    # The page's script on first focus or scroll: counted once.
    page = client.get(f"/s/{token}").get_data(as_text=True)
    assert f'data-opened-url="/s/{token}/opened"' in page and "js/opened.js" in page
    beacon = post_form(client, f"/s/{token}/opened", {}, token_from=f"/s/{token}")
    assert beacon.status_code == 204
    db.session.refresh(invitation)
    assert invitation.opened_at is not None and invitation.status is InvitationStatus.opened


def test_a_first_post_of_the_sign_form_counts_as_opened(lead, client):
    letter = open_letter(lead)
    [invitation] = invite(letter, lead, "maria@delta.example.org")
    token = token_of(invitation)
    response = post_form(client, f"/s/{token}", {"email": "not-an-address"})
    assert response.status_code == 422
    db.session.refresh(invitation)
    assert invitation.opened_at is not None


# (c) --------------------------------------------------------------------------------------
def upload(client, letter, data: bytes):
    return post_form(
        client, f"/letters/{letter.slug}/invitations/new",
        {"from": "list", "upload": (io.BytesIO(data), "partners.csv")},
        content_type="multipart/form-data",
    )  # fmt: skip


def test_an_8_mb_one_line_upload_is_not_echoed_back(lead, client):
    letter = open_letter(lead)
    login(client, lead.email)
    data = b"abcdefg," * 1_000_000
    assert len(data) == 8_000_000
    response = upload(client, letter, data)
    assert response.status_code == 422
    assert "The file has no email column" in response.get_data(as_text=True)
    assert len(response.data) < 100_000


def test_huge_bad_rows_are_shown_cut_short(lead, client):
    letter = open_letter(lead)
    login(client, lead.email)
    row = b"not-an-address-" + b"x" * 100_000 + b"," + b"O" * 100_000 + b"\n"
    response = upload(client, letter, b"Email,Organization\n" + row * 40)
    page = response.get_data(as_text=True)
    assert "Bad address" in page
    assert len(response.data) < 200_000  # 8 MB uploaded


# (d) --------------------------------------------------------------------------------------
def test_token_pages_and_personal_lead_pages_are_never_stored(lead, client):
    letter = open_letter(lead)
    [invitation] = invite(letter, lead, "maria@delta.example.org")
    token = token_of(invitation)
    token_pages = [
        f"/s/{token}", f"/s/{token}/decline", "/s/verify/not-a-token", "/s/manage/not-a-token",
        "/auth/verify/not-a-token", "/auth/reset/not-a-token", "/letters/join/not-a-token",
        "/orgs/join/not-a-token",
    ]  # fmt: skip
    for path in token_pages:
        assert "no-store" in client.get(path).headers.get("Cache-Control", ""), path
    login(client, lead.email)
    org_id = lead.organizations[0].id
    lead_pages = [
        f"/letters/{letter.slug}/signatures", f"/letters/{letter.slug}/signatures.csv",
        f"/letters/{letter.slug}/invitations", f"/letters/{letter.slug}/collaborators",
        f"/letters/{letter.slug}/export.csv?lead=1", f"/orgs/{org_id}/partners", "/orgs/",
    ]  # fmt: skip
    for path in lead_pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response.headers.get("Cache-Control", ""), path


# (e) --------------------------------------------------------------------------------------
@pytest.mark.parametrize("wildcard", ["_", "%"])
def test_search_wildcards_match_only_themselves(lead, client, wildcard):
    letter = open_letter(lead)
    invite(letter, lead, "Delta Friends, Maria, maria@delta.example.org",
           "Harbor_Watch 100%, Li, li_wei@harbor.example.org")  # fmt: skip
    org_id = lead.organizations[0].id
    names = [r.partner.name for r in addressbook.list_partners(org_id, q=wildcard)]
    assert names == ["Harbor_Watch 100%"]
    login(client, lead.email)
    page = client.get(f"/letters/{letter.slug}/invitations", query_string={"q": wildcard})
    assert "maria@delta.example.org" not in page.get_data(as_text=True)


# (f) --------------------------------------------------------------------------------------
def test_images_from_another_port_of_the_site_host_are_removed(app):
    allowed = ["https://letters.example/p.png", "https://letters.example:443/p.png", "/p.png"]
    refused = [
        "https://letters.example:8443/p.png", "http://letters.example:8080/p.png",
        "https://letters.example:99999/p.png", "https://letters.example:x/p.png",
    ]  # fmt: skip
    for src in allowed:
        assert render_body(f"![m]({src})", site_host="letters.example").removed == [], src
    for src in refused:
        removed = render_body(f"![m]({src})", site_host="letters.example").removed
        assert removed and "images must be on this site" in removed[0], src
    with app.test_request_context():  # BASE_URL is http://testserver.localhost
        assert render_body("![m](http://testserver.localhost/p.png)").removed == []
        assert render_body("![m](http://testserver.localhost:8025/p.png)").removed
