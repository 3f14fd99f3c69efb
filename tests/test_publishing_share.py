"""The share panel on the overview: the open sign link to copy, its QR code inline and as
PNG and SVG downloads, and the count badge's embed snippet; only while the open link works."""

from __future__ import annotations

import html

import pytest

from app.extensions import db
from app.letters.lifecycle import Transition
from app.letters.operations import transition
from tests.conftest import login
from tests.letters_support import actor_for, make_letter
from tests.support.signing_factories import make_open_letter


@pytest.fixture
def lead(make):
    return make.user("amara@budgets.example.org", name="Amara Okafor")


def test_the_panel_offers_the_link_its_qr_code_and_the_count_snippet(app_ctx, client, lead):
    letter = make_open_letter(lead, title="Open the port accounts")
    login(client, lead.email)
    page = client.get(f"/letters/{letter.slug}").get_data(as_text=True)
    sign = f"http://testserver.localhost/l/{letter.slug}/sign"
    assert f'id="share-sign-url" value="{sign}" readonly' in page
    assert '<svg role="img" aria-label="QR code of the sign link"' in page
    embed = html.unescape(page.split('id="share-embed"')[1].split("</textarea>")[0])
    assert (
        f'<a href="{sign}"><img src="http://testserver.localhost/l/{letter.slug}/count.svg"'
        in embed
    )
    assert client.get(f"/l/{letter.slug}/count.svg").status_code == 200

    png = client.get(f"/letters/{letter.slug}/share/qr.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.data.startswith(b"\x89PNG")
    assert "attachment" in png.headers["Content-Disposition"]
    svg = client.get(f"/letters/{letter.slug}/share/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert client.get(f"/letters/{letter.slug}/share/qr.gif").status_code == 404


def test_without_the_open_link_the_panel_says_how_to_turn_it_on(app_ctx, client, lead):
    letter = make_open_letter(lead, open_link=False)
    login(client, lead.email)
    page = client.get(f"/letters/{letter.slug}").get_data(as_text=True)
    assert "turn on “open sign link” in the" in html.unescape(page)
    assert f'href="/letters/{letter.slug}/settings"' in page
    assert "share-sign-url" not in page
    assert client.get(f"/letters/{letter.slug}/share/qr.png").status_code == 404

    draft = make_letter(lead, title="Still drafting")
    page = client.get(f"/letters/{draft.slug}").get_data(as_text=True)
    assert "Once the letter is open" in page and "share-sign-url" not in page

    closed = make_open_letter(lead, title="Closed one")
    transition(closed, Transition.close, actor=actor_for(lead))
    db.session.commit()
    page = client.get(f"/letters/{closed.slug}").get_data(as_text=True)
    assert "Sign-on is not open" in page and "share-sign-url" not in page


def test_only_the_lead_gets_the_qr_code(app_ctx, client, make, lead):
    letter = make_open_letter(lead)
    stranger = make.user("eve@elsewhere.example.org")
    login(client, stranger.email)
    assert client.get(f"/letters/{letter.slug}/share/qr.svg").status_code == 404
