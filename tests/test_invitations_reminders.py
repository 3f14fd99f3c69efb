"""Reminders: only to those who have not answered, each at most once, by hand (with a
preview) or N days before the deadline from `flask reminders send-due`."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.invitations import cli as reminders_cli
from app.invitations import tracking
from app.mail.worker import send_due
from app.models import (
    Invitation,
    InvitationStatus,
    LetterStatus,
    OutboxMessage,
    ReminderSent,
    utcnow,
)
from tests.conftest import login, post_form
from tests.support.invitation_factories import (
    days_from_now,
    invite,
    link_token,
    make_signature,
    open_letter,
    set_status,
    token_of,
)

LINES = (
    "Waiting Sent <sent@delta.example.org>",
    "Waiting Opened <opened@delta.example.org>",
    "Signed Org <signed@delta.example.org>",
    "Declined Org <declined@delta.example.org>",
    "Withdrawn Org <withdrawn@delta.example.org>",
    "Bounced Org <bounced@delta.example.org>",
    "Still Queued <queued@delta.example.org>",
    "Signed Elsewhere <open-link@delta.example.org>",
)
SHOULD_GET_ONE = {"sent@delta.example.org", "opened@delta.example.org"}


@pytest.fixture
def lead(make):
    return make.user("amara@budgets.example.org", name="Amara Okafor")


def in_every_state(letter, lead) -> dict[str, Invitation]:
    invitations = {i.email: i for i in invite(letter, lead, *LINES)}
    states = {
        "sent@delta.example.org": "sent",
        "opened@delta.example.org": "opened",
        "signed@delta.example.org": "signed",
        "declined@delta.example.org": "declined",
        "withdrawn@delta.example.org": "withdrawn",
        "bounced@delta.example.org": "failed",
        "open-link@delta.example.org": "sent",
    }
    for email, state in states.items():
        set_status(invitations[email], state)
    # Signed through the open link with the same address (a +tag): answered all the same.
    make_signature(letter, "open-link+news@delta.example.org")
    return invitations


def reminded(smtp_server) -> list[str]:
    return sorted(m.to for m in smtp_server.messages if m.subject.startswith("Reminder"))


def test_reminder_by_hand_previews_who_and_sends_once(client, smtp_server, lead):
    letter = open_letter(lead)
    invitations = in_every_state(letter, lead)
    first_link = token_of(invitations["sent@delta.example.org"])
    login(client, lead.email)
    path = f"/letters/{letter.slug}/invitations/remind"
    page = client.get(path).get_data(as_text=True)
    assert "Send 2 reminders" in page
    for email in SHOULD_GET_ONE:
        assert email in page
    assert "signed@delta.example.org" not in page and "queued@delta.example.org" not in page
    batch = re.search(r'name="batch"[^>]*value="([0-9a-f]+)"', page).group(1)

    assert post_form(client, path, {"batch": batch}).status_code == 302
    assert post_form(client, path, {"batch": batch}).status_code == 302  # a double click
    with client.application.app_context():
        send_due(worker_id="t")
    assert reminded(smtp_server) == sorted(SHOULD_GET_ONE)
    mail = next(
        m
        for m in smtp_server.messages
        if m.to == "sent@delta.example.org" and m.subject.startswith("Reminder")
    )
    assert mail.message["Reply-To"] == lead.email
    assert "we have not heard from you yet" in mail.text
    fresh = link_token(mail.text)
    assert fresh != first_link
    same = invitations["sent@delta.example.org"].id
    assert tracking.find_by_token(fresh).id == same
    assert tracking.find_by_token(first_link).id == same  # the first email's link still works
    db.session.expire_all()
    assert db.session.get(Invitation, same).reminders_sent == 1


def test_automatic_reminder_goes_once_to_the_right_people(app_ctx, smtp_server, lead):
    letter = open_letter(lead, deadline=days_from_now(2), reminder_days=3)
    in_every_state(letter, lead)
    for invitation in db.session.scalars(sa.select(Invitation)):
        invitation.created_at = utcnow() - timedelta(days=5)  # invited before the reminder was due
    invite(letter, lead, "Late Comer <late@delta.example.org>")  # invited after it: not reminded
    late = db.session.scalar(
        sa.select(Invitation).where(Invitation.email == "late@delta.example.org")
    )
    set_status(late, "sent")

    assert reminders_cli.send_due() == (2, 0)
    assert reminders_cli.send_due() == (0, 0)  # cron again a few minutes later
    send_due(worker_id="t")
    assert reminded(smtp_server) == sorted(SHOULD_GET_ONE)
    kinds = set(db.session.scalars(sa.select(ReminderSent.kind)))
    assert kinds == {"deadline-3d"}


def test_no_automatic_reminder_before_its_day_or_without_a_setting(app_ctx, lead):
    early = open_letter(lead, title="Early", deadline=days_from_now(10), reminder_days=3)
    unset = open_letter(lead, title="Unset", deadline=days_from_now(1))
    for letter in (early, unset):
        [inv] = invite(letter, lead, f"x@{letter.slug}.example.org")
        set_status(inv, "sent", created_at=utcnow() - timedelta(days=20))
    assert reminders_cli.send_due() == (0, 0)


def test_send_due_closes_letters_past_their_deadline(app, app_ctx, lead):
    letter = open_letter(lead, deadline=days_from_now(1))
    letter.deadline_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["reminders", "send-due"])
    assert result.exit_code == 0, result.output
    assert "0 reminders queued; 1 letter closed at their deadline." in result.output
    db.session.expire_all()
    db.session.refresh(letter)
    assert letter.status is LetterStatus.closed


def test_reminder_setting_from_the_invitations_page(client, lead):
    letter = open_letter(lead, deadline=days_from_now(20))
    login(client, lead.email)
    path = f"/letters/{letter.slug}/invitations"
    response = post_form(client, f"{path}/reminder-setting", {"days": "4"}, token_from=path)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(letter), letter.id).reminder_days_before == 4
    post_form(client, f"{path}/reminder-setting", {"days": "0"}, token_from=path)
    db.session.expire_all()
    assert db.session.get(type(letter), letter.id).reminder_days_before == 4  # refused


@pytest.mark.postgres
def test_two_send_due_at_the_same_moment_send_each_reminder_once(app, lead):
    letter = open_letter(lead, deadline=days_from_now(1), reminder_days=2)
    lines = [f"Org {n} <p{n}@delta.example.org>" for n in range(300)]
    for inv in invite(letter, lead, *lines):
        inv.status, inv.created_at = InvitationStatus.sent, utcnow() - timedelta(days=3)
    db.session.commit()

    start = threading.Barrier(2)
    results: list = []
    errors: list = []

    def run() -> None:
        # Each thread is a separate `flask reminders send-due`: its own app context, session
        # and database connection.
        try:
            with app.app_context():
                start.wait()
                results.append(reminders_cli.send_due())
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sorted(queued for queued, _ in results) == [0, 300]
    db.session.expire_all()
    claims = db.session.scalar(sa.select(sa.func.count()).select_from(ReminderSent))
    per_invitation = (
        db.session.execute(
            sa.select(sa.func.count())
            .where(OutboxMessage.kind == "invitation.reminder")
            .group_by(OutboxMessage.ref_id)
        )
        .scalars()
        .all()
    )
    assert claims == 300
    assert len(per_invitation) == 300 and set(per_invitation) == {1}
