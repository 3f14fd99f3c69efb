"""Un-hiding needs the signer (issue 12.12), and counts that say what they count (13.6)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, OutboxMessage, SignatureStatus
from app.signing import operations
from app.signing.listing import update_listing
from tests.conftest import login, post_form
from tests.support.journey import deliver
from tests.support.signing_factories import (
    SIGNER,
    individual,
    make_open_letter,
    make_signature,
    signatures_of,
)

LEAD = "amara@open-budgets.example.org"
S = SignatureStatus


def mail(kind: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)))


def _naming_link(message: OutboxMessage) -> str:
    return re.search(r"/s/named/[A-Za-z0-9_\-]+", message.text_body).group(0)


def test_the_lead_cannot_name_a_hidden_signatory_only_ask(app, make):
    letter = make_open_letter(make.user(LEAD))
    hidden = make_signature(letter, organization_name="Lowland Water Watch", listed_publicly=False)
    lead = app.test_client()
    login(lead, LEAD)
    detail = f"/letters/{letter.slug}/signatures/{hidden.id}"
    assert "Only the signer can agree to be named" in lead.get(detail).get_data(as_text=True)
    # The attack of 12.12: a lead member unticks "do not list" to name them.
    response = post_form(lead, detail, {"organization_name": "Lowland Water Watch",
                                        "signer_name": "Ana Lindqvist"})  # fmt: skip
    assert response.status_code == 302
    (hidden,) = signatures_of(letter)
    assert hidden.listed_publicly is False  # still unnamed
    assert "asked by email whether they agree" in lead.get(detail).get_data(as_text=True)
    (request,) = mail("signature_naming_request")
    assert request.to_addr == hidden.email and mail("signature_listing_changed") == []
    link = _naming_link(request)

    signer = app.test_client()
    page = signer.get(link)  # opening the link (a mail scanner) changes nothing
    assert page.status_code == 200 and "I agree to be named as Lowland Water Watch" in (
        page.get_data(as_text=True)
    )
    assert signatures_of(letter)[0].listed_publicly is False
    agreed = post_form(signer, link, {})
    assert "you are now named" in agreed.get_data(as_text=True)
    (named,) = signatures_of(letter)
    assert named.listed_publicly is True and named.naming_token_hash is None
    assert db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "signature.named_by_signer")
    )
    again = signer.get(link)  # single use
    assert again.status_code == 404 and "still not named" in again.get_data(as_text=True)


def test_hiding_stays_the_leads_and_is_emailed(make):
    letter = make_open_letter(make.user(LEAD))
    signature = make_signature(letter)
    update_listing(signature, actor=SIGNER, by_lead=True, listed_publicly=False)
    assert signature.listed_publicly is False
    assert len(mail("signature_listing_changed")) == 1
    # The operation itself refuses to name: the lead's "named" becomes a request.
    update_listing(signature, actor=SIGNER, by_lead=True, listed_publicly=True)
    db.session.commit()
    assert signature.listed_publicly is False and len(mail("signature_naming_request")) == 1


def test_an_expired_naming_link_names_nobody(app, make):
    letter = make_open_letter(make.user(LEAD))
    hidden = make_signature(letter, listed_publicly=False)
    update_listing(hidden, actor=SIGNER, by_lead=True, listed_publicly=True)
    db.session.commit()
    link = _naming_link(mail("signature_naming_request")[0])
    hidden.naming_expires_at = hidden.naming_expires_at.replace(year=2000)
    db.session.commit()
    assert app.test_client().get(link).status_code == 404


def test_the_sign_page_counts_listed_organizations_only(app, make):
    letter = make_open_letter(make.user(LEAD), moderation=True, individuals_allowed=True)
    for n in range(3):
        make_signature(letter, organization_name=f"Delta Group {n}")
    make_signature(letter, organization_name="Hidden Group", listed_publicly=False)
    for n in range(2):
        make_signature(letter, organization_name=f"Waiting Group {n}", status=S.verified)
    make_signature(letter, organization_name="Unconfirmed Group", status=S.unverified)
    page = app.test_client().get(f"/l/{letter.slug}/sign").get_data(as_text=True)
    text = re.sub(r"<[^>]+>", "", page)
    assert "4 organizations listed so far, including 1 that cannot be named" in text
    assert "Signed so far" not in text and "awaiting" not in text

    operations.verify(operations.sign(letter, individual(), actor=SIGNER).signature, actor=SIGNER)
    operations.approve(signatures_of(letter)[-1], actor=SIGNER)
    db.session.commit()
    page = app.test_client().get(f"/l/{letter.slug}/sign").get_data(as_text=True)
    text = re.sub(r"<[^>]+>", "", page)
    assert (
        "5 listed so far: 4 organizations and 1 individual, including 1 that cannot be named"
        in text
    )

    lead = app.test_client()
    login(lead, LEAD)
    page = lead.get(f"/letters/{letter.slug}/signatures").get_data(as_text=True)
    assert "5 listed, 2 awaiting you, 1 unconfirmed, 1 listed but not named publicly." in page
    overview = lead.get(f"/letters/{letter.slug}").get_data(as_text=True)
    assert "5 listed, 2 awaiting you, 1 unconfirmed, 1 listed but not named publicly." in overview


def test_the_at_a_glance_bar_is_empty_without_invitations(app, make):
    from flask import render_template_string

    letter = make_open_letter(make.user(LEAD))
    with app.test_request_context():
        html = render_template_string(
            '{% include "invitations/_at_a_glance.html" %}', letter=letter
        )
    invited = re.search(r"Invited</span>.*?<meter[^>]*value=\"(\d+)\"", html, re.S).group(1)
    assert invited == "0"


def test_the_public_page_says_exactly_how_many_cannot_be_named(app, make):
    from tests.support.publishing_factories import advance

    user = make.user(LEAD)
    letter = make_open_letter(user)
    make_signature(letter, organization_name="Delta Group")
    make_signature(letter, organization_name="Hidden Group", listed_publicly=False)
    advance(letter, user, "published")
    page = app.test_client().get(f"/l/{letter.slug}").get_data(as_text=True)
    assert "including 1 organization that cannot be named" in page
    assert "some not named" not in page


@pytest.mark.smtp
def test_the_naming_request_as_it_arrives(app, make, smtp_server):
    letter = make_open_letter(make.user(LEAD))
    hidden = make_signature(letter, organization_name="Lowland Water Watch", listed_publicly=False)
    update_listing(hidden, actor=SIGNER, by_lead=True, listed_publicly=True)
    db.session.commit()
    deliver(app)
    (message,) = smtp_server.wait_for(1)
    assert message.to == hidden.email
    assert message.subject == f"May we name you on “{letter.title}”?"
    assert "Nothing changes unless you agree" in message.text
    assert re.search(r"/s/named/[A-Za-z0-9_\-]+", message.text)
    assert re.search(r"/s/named/[A-Za-z0-9_\-]+", message.html)
