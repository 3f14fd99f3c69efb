"""Invitation emails through a real SMTP server: personal links that work, Reply-To the lead,
the invitation following its email (sent, failed), and the dev mailbox."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.invitations import tracking
from app.mail.worker import send_due
from app.models import AuditEvent, InvitationStatus, OutboxStatus
from tests.conftest import post_form
from tests.support.invitation_factories import invite, link_token, open_letter, outbox_for

pytestmark = pytest.mark.smtp
S = InvitationStatus


@pytest.fixture
def lead(make):
    return make.user("amara@budgets.example.org", name="Amara Okafor")


@pytest.fixture
def letter(lead):
    deadline = datetime(2031, 3, 14, 21, 0, tzinfo=UTC)  # 5 pm in New York
    return open_letter(
        lead, title="Open the port accounts", deadline=deadline, time_zone="America/New_York"
    )


def refreshed(invitation):
    db.session.expire_all()
    db.session.refresh(invitation)
    return invitation


def test_invitation_email_arrives_with_a_working_personal_link(
    app, app_ctx, client, smtp_server, lead, letter
):
    [inv] = invite(
        letter,
        lead,
        "Friends of the Delta, Maria Ostrova, maria@delta.example.org",
        message="We would be proud to sign this with you.\n\nThe list closes on Friday.",
    )
    report = send_due(worker_id="t")
    assert report.sent == 1
    [mail] = smtp_server.wait_for(1)
    assert mail.to == "maria@delta.example.org"
    assert mail.subject == "Invitation to sign on: Open the port accounts"
    assert mail.message["Reply-To"] == "amara@budgets.example.org"
    text, html = mail.text, mail.html
    for part in (text, html):
        assert "Open the port accounts" in part
        assert "Dear Maria Ostrova" in part
        assert "We would be proud to sign this with you." in part
        assert "We write to ask for the release of the detained river guides." in part
        assert "Friday, March 14, 2031, 5:00 PM (America/New York)" in part
    token = link_token(text)
    assert f'href="http://testserver.localhost/s/{token}"' in html
    assert f"/s/{token}/decline" in text

    inv = refreshed(inv)
    assert inv.status is S.sent and inv.sent_at is not None
    assert tracking.find_by_token(token).id == inv.id
    response = client.get(f"/s/{token}")
    assert response.status_code == 200
    assert "Open the port accounts" in response.get_data(as_text=True)
    assert refreshed(inv).status is S.sent  # a GET (a mail scanner, say) is not a reader
    post_form(client, f"/s/{token}/opened", {}, token_from=f"/s/{token}")  # the page's script
    assert refreshed(inv).status is S.opened
    assert client.get(f"/s/{token}/decline").status_code == 200
    sent_events = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.object_id == inv.id)
    ).all()
    assert "invitation.sent" in sent_events and "invitation.opened" in sent_events


def test_permanent_rejection_marks_the_invitation_failed_with_the_reason(
    app_ctx, smtp_server, lead, letter
):
    smtp_server.reject_permanently("nobody@gone.example.org")
    good, bad = invite(letter, lead, "ok@delta.example.org", "nobody@gone.example.org")
    report = send_due(worker_id="t")
    assert (report.sent, report.failed) == (1, 1)
    assert refreshed(good).status is S.sent
    bad = refreshed(bad)
    assert bad.status is S.failed
    assert "550 5.1.1 No such user here" in bad.failure_reason
    assert outbox_for(bad)[0].status is OutboxStatus.failed


def test_temporary_rejection_leaves_the_invitation_queued_for_a_retry(
    app_ctx, config, smtp_server, lead, letter
):
    config["OUTBOX_BACKOFF_SECONDS"] = 3600
    smtp_server.reject_temporarily("busy@delta.example.org")
    [inv] = invite(letter, lead, "busy@delta.example.org")
    report = send_due(worker_id="t")
    assert report.retried == 1
    inv = refreshed(inv)
    assert inv.status is S.queued and inv.failure_reason == ""


def test_a_resent_invitation_after_a_bounce_goes_out_with_a_new_link(
    app_ctx, smtp_server, lead, letter
):
    from app.invitations import operations
    from tests.letters_support import actor_for

    smtp_server.reject_permanently("typo@delta.example.org")
    [inv] = invite(letter, lead, "typo@delta.example.org")
    send_due(worker_id="t")
    assert refreshed(inv).status is S.failed
    smtp_server.handler.reject_permanently.clear()
    operations.resend(refreshed(inv), inviter=lead, actor=actor_for(lead))
    db.session.commit()
    send_due(worker_id="t")
    [mail] = smtp_server.wait_for(1)
    assert refreshed(inv).status is S.sent
    assert tracking.find_by_token(link_token(mail.text)).id == inv.id


def test_withdrawn_before_the_worker_ran_is_never_sent(app_ctx, smtp_server, lead, letter):
    from app.invitations import operations
    from tests.letters_support import actor_for

    keep, drop = invite(letter, lead, "keep@delta.example.org", "drop@delta.example.org")
    operations.withdraw(drop, actor=actor_for(lead))
    db.session.commit()
    send_due(worker_id="t")
    assert [m.to for m in smtp_server.messages] == ["keep@delta.example.org"]
    assert refreshed(drop).status is S.withdrawn


def test_dev_mailbox_delivery_also_marks_invitations_sent(app_ctx, config, lead, letter):
    config["DEV_MAILBOX"] = True
    config["MAIL_SERVER"] = None
    [inv] = invite(letter, lead, "dev@delta.example.org")
    assert send_due().sent == 1
    assert refreshed(inv).status is S.sent
