"""The dev mailbox: in development without SMTP, email is read at /dev/mail."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.mail.outbox import queue_email
from app.mail.routes import RAW_HTML_CSP, linkify
from app.mail.worker import DEV_MAILBOX_WORKER, send_due
from app.models import OutboxMessage, OutboxStatus

VERIFY_URL = "http://testserver.localhost/auth/verify/tok-456?next=%2Fletters"


@pytest.fixture
def dev_mailbox(config):
    config["DEV_MAILBOX"] = True
    config["MAIL_SERVER"] = None


def queue(to: str = "grace@example.org", body: str = "Welcome aboard.") -> int:
    message = queue_email(
        kind="test.notice",
        to=to,
        subject="Confirm your address",
        template="mail/emails/notice",
        context={"heading": "Hello", "body": body, "action_url": VERIFY_URL},
    )
    db.session.commit()
    return message.id


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_a_message_is_listed_then_delivered_into_the_mailbox(client, app_ctx, dev_mailbox):
    message_id = queue()
    listing = page(client, "/dev/mail")
    assert "<h1>Dev mailbox</h1>" in listing
    assert '<th scope="col">Subject</th>' in listing
    assert "grace@example.org" in listing
    assert f'href="/dev/mail/{message_id}"' in listing
    assert ">queued<" in listing

    report = send_due()

    assert report.sent == 1
    db.session.expire_all()
    delivered = db.session.get(OutboxMessage, message_id)
    assert delivered.status is OutboxStatus.sent
    assert delivered.claimed_by == DEV_MAILBOX_WORKER
    assert ">sent<" in page(client, "/dev/mail")


def test_the_message_page_shows_its_link_and_a_sandboxed_html_part(client, app_ctx, dev_mailbox):
    message_id = queue()
    send_due()

    detail = page(client, f"/dev/mail/{message_id}")

    escaped = VERIFY_URL.replace("&", "&amp;")
    assert f'<a href="{escaped}">{escaped}</a>' in detail
    assert '<pre class="mail-body">' in detail
    assert f'sandbox src="/dev/mail/{message_id}/html"' in detail
    assert 'title="HTML part of the email' in detail

    raw = client.get(f"/dev/mail/{message_id}/html")
    assert raw.status_code == 200
    assert raw.mimetype == "text/html"
    assert f'href="{escaped}"' in raw.get_data(as_text=True)
    assert raw.headers["Content-Security-Policy"] == RAW_HTML_CSP
    assert raw.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_the_text_part_is_escaped(client, app_ctx, dev_mailbox):
    message_id = queue(body='Hi <script>alert("x")</script> see https://example.org/a.')
    detail = page(client, f"/dev/mail/{message_id}")
    assert "<script>alert" not in detail
    assert "&lt;script&gt;alert" in detail
    # The full stop ends the sentence, not the link.
    assert '<a href="https://example.org/a">https://example.org/a</a>.' in detail


def test_linkify_keeps_text_and_escapes_around_links():
    html = str(linkify('a < b\nhttp://x.test/?q="1"&r=2), then'))
    assert html.startswith("a &lt; b\n")
    assert '<a href="http://x.test/?q=">http://x.test/?q=</a>&#34;1&#34;&amp;r=2), then' in html


def test_the_list_can_be_filtered_by_recipient(client, app_ctx, dev_mailbox):
    queue(to="one@example.org")
    queue(to="two@example.org")
    listing = page(client, "/dev/mail?to=two")
    assert "two@example.org" in listing
    assert "one@example.org" not in listing
    assert '<label for="to">' in listing
    assert "No message to an address" in page(client, "/dev/mail?to=nobody%25")


def test_an_unknown_message_is_404(client, app_ctx, dev_mailbox):
    assert client.get("/dev/mail/999999").status_code == 404


@pytest.mark.parametrize("path", ["/dev/mail", "/dev/mail/1", "/dev/mail/1/html"])
def test_the_mailbox_does_not_exist_when_off(client, app_ctx, config, path):
    config["DEV_MAILBOX"] = False
    queue()
    assert client.get(path).status_code == 404


def test_the_mailbox_never_exists_in_production(client, config):
    config["DEV_MAILBOX"] = True
    config["APP_ENV"] = "production"
    assert client.get("/dev/mail").status_code == 404


def test_the_header_links_to_the_mailbox_only_in_development(client, config):
    config["DEV_MAILBOX"] = True
    assert 'href="/dev/mail"' in page(client, "/")
    config["DEV_MAILBOX"] = False
    assert 'href="/dev/mail"' not in page(client, "/")


def test_work_once_delivers_into_the_mailbox(app, app_ctx, dev_mailbox):
    message_id = queue()
    result = app.test_cli_runner().invoke(args=["mail", "work", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 claimed: 1 sent" in result.output
    assert db.session.get(OutboxMessage, message_id).status is OutboxStatus.sent
