"""Attacks on the delivery pages, carried out: a stranger delivering someone's letter, a header
injected through the cover email, guessed and expired opt-out links, a disguised upload, and a
response file of an unpublished letter."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Delivery, LetterResponse, Signature, UpdateOptOutLink, utcnow
from app.tokens import new_token
from tests.conftest import login, post_form
from tests.support.delivery_factories import final_letter

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture
def lead(make):
    return make.user("lena@budgets.example.org", name="Lena Lead")


def test_a_stranger_cannot_deliver_or_read_the_deliveries(app, make, lead):
    letter = final_letter(lead)
    make.user("mallory@example.org")
    stranger = app.test_client()
    login(stranger, "mallory@example.org")
    for path in ("deliver", "responses/new", "updates/new", "follow-up", "deliveries/record"):
        assert stranger.get(f"/letters/{letter.slug}/{path}").status_code in (403, 404), path
    sent = post_form(
        stranger, f"/letters/{letter.slug}/deliver",
        {"to": "me@evil.example", "subject": "x", "note": "y", "action": "send"},
        token_from="/letters/",
    )  # fmt: skip
    assert sent.status_code in (403, 404)
    assert db.session.scalar(sa.select(Delivery.id)) is None


def test_a_header_cannot_be_injected_through_the_cover_email(client, lead):
    letter = final_letter(lead)
    login(client, lead.email)
    path = f"/letters/{letter.slug}/deliver"
    for field, value in (("to", "a@example.org\r\nBcc: spy@evil.example"),
                         ("subject", "Hello\r\nBcc: spy@evil.example")):  # fmt: skip
        form = {"to": "a@example.org", "subject": "Joint letter", "note": "Attached.",
                "action": "send", field: value}  # fmt: skip
        response = post_form(client, path, form)
        assert response.status_code == 422, field
    assert db.session.scalar(sa.select(Delivery.id)) is None


def test_guessed_and_expired_opt_out_links_change_nothing(app, lead):
    letter = final_letter(lead)
    signature = db.session.scalar(sa.select(Signature).where(Signature.letter_id == letter.id))
    visitor = app.test_client()
    guessed = visitor.post(
        f"/updates/stop/{new_token()[0]}", data={"List-Unsubscribe": "One-Click"}
    )
    assert guessed.status_code == 404
    raw, digest = new_token()
    db.session.add(UpdateOptOutLink(signature_id=signature.id, token_hash=digest,
                                    expires_at=utcnow() - timedelta(days=1)))  # fmt: skip
    db.session.commit()
    assert visitor.post(f"/updates/stop/{raw}").status_code == 404
    assert visitor.get(f"/updates/stop/{'x' * 5000}").status_code in (404, 414)
    db.session.expire_all()
    assert db.session.get(Signature, signature.id).updates_opted_out_at is None


def test_a_script_disguised_as_an_image_is_refused(client, lead):
    letter = final_letter(lead)
    login(client, lead.email)
    response = post_form(
        client, f"/letters/{letter.slug}/responses/new",
        {"received_on": utcnow().date().isoformat(), "from_name": "Ministry", "summary": "No.",
         "upload": (io.BytesIO(SVG), "reply.png")},
    )  # fmt: skip
    assert response.status_code == 422 and "Only a PDF or an image" in response.get_data(
        as_text=True
    )
    assert db.session.scalar(sa.select(LetterResponse.id)) is None


def test_the_response_file_of_an_unpublished_letter_is_not_public(app, client, lead):
    letter = final_letter(lead, status="final")
    login(client, lead.email)
    done = post_form(
        client, f"/letters/{letter.slug}/responses/new",
        {"received_on": utcnow().date().isoformat(), "from_name": "Ministry", "summary": "Yes.",
         "upload": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "reply.pdf")},
    )  # fmt: skip
    assert done.status_code == 302
    response_id = db.session.scalar(sa.select(LetterResponse.id))
    assert (
        app.test_client().get(f"/l/{letter.slug}/responses/{response_id}/file").status_code == 404
    )
    lead_copy = client.get(f"/letters/{letter.slug}/responses/{response_id}/file")
    assert (
        lead_copy.status_code == 200 and lead_copy.headers["Cache-Control"] == "private, no-store"
    )
