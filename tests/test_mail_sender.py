"""Partners recognize the sender: emails about a letter come "<Lead> via Undersigned" from the
site's address with Reply-To the lead, reminders carry List-Unsubscribe, and no header can be
broken by a name (quotes, commas, non-ASCII, newlines)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.invitations import operations
from app.mail.outbox import queue_email
from app.mail.transport import build_message
from app.mail.worker import send_due
from app.models import InvitationStatus, OutboxMessage, OutboxStatus
from tests.letters_support import actor_for
from tests.support.invitation_factories import invite, link_token, open_letter
from tests.support.signing_factories import SIGNER, details, make_open_letter
from tests.support.signing_factories import operations as signing_ops

pytestmark = pytest.mark.smtp
TRICKY = 'Friends of the "Delta", Água & Co'


@pytest.fixture
def lead(make):
    org = make.organization(TRICKY)
    return make.user("amara@budgets.example.org", name="Amara Okafor", organization=org)


def _from(mail):
    [address] = mail.message["From"].addresses
    return address.display_name, address.addr_spec


def test_an_invitation_comes_from_the_lead_via_the_site_with_reply_to_the_inviter(
    app_ctx, smtp_server, lead
):
    letter = open_letter(lead, title="Open the port accounts")
    invite(letter, lead, "Delta Watch, Maria Ostrova, maria@delta.example.org")
    assert send_due(worker_id="t").sent == 1
    [mail] = smtp_server.wait_for(1)
    assert _from(mail) == (f"{TRICKY} via Undersigned", "no-reply@undersigned.localhost")
    assert str(mail.message["Reply-To"]) == "amara@budgets.example.org"
    assert "List-Unsubscribe" not in mail.message
    row = db.session.scalar(sa.select(OutboxMessage))
    raw = build_message(row).data
    assert raw.isascii() and b"=?utf-8?q?Friends_of_the_=22Delta=22=2C_=C3=81gua" in raw


def test_a_reminder_offers_a_one_click_unsubscribe_that_declines(
    app_ctx, client, smtp_server, lead
):
    letter = open_letter(lead, title="Open the port accounts")
    [inv] = invite(letter, lead, "Delta Watch, Maria Ostrova, maria@delta.example.org")
    send_due(worker_id="t")
    operations.remind(letter, batch="t", inviter=lead, actor=actor_for(lead))
    db.session.commit()
    send_due(worker_id="t")
    reminder = next(m for m in smtp_server.wait_for(2) if m.subject.startswith("Reminder"))
    token = link_token(reminder.text)
    header = str(reminder.message["List-Unsubscribe"]).strip()  # a long header is folded
    assert header == f"<http://testserver.localhost/s/{token}/decline>"
    assert str(reminder.message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    assert _from(reminder)[0] == f"{TRICKY} via Undersigned"

    # What a mail client sends (RFC 8058): a POST with no form token and no cookie.
    response = client.post(f"/s/{token}/decline", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(type(inv), inv.id).status is InvitationStatus.declined


def test_the_decline_form_itself_still_needs_its_form_token(app_ctx, client, lead):
    letter = open_letter(lead)
    [inv] = invite(letter, lead, "Delta Watch, Maria Ostrova, maria@delta.example.org")
    from tests.support.invitation_factories import token_of

    client.post(f"/s/{token_of(inv)}/decline", data={"reason": "no"})
    db.session.expire_all()
    assert db.session.get(type(inv), inv.id).status is not InvitationStatus.declined


def test_signer_emails_come_from_the_lead_via_the_site(app_ctx, smtp_server, lead):
    letter = make_open_letter(lead)
    signing_ops.sign(letter, details(email="ana@tidewater.example.org"), actor=SIGNER)
    db.session.commit()
    send_due(worker_id="t")
    [mail] = smtp_server.wait_for(1)
    assert _from(mail)[0] == f"{TRICKY} via Undersigned"
    assert str(mail.message["Reply-To"]) == "amara@budgets.example.org"


@pytest.mark.parametrize(
    ("from_name", "headers"),
    [
        ("Evil\r\nBcc: victim@example.org", None),
        ("Fine", {"List-Unsubscribe": "<https://x.example>\r\nBcc: victim@example.org"}),
        ("Fine", {"Bcc": "victim@example.org"}),
        ("Fine", {"X-Undersigned-Outbox-Id": "1"}),
    ],
)
def test_a_header_that_would_inject_is_refused_not_sent(app_ctx, smtp_server, from_name, headers):
    message = queue_email(
        kind="test.notice",
        to="someone@example.org",
        subject="Hello",
        template="mail/emails/notice",
        context={"heading": "Hello", "body": "Body."},
        from_name=from_name,
        headers=headers,
    )
    db.session.commit()
    send_due(worker_id="t")
    db.session.expire_all()
    row = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.id == message.id))
    assert row.status is OutboxStatus.failed
    assert smtp_server.messages == []
