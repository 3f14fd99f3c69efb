"""Delivering a final letter through a real SMTP server: the cover email with the frozen PDF,
what the server answered, and the signatories told (and not told, once they opted out)."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.extensions import db
from app.models import Delivery, DeliveryStatus, ExportJob, Signature, SignatureStatus
from tests.conftest import login, post_form
from tests.support.delivery_factories import (
    MINISTER_CC,
    MINISTER_TO,
    RECIPIENTS,
    TREASURY_TO,
    final_letter,
)
from tests.support.journey import deliver

pytestmark = pytest.mark.smtp
BASE = "http://testserver.localhost"


@pytest.fixture
def lead(make):
    return make.user("lena@budgets.example.org", name="Lena Lead")


def _deliveries() -> list[Delivery]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Delivery).order_by(Delivery.id)))


def _send_from_the_page(client, letter) -> str:
    path = f"/letters/{letter.slug}/deliver"
    page = client.get(path).get_data(as_text=True)
    fields = {
        name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', page).group(1)
        for name in ("to", "cc", "subject")
    }
    note = re.search(r'<textarea[^>]*name="note"[^>]*>\s*(.*?)</textarea>', page, re.S).group(1)
    form = {**fields, "note": note.replace("&#34;", '"').replace("&#39;", "'")}
    preview = post_form(client, path, {**form, "action": "preview"})
    assert preview.status_code == 200
    assert "Send to the recipients" in preview.get_data(as_text=True)
    sent = post_form(client, path, {**form, "action": "send"}, follow_redirects=True)
    assert sent.status_code == 200
    return sent.get_data(as_text=True)


def test_the_delivery_email_arrives_with_the_frozen_pdf(app, client, smtp_server, lead):
    letter = final_letter(lead)
    login(client, lead.email)
    overview = client.get(f"/letters/{letter.slug}").get_data(as_text=True)
    assert f'href="/letters/{letter.slug}/deliver"' in overview
    page = client.get(f"/letters/{letter.slug}/deliver").get_data(as_text=True)
    assert f'value="{MINISTER_TO}, {TREASURY_TO}"' in page and f'value="{MINISTER_CC}"' in page

    shown = _send_from_the_page(client, letter)
    assert "queued" in shown
    deliver(app)
    [mail] = smtp_server.to(MINISTER_TO)
    assert sorted(mail.rcpt_tos) == sorted([MINISTER_TO, TREASURY_TO, MINISTER_CC])
    assert MINISTER_CC in mail.message["Cc"] and TREASURY_TO in mail.message["Cc"]
    assert mail.message["Reply-To"] == lead.email
    assert "Joint letter: Free the river guides" in mail.subject
    assert f"{BASE}/l/{letter.slug}" in mail.text  # published: the public address
    [attachment] = list(mail.message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    content = attachment.get_content()
    pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "river guides" in pdf_text and "Alpha Org" in pdf_text
    cached = db.session.scalar(
        sa.select(ExportJob.content).where(
            ExportJob.letter_id == letter.id, ExportJob.format == "pdf"
        )
    )
    assert hashlib.sha256(content).hexdigest() == hashlib.sha256(cached).hexdigest()
    # The PDF a visitor downloads is the very same file.
    assert client.get(f"/l/{letter.slug}/letter.pdf").data == content

    [delivery] = _deliveries()
    assert delivery.status is DeliveryStatus.accepted
    assert delivery.message_id == mail.message["Message-ID"]
    assert delivery.pdf_sha256 == hashlib.sha256(content).hexdigest()
    assert delivery.created_by_id == lead.id and delivery.answered_at is not None
    overview = client.get(f"/letters/{letter.slug}").get_data(as_text=True)
    assert "accepted" in overview and delivery.message_id.strip("<>") in overview
    assert "Lena Lead" in overview


def test_an_smtp_rejection_is_recorded_as_failed_with_the_reason(app, client, smtp_server, lead):
    only = (
        RECIPIENTS[0].__class__(**{**RECIPIENTS[0].to_dict(), "street": (), "delivery_cc": ""}),
    )
    letter = final_letter(lead, recipients=only)
    smtp_server.reject_permanently(MINISTER_TO)
    login(client, lead.email)
    _send_from_the_page(client, letter)
    deliver(app)
    [delivery] = _deliveries()
    assert delivery.status is DeliveryStatus.failed
    assert "550 5.1.1 No such user here" in delivery.smtp_answer
    overview = client.get(f"/letters/{letter.slug}").get_data(as_text=True)
    assert "failed" in overview and "No such user here" in overview
    # Nobody is told of a delivery that did not happen.
    deliver(app)
    assert [m for m in smtp_server.messages if "Delivered" in m.subject] == []


def test_the_notices_reach_every_listed_signatory_with_contact_data_and_none_who_opted_out(
    app, client, smtp_server, lead
):
    signers = (
        ("Alpha Org", "alpha@alpha.example.org"),
        ("Beta Org", "beta@beta.example.org"),
        ("Gamma Org", "gamma@gamma.example.org"),
        ("Erased Org", "erased@erased.example.org"),
    )
    letter = final_letter(lead, signers=signers)
    erased = db.session.scalar(
        sa.select(Signature).where(Signature.email == "erased@erased.example.org")
    )
    erased.email = None  # contact data erased after the campaign: still listed, nobody to write to
    db.session.commit()
    login(client, lead.email)
    # An update first: it carries the one-click way out.
    path = f"/letters/{letter.slug}/updates/new"
    update = {"subject": "Press coverage", "body": "The Norland Herald covered our letter."}
    assert "Send the update" in post_form(client, path, {**update, "action": "preview"}).get_data(
        as_text=True
    )
    post_form(client, path, {**update, "action": "send"})
    deliver(app)
    updates = [m for m in smtp_server.messages if "Press coverage" in m.subject]
    assert sorted(m.to for m in updates) == sorted(
        ["alpha@alpha.example.org", "beta@beta.example.org", "gamma@gamma.example.org"]
    )
    [beta] = [m for m in updates if m.to == "beta@beta.example.org"]
    assert "The Norland Herald covered our letter." in beta.text
    assert beta.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    stop_url = str(beta.message["List-Unsubscribe"]).strip().strip("<>")
    assert stop_url in beta.text
    stop_path = stop_url.removeprefix(BASE)
    # Opening the link changes nothing (mail scanners follow links); the mail program's
    # one-click POST, without our CSRF token, stops the updates.
    other = app.test_client()
    assert "Stop updates for this letter" in other.get(stop_path).get_data(as_text=True)
    answer = other.post(stop_path, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200 and "Updates stopped" in answer.get_data(as_text=True)

    _send_from_the_page(client, letter)
    deliver(app)  # the cover email; its acceptance queues the notices
    deliver(app)  # the notices
    notices = [m for m in smtp_server.messages if m.subject.startswith("Delivered:")]
    assert sorted(m.to for m in notices) == ["alpha@alpha.example.org", "gamma@gamma.example.org"]
    text = notices[0].text
    assert "Ilse Varga, Minister of Foreign Affairs" in text and "Rafael Ortiz" in text
    assert MINISTER_TO not in text and MINISTER_CC not in text  # names, never addresses
    assert f"{BASE}/l/{letter.slug}" in text and f"{BASE}/l/{letter.slug}/letter.pdf" in text
    assert "List-Unsubscribe" in notices[0].message
    # Each signatory hears once, even when the worker reports the outcome again.
    deliver(app)
    assert len([m for m in smtp_server.messages if m.subject.startswith("Delivered:")]) == 2


def test_a_withdrawn_or_rejected_signature_is_not_told(app, client, smtp_server, lead):
    letter = final_letter(lead)
    gamma = db.session.scalar(
        sa.select(Signature).where(Signature.organization_name == "Gamma Org")
    )
    gamma.status = SignatureStatus.rejected  # no longer listed (by hand, after the freeze)
    db.session.commit()
    login(client, lead.email)
    _send_from_the_page(client, letter)
    deliver(app)
    deliver(app)
    notices = [m for m in smtp_server.messages if m.subject.startswith("Delivered:")]
    assert sorted(m.to for m in notices) == ["alpha@alpha.example.org", "beta@beta.example.org"]


def test_an_address_refused_among_others_is_named_on_the_delivery(app, client, smtp_server, lead):
    letter = final_letter(lead)
    smtp_server.reject_permanently(TREASURY_TO)
    login(client, lead.email)
    _send_from_the_page(client, letter)
    deliver(app)
    assert len(smtp_server.to(MINISTER_TO)) == 1 and smtp_server.to(TREASURY_TO) == []
    [delivery] = _deliveries()
    assert delivery.status is DeliveryStatus.accepted
    assert f"{TREASURY_TO}: 550 5.1.1 No such user here" in delivery.smtp_answer
    overview = client.get(f"/letters/{letter.slug}").get_data(as_text=True)
    assert "Refused for some addresses" in overview


def test_a_bounce_reported_later_is_recorded_and_leaves_the_public_timeline(
    app, client, smtp_server, lead
):
    letter = final_letter(lead)
    login(client, lead.email)
    _send_from_the_page(client, letter)
    deliver(app)
    [delivery] = _deliveries()
    assert "Delivered to" in app.test_client().get(f"/l/{letter.slug}").get_data(as_text=True)
    path = f"/letters/{letter.slug}/deliveries/{delivery.id}/bounced"
    done = post_form(client, path, {"reason": "Mailbox full"}, token_from=f"/letters/{letter.slug}")
    assert done.status_code == 302
    [delivery] = _deliveries()
    assert delivery.status is DeliveryStatus.bounced and delivery.smtp_answer == "Mailbox full"
    assert "Delivered to" not in app.test_client().get(f"/l/{letter.slug}").get_data(as_text=True)
    again = post_form(client, path, {"reason": "twice"}, token_from=f"/letters/{letter.slug}",
                      follow_redirects=True)  # fmt: skip
    assert "Only an email that was accepted" in again.get_data(as_text=True)
