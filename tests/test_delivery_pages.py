"""After the letter, page by page and from the command line: refusals of a letter that is not
final, responses (public page, API, signatories, files checked by content), deliveries made
elsewhere with their proof, and the one update a day."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Delivery, DeliveryStatus, LetterResponse, OutboxMessage
from tests.conftest import login, post_form
from tests.letters_support import MINISTRY, make_letter
from tests.support.delivery_factories import MINISTER_TO, final_letter
from tests.support.journey import deliver

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TODAY = datetime.now(UTC).date().isoformat()  # the letters' time zone is UTC
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def lead(make):
    return make.user("lena@budgets.example.org", name="Lena Lead")


def _outbox(kind: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)))


def test_a_letter_that_is_not_final_is_refused_by_the_page_and_the_command(app, client, lead):
    letter = make_letter(lead, status="closed")
    login(client, lead.email)
    for path in ("deliver", "responses/new", "updates/new", "follow-up", "deliveries/record"):
        page = client.get(f"/letters/{letter.slug}/{path}")
        assert page.status_code == 409, path
        assert "Only a final letter can be delivered" in page.get_data(as_text=True)
    sent = post_form(
        client, f"/letters/{letter.slug}/deliver",
        {"to": "a@example.org", "subject": "x", "note": "y", "action": "send"},
        token_from=f"/letters/{letter.slug}",
    )  # fmt: skip
    assert sent.status_code == 409
    result = app.test_cli_runner().invoke(args=["letters", "deliver", letter.slug, "--yes"])
    assert result.exit_code != 0 and "Only a final letter can be delivered" in result.output
    assert _outbox("delivery") == [] and db.session.scalar(sa.select(Delivery.id)) is None


def test_the_command_refuses_recipients_without_an_address(app, lead):
    letter = final_letter(lead, recipients=(MINISTRY,))
    result = app.test_cli_runner().invoke(args=["letters", "deliver", letter.slug, "--yes"])
    assert result.exit_code != 0 and "no delivery address" in result.output


def test_the_command_delivers_after_confirmation(app, smtp_server, lead):
    letter = final_letter(lead)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["letters", "deliver", letter.slug, "--dry-run"])
    assert dry.exit_code == 0 and f"To: {MINISTER_TO}" in dry.output
    assert "Please find attached a joint letter" in dry.output and _outbox("delivery") == []
    declined = runner.invoke(args=["letters", "deliver", letter.slug], input="n\n")
    assert declined.exit_code != 0 and "Nothing sent" in declined.output
    assert _outbox("delivery") == []
    sent = runner.invoke(args=["letters", "deliver", letter.slug], input="y\n")
    assert sent.exit_code == 0, sent.output
    deliver(app)
    [mail] = smtp_server.to(MINISTER_TO)
    assert [a.get_content_type() for a in mail.message.iter_attachments()] == ["application/pdf"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(Delivery.status)) is DeliveryStatus.accepted


def test_a_response_reaches_the_public_page_and_the_signatories(app, client, smtp_server, lead):
    letter = final_letter(lead)
    login(client, lead.email)
    path = f"/letters/{letter.slug}/responses/new"
    answer = {"received_on": TODAY, "from_name": "Office of the Minister",
              "summary": "The Minister agreed to meet the coalition in January."}  # fmt: skip
    # A file that only claims to be a PDF is refused, and what was typed stays on the page.
    fake = post_form(
        client, path, {**answer, "upload": (io.BytesIO(b"<html><script>x</script>"), "reply.pdf")}
    )
    assert fake.status_code == 422
    html = fake.get_data(as_text=True)
    assert "Only a PDF or an image" in html and "agreed to meet the coalition" in html
    done = post_form(
        client, path, {**answer, "upload": (io.BytesIO(PDF), "Réponse du ministre.pdf")}
    )
    assert done.status_code == 302
    deliver(app)
    told = [m for m in smtp_server.messages if m.subject.startswith("A response to")]
    assert len(told) == 3 and "agreed to meet the coalition" in told[0].text

    visitor = app.test_client()
    public = visitor.get(f"/l/{letter.slug}").get_data(as_text=True)
    assert "Response from Office of the Minister" in public and "agreed to meet" in public
    response_id = db.session.scalar(sa.select(LetterResponse.id))
    download = visitor.get(f"/l/{letter.slug}/responses/{response_id}/file")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.mimetype == "application/pdf"
    api = visitor.get(f"/api/v1/letters/{letter.slug}").get_json()
    kinds = [e["event"] for e in api["timeline"]]
    assert kinds[:2] == ["opened", "final"] and "response" in kinds
    assert api["title"] == letter.title and "signatories" in api  # the existing keys stay


def test_the_command_records_a_response_with_its_file(app, smtp_server, lead, tmp_path):
    letter = final_letter(lead)
    scan = tmp_path / "scan.png"
    scan.write_bytes(PNG)
    result = app.test_cli_runner().invoke(
        args=["letters", "record-response", letter.slug, "--from", "Ministry of Finance",
              "--date", TODAY, "--summary", "They will review the financing.",
              "--file", str(scan)]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    response = db.session.scalar(sa.select(LetterResponse))
    assert response.received_on.isoformat() == TODAY and response.file_mimetype == "image/png"
    bad = tmp_path / "notes.pdf"
    bad.write_text("just text")
    refused = app.test_cli_runner().invoke(
        args=["letters", "record-response", letter.slug, "--from", "X", "--date", TODAY,
              "--summary", "Y", "--file", str(bad)]
    )  # fmt: skip
    assert refused.exit_code != 0 and "Only a PDF or an image" in refused.output


def test_a_delivery_made_elsewhere_with_its_proof_for_the_lead_only(
    app, client, smtp_server, lead, make
):
    letter = final_letter(lead, status="final")
    login(client, lead.email)
    path = f"/letters/{letter.slug}/deliveries/record"
    done = post_form(client, path, {"method": "meeting", "delivered_on": TODAY,
                                    "note": "Handed over at the ministry.",
                                    "proof": (io.BytesIO(PNG), "receipt.png")})  # fmt: skip
    assert done.status_code == 302
    deliver(app)
    assert len([m for m in smtp_server.messages if m.subject.startswith("Delivered:")]) == 3
    delivery = db.session.scalar(sa.select(Delivery))
    assert delivery.status is DeliveryStatus.recorded
    overview = client.get(f"/letters/{letter.slug}").get_data(as_text=True)
    assert "In a meeting" in overview and "Handed over at the ministry." in overview
    proof = client.get(f"/letters/{letter.slug}/deliveries/{delivery.id}/proof")
    assert proof.data == PNG and proof.headers["X-Content-Type-Options"] == "nosniff"
    assert proof.headers["Content-Disposition"].startswith("attachment;")
    make.user("stranger@example.org")
    stranger = app.test_client()
    login(stranger, "stranger@example.org")
    assert stranger.get(f"/letters/{letter.slug}/deliveries/{delivery.id}/proof").status_code in (
        403,
        404,
    )
    future = post_form(client, path, {"method": "fax", "delivered_on": "2999-01-01"})
    assert future.status_code == 422 and "in the future" in future.get_data(as_text=True)


def test_one_update_a_day_and_the_refusal_keeps_the_text(app, client, lead):
    letter = final_letter(lead)
    login(client, lead.email)
    path = f"/letters/{letter.slug}/updates/new"
    first = post_form(
        client, path, {"subject": "A meeting", "body": "We met the minister.", "action": "send"}
    )
    assert first.status_code == 302 and len(_outbox("delivery.update")) == 3
    second = post_form(
        client,
        path,
        {"subject": "Press", "body": "A second note typed with care.", "action": "send"},
    )
    html = second.get_data(as_text=True)
    assert second.status_code == 409 and "one a day at most" in html
    assert "A second note typed with care." in html and len(_outbox("delivery.update")) == 3
