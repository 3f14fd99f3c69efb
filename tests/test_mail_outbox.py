"""The outbox worker against a real SMTP server: delivery, retries, failures, one connection."""

from __future__ import annotations

import smtplib
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.mail import worker
from app.mail.outbox import queue_email
from app.mail.transport import OUTBOX_ID_HEADER
from app.mail.worker import MailNotConfigured, SendReport, claim_due, send_due, work
from app.models import OutboxMessage, OutboxStatus, utcnow

pytestmark = pytest.mark.smtp

VERIFY_URL = "http://testserver.localhost/auth/verify/tok-123"


def queue(to: str = "ada@example.org", **kw) -> int:
    message = queue_email(
        kind="test.notice",
        to=to,
        subject=kw.pop("subject", "Please confirm your address"),
        template="mail/emails/notice",
        context={
            "heading": "Confirm your address",
            "body": kw.pop("body", "One click and you are in."),
            "action_url": VERIFY_URL,
            "action_label": "Confirm",
        },
        **kw,
    )
    db.session.commit()
    return message.id


def row(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


@pytest.fixture
def connections(monkeypatch) -> list[tuple]:
    """Every SMTP connection the app opens, recorded."""
    opened: list[tuple] = []
    original = smtplib.SMTP.connect

    def counting(self, *args, **kwargs):
        opened.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "connect", counting)
    return opened


def test_queued_message_arrives_with_both_parts(app_ctx, config, smtp_server):
    message_id = queue(reply_to="lead@coalition.example")

    report = send_due()

    assert (report.claimed, report.sent, report.retried, report.failed) == (1, 1, 0, 0)
    [received] = smtp_server.wait_for(1)
    assert received.to == "ada@example.org"
    assert received.subject == "Please confirm your address"
    assert received.message["To"] == "ada@example.org"
    assert received.message["From"] == config["MAIL_DEFAULT_SENDER"]
    assert received.message["Reply-To"] == "lead@coalition.example"
    assert received.message[OUTBOX_ID_HEADER] == str(message_id)
    assert received.message["Message-ID"].startswith(f"<outbox.{message_id}.")
    assert VERIFY_URL in received.text
    assert f'href="{VERIFY_URL}"' in received.html
    sent = row(message_id)
    assert sent.status is OutboxStatus.sent
    assert sent.sent_at is not None
    assert sent.attempts == 1


def test_without_reply_to_there_is_no_reply_to_header(app_ctx, smtp_server):
    queue()
    send_due()
    [received] = smtp_server.wait_for(1)
    assert received.message["Reply-To"] is None


def test_server_down_keeps_the_message_until_it_is_back(app_ctx, config, smtp_server):
    config["OUTBOX_BACKOFF_SECONDS"] = 60
    smtp_server.stop()
    message_id = queue()
    start = utcnow()

    report = send_due(now=start)

    assert (report.sent, report.retried) == (0, 1)
    waiting = row(message_id)
    assert waiting.status is OutboxStatus.queued
    assert waiting.attempts == 0  # the message was never tried: the server was
    assert "Connection refused" in waiting.last_error
    assert waiting.next_attempt_at == start + timedelta(seconds=60)

    smtp_server.start()
    assert send_due(now=start + timedelta(seconds=30)).claimed == 0  # not due yet
    assert send_due(now=start + timedelta(seconds=61)).sent == 1
    assert send_due(now=start + timedelta(hours=1)).claimed == 0
    assert len(smtp_server.wait_for(1)) == 1
    assert row(message_id).status is OutboxStatus.sent


def test_a_long_outage_fails_no_message(app_ctx, config, smtp_server):
    """With the production retry settings, two hours without an SMTP server: every message
    still waits, and all go once it is back."""
    config.update(OUTBOX_MAX_ATTEMPTS=6, OUTBOX_BACKOFF_SECONDS=30)
    smtp_server.stop()
    ids = [queue(to=f"signer{n}@example.org") for n in range(3)]
    start = utcnow()

    for minute in range(0, 120, 2):
        report = send_due(now=start + timedelta(minutes=minute))
        assert (report.claimed, report.retried, report.failed) == (3, 3, 0)
    assert {(row(i).status, row(i).attempts) for i in ids} == {(OutboxStatus.queued, 0)}

    smtp_server.start()
    assert send_due(now=start + timedelta(minutes=121)).sent == 3
    assert sorted(m.to for m in smtp_server.wait_for(3)) == [
        f"signer{n}@example.org" for n in range(3)
    ]


def test_permanent_rejection_fails_at_once_and_is_not_retried(app_ctx, smtp_server):
    smtp_server.reject_permanently("gone@example.org")
    message_id = queue(to="gone@example.org")

    report = send_due()

    assert (report.sent, report.retried, report.failed) == (0, 0, 1)
    failed = row(message_id)
    assert failed.status is OutboxStatus.failed
    assert "550" in failed.last_error and "No such user" in failed.last_error
    assert send_due(now=utcnow() + timedelta(days=1)).claimed == 0
    assert smtp_server.messages == []


def test_temporary_rejection_backs_off_then_fails(app_ctx, config, smtp_server):
    config["OUTBOX_BACKOFF_SECONDS"] = 10
    config["OUTBOX_MAX_ATTEMPTS"] = 3
    smtp_server.reject_temporarily("busy@example.org")
    message_id = queue(to="busy@example.org")
    start = utcnow()

    assert send_due(now=start).retried == 1
    assert row(message_id).next_attempt_at == start + timedelta(seconds=10)
    assert send_due(now=start + timedelta(seconds=5)).claimed == 0
    assert send_due(now=start + timedelta(seconds=10)).retried == 1
    second = row(message_id)
    assert (second.status, second.attempts) == (OutboxStatus.queued, 2)
    assert second.next_attempt_at == start + timedelta(seconds=30)  # doubled

    assert send_due(now=start + timedelta(seconds=30)).failed == 1
    failed = row(message_id)
    assert (failed.status, failed.attempts) == (OutboxStatus.failed, 3)
    assert "451" in failed.last_error
    assert send_due(now=start + timedelta(days=1)).claimed == 0
    assert smtp_server.messages == []


def test_a_batch_uses_one_connection(app_ctx, smtp_server, connections):
    ids = [queue(to=f"person{n}@example.org") for n in range(8)]
    smtp_server.reject_permanently("person3@example.org")

    report = send_due()

    assert (report.claimed, report.sent, report.failed) == (8, 7, 1)
    assert len(connections) == 1
    arrived = sorted(int(m.message[OUTBOX_ID_HEADER]) for m in smtp_server.wait_for(7))
    assert arrived == [i for n, i in enumerate(ids) if n != 3]


def test_a_connection_lost_mid_batch_is_reopened_for_the_rest(
    app_ctx, smtp_server, connections, monkeypatch
):
    first, second, third = (queue(to=f"p{n}@example.org") for n in range(3))
    original = smtplib.SMTP.sendmail
    calls = []

    def hang_up_on_second(self, *args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            self.close()
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "sendmail", hang_up_on_second)

    report = send_due()

    assert (report.sent, report.retried) == (2, 1)
    assert len(connections) == 2
    assert row(first).status is OutboxStatus.sent
    assert row(third).status is OutboxStatus.sent
    lost = row(second)
    assert (lost.status, lost.attempts) == (OutboxStatus.queued, 1)
    assert "SMTPServerDisconnected" in lost.last_error
    assert send_due().sent == 1
    assert len(smtp_server.wait_for(3)) == 3


def test_a_claim_left_by_a_dead_worker_is_taken_over(app_ctx, config, smtp_server):
    timeout = config["OUTBOX_CLAIM_TIMEOUT_SECONDS"]
    abandoned, fresh = queue(to="a@example.org"), queue(to="b@example.org")
    for message_id, claimed_at in (
        (abandoned, utcnow() - timedelta(seconds=timeout + 60)),
        (fresh, utcnow() - timedelta(seconds=5)),
    ):
        message = row(message_id)
        message.status = OutboxStatus.sending
        message.claimed_by = "dead-worker"
        message.claimed_at = claimed_at
    db.session.commit()

    report = send_due(worker_id="rescuer")

    assert (report.claimed, report.sent) == (1, 1)
    assert [m.to for m in smtp_server.wait_for(1)] == ["a@example.org"]
    taken = row(abandoned)
    assert (taken.status, taken.claimed_by) == (OutboxStatus.sent, "rescuer")
    assert row(fresh).status is OutboxStatus.sending  # its worker may still be sending it


def test_a_row_claimed_meanwhile_is_not_claimed_twice(app_ctx, smtp_server, monkeypatch):
    """SQLite locks nothing on SELECT: the claiming UPDATE itself re-checks the row is due."""
    message_id = queue()
    assert claim_due("worker-a", now=utcnow(), limit=10) == [message_id]
    # Worker B read the row as due just before worker A's claim was committed.
    monkeypatch.setattr(worker, "_candidates", lambda now, limit: [message_id])

    report = send_due(worker_id="worker-b")

    assert (report.claimed, report.sent) == (0, 0)
    claimed = row(message_id)
    assert (claimed.status, claimed.claimed_by) == (OutboxStatus.sending, "worker-a")
    assert smtp_server.messages == []


def test_batch_size_limits_a_claim(app_ctx, config, smtp_server):
    config["OUTBOX_BATCH_SIZE"] = 2
    for n in range(3):
        queue(to=f"p{n}@example.org")
    assert send_due().sent == 2
    assert send_due().sent == 1


def test_work_once_drains_every_due_batch(app_ctx, config, smtp_server):
    config["OUTBOX_BATCH_SIZE"] = 2
    for n in range(5):
        queue(to=f"p{n}@example.org")
    batches: list[SendReport] = []

    total = work(once=True, on_batch=batches.append)

    assert [b.sent for b in batches] == [2, 2, 1]
    assert (total.claimed, total.sent) == (5, 5)


def test_draining_keeps_one_connection_across_batches(app_ctx, config, smtp_server, connections):
    config["OUTBOX_BATCH_SIZE"] = 2
    for n in range(5):
        queue(to=f"p{n}@example.org")

    total = work(once=True)

    assert total.sent == 5
    assert len(connections) == 1
    assert len(smtp_server.wait_for(5)) == 5


def test_a_connection_the_server_dropped_between_batches_is_replaced_first(
    app_ctx, config, smtp_server, connections
):
    config["OUTBOX_BATCH_SIZE"] = 2
    ids = [queue(to=f"p{n}@example.org") for n in range(4)]

    def restart_server_after_first_batch(report: SendReport) -> None:
        if len(connections) == 1 and report.sent == 2:
            smtp_server.stop()
            smtp_server.start()

    total = work(once=True, on_batch=restart_server_after_first_batch)

    assert (total.sent, total.retried) == (4, 0)  # nobody's message paid for the lost session
    assert len(connections) == 2
    assert [row(i).attempts for i in ids] == [1, 1, 1, 1]


def test_each_result_is_committed_before_the_next_message_goes(app, app_ctx, smtp_server):
    """A worker killed mid-batch can then resend only the message it was sending."""
    ids = [queue(to=f"p{n}@example.org") for n in range(4)]
    seen_sent: list[int] = []
    original = worker.transport.SMTPConnection.send
    other = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])

    def count_sent_then_send(self, message):
        with other.connect() as conn:  # another connection sees only what was committed
            seen_sent.append(
                conn.execute(
                    sa.select(sa.func.count()).where(OutboxMessage.status == OutboxStatus.sent)
                ).scalar_one()
            )
        return original(self, message)

    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(worker.transport.SMTPConnection, "send", count_sent_then_send)
            assert send_due().sent == 4
    finally:
        other.dispose()
    assert seen_sent == [0, 1, 2, 3]
    assert {row(i).status for i in ids} == {OutboxStatus.sent}


def test_work_once_stops_when_a_batch_only_has_retries(app_ctx, config, smtp_server):
    """With no backoff a refused message is due again at once; --once must still end."""
    config["OUTBOX_BATCH_SIZE"] = 1
    smtp_server.reject_temporarily("busy@example.org")
    queue(to="busy@example.org")
    total = work(once=True)
    assert (total.claimed, total.retried) == (1, 1)


def test_work_runs_until_stopped(app_ctx, smtp_server):
    queue()
    stop = threading.Event()

    total = work(interval=0.01, stop=stop, on_batch=lambda report: stop.set())

    assert total.sent == 1
    assert len(smtp_server.wait_for(1)) == 1


def test_without_smtp_or_dev_mailbox_nothing_is_claimed(app_ctx, config):
    config["MAIL_SERVER"] = None
    config["DEV_MAILBOX"] = False
    message_id = queue()
    with pytest.raises(MailNotConfigured):
        send_due()
    waiting = row(message_id)
    assert (waiting.status, waiting.attempts) == (OutboxStatus.queued, 0)


def test_work_once_command_sends_and_reports(app, app_ctx, smtp_server):
    queue(to="a@example.org")
    queue(to="b@example.org")
    runner = app.test_cli_runner()

    result = runner.invoke(args=["mail", "work", "--once"])

    assert result.exit_code == 0, result.output
    assert "2 claimed: 2 sent, 0 to retry, 0 failed" in result.output
    assert len(smtp_server.wait_for(2)) == 2

    again = runner.invoke(args=["mail", "work", "--once"])
    assert again.exit_code == 0 and "Nothing due." in again.output

    status = runner.invoke(args=["mail", "status"])
    assert status.exit_code == 0
    assert "sent     2" in status.output and "queued   0" in status.output


def test_work_command_without_mail_settings_says_why(app, app_ctx, config):
    config["MAIL_SERVER"] = None
    config["DEV_MAILBOX"] = False
    result = app.test_cli_runner().invoke(args=["mail", "work", "--once"])
    assert result.exit_code == 1
    assert "MAIL_SERVER is not set" in result.output
