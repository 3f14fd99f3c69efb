"""The lead hears about what needs a decision: each event at once, an hourly or daily
digest, or none (notes still arrive), through a real SMTP server, once only even when two
`notices send-due` runs overlap."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.actor import Actor
from app.extensions import db
from app.invitations import operations as invitation_ops
from app.mail.worker import send_due as deliver_outbox
from app.models import NoticeMode, NoticePreference, Role, utcnow
from app.notices import sending
from app.signing import listing
from app.signing import operations as signing_ops
from tests.conftest import login, post_form
from tests.support.invitation_factories import invite
from tests.support.signing_factories import SIGNER, details, make_open_letter

pytestmark = pytest.mark.smtp
BASE = "http://testserver.localhost"


@pytest.fixture
def team(make):
    org = make.organization("Open Budgets Coalition")
    lead = make.user("amara@budgets.example.org", name="Amara", organization=org)
    hourly = make.user("hugo@budgets.example.org", name="Hugo", organization=org, role=Role.member)
    quiet = make.user("nell@budgets.example.org", name="Nell", organization=org, role=Role.member)
    db.session.add(NoticePreference(user_id=lead.id, letter_id=None, mode=NoticeMode.every))
    db.session.add(NoticePreference(user_id=quiet.id, letter_id=None, mode=NoticeMode.none))
    db.session.commit()
    return lead, hourly, quiet


@pytest.fixture
def letter(team):
    letter = make_open_letter(team[0], title="Open the port accounts", moderation=True)
    return letter


def sign_on(letter, email="ana@tidewater.example.org", **kw):
    result = signing_ops.sign(letter, details(email=email, **kw), actor=SIGNER)
    signing_ops.verify(result.signature, actor=SIGNER)
    db.session.commit()
    return result.signature


def drop_signer_mail():
    deliver_outbox(worker_id="t")  # the signer's own confirmation emails go first


def test_a_sign_on_reaches_every_event_at_once_and_hourly_only_after_an_hour(
    app, app_ctx, smtp_server, team, letter
):
    lead, hourly, quiet = team
    signature = sign_on(letter)
    drop_signer_mail()
    skip = len(smtp_server.messages)

    sending.send_due()
    deliver_outbox(worker_id="t")
    mails = smtp_server.messages[skip:]
    assert [m.to for m in mails] == ["amara@budgets.example.org"]
    [mail] = mails
    assert "Tidewater Rights Project signed and awaits your decision" in mail.subject
    url = f"{BASE}/letters/{letter.slug}/signatures/{signature.id}"
    assert url in mail.text and f'href="{url}"' in mail.html
    settings = f"{BASE}/account/notices"
    assert str(mail.message["List-Unsubscribe"]).strip() == f"<{settings}>"

    # Again a minute later: nothing new for anyone (the hourly digest is not due yet).
    sending.send_due(utcnow() + timedelta(minutes=1))
    deliver_outbox(worker_id="t")
    assert len(smtp_server.messages) == skip + 1

    sending.send_due(utcnow() + timedelta(hours=1, minutes=1))
    deliver_outbox(worker_id="t")
    [digest] = smtp_server.messages[skip + 1 :]
    assert digest.to == "hugo@budgets.example.org"
    assert digest.subject == "Hourly digest: 1 update on your letters"
    assert "Tidewater Rights Project signed and awaits your decision" in digest.text
    assert url in digest.text
    # Nell chose none: nothing, then or later.
    sending.send_due(utcnow() + timedelta(days=2), force=True)
    deliver_outbox(worker_id="t")
    assert len(smtp_server.messages) == skip + 2


def test_none_gets_nothing_but_notes_and_a_note_is_in_every_notice(
    app, app_ctx, smtp_server, team, letter
):
    sign_on(letter, email="ana@tidewater.example.org")
    sign_on(
        letter,
        email="li@riverkeepers.example.org",
        organization_name="Riverkeepers",
        note_to_lead="We can only sign if the second paragraph stays.",
    )
    drop_signer_mail()
    skip = len(smtp_server.messages)
    sending.send_due(force=True)
    deliver_outbox(worker_id="t")
    by_to: dict[str, list] = {}
    for mail in smtp_server.messages[skip:]:
        by_to.setdefault(mail.to, []).append(mail)
    [note] = by_to["nell@budgets.example.org"]
    assert "Riverkeepers signed and awaits your decision" in note.subject
    assert "Note to the lead: We can only sign if the second paragraph stays." in note.text
    assert len(by_to["amara@budgets.example.org"]) == 2  # every event: one email each
    [digest] = by_to["hugo@budgets.example.org"]  # forced: the digest goes now
    assert "We can only sign if the second paragraph stays." in digest.html
    assert "Tidewater Rights Project" in digest.text


def test_declines_bounces_withdrawals_relistings_and_a_deadline_two_days_away(
    app, app_ctx, smtp_server, team, letter, config
):
    lead = team[0]
    listed = sign_on(letter, email="ana@tidewater.example.org")
    signing_ops.approve(listed, actor=Actor(label="lead", user_id=lead.id))
    db.session.commit()
    [declining, bouncing] = invite(
        letter,
        lead,
        "Delta Watch, Maria Ostrova, maria@delta.example.org",
        "Harbour Trust, Tom Reyes, tom@harbour.example.org",
    )
    smtp_server.reject_permanently("tom@harbour.example.org")
    drop_signer_mail()
    invitation_ops.decline(
        declining, reason="Our board meets too late.", actor=SIGNER, now=utcnow()
    )
    listing.update_listing(listed, actor=SIGNER, organization_name="Tidewater Rights")
    letter.deadline_at = utcnow() + timedelta(days=1, hours=20)
    db.session.commit()
    skip = len(smtp_server.messages)
    sending.send_due()
    deliver_outbox(worker_id="t")
    subjects = [m.subject for m in smtp_server.messages[skip:] if m.to == lead.email]
    assert any("Delta Watch declined" in s for s in subjects)
    assert any("The invitation to tom@harbour.example.org bounced" in s for s in subjects)
    assert any("changed how it is listed: approve it again" in s for s in subjects)
    assert any(s.startswith("Sign-on closes in two days: ") for s in subjects)
    decline_mail = next(m for m in smtp_server.messages[skip:] if "declined" in m.subject)
    assert f"{BASE}/letters/{letter.slug}/invitations" in decline_mail.text
    assert "Our board meets too late." in decline_mail.text

    signing_ops.withdraw(listed, actor=SIGNER)
    db.session.commit()
    skip = len(smtp_server.messages)
    sending.send_due()
    deliver_outbox(worker_id="t")
    subjects = [m.subject for m in smtp_server.messages[skip:] if m.to == lead.email]
    assert len(subjects) == 1 and "withdrew" in subjects[0]  # the deadline is not told twice


def test_two_runs_at_once_send_each_notice_once(app, smtp_server, team, letter):
    with app.app_context():
        sign_on(letter)
        sign_on(letter, email="li@riverkeepers.example.org", organization_name="Riverkeepers")
        db.session.remove()
    start = threading.Barrier(2)
    errors: list[BaseException] = []
    later = utcnow() + timedelta(hours=2)

    def run() -> None:
        try:
            with app.app_context():
                start.wait(timeout=10)
                sending.send_due(later)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with app.app_context():
        deliver_outbox(worker_id="t")
        db.session.remove()
    notices = [m for m in smtp_server.messages if m.to.endswith("@budgets.example.org")]
    assert sorted(m.to for m in notices) == [
        "amara@budgets.example.org",
        "amara@budgets.example.org",
        "hugo@budgets.example.org",
    ]


def test_the_preference_page_saves_per_letter_and_for_all(app_ctx, client, team, letter):
    lead = team[0]
    login(client, lead.email)
    page = client.get(f"/account/notices?letter={letter.slug}").get_data(as_text=True)
    assert "An hourly digest" in page and "Open the port accounts" in page
    assert 'id="all-every" name="all" value="every" checked' in page
    response = post_form(
        client,
        "/account/notices",
        {"all": "daily", f"letter-{letter.id}": "none"},
        follow_redirects=True,
    )
    assert "Your email preferences are saved." in response.get_data(as_text=True)
    rows = dict(
        db.session.execute(
            sa.select(NoticePreference.letter_id, NoticePreference.mode).where(
                NoticePreference.user_id == lead.id
            )
        ).all()
    )
    assert rows == {None: NoticeMode.daily, letter.id: NoticeMode.none}
    # A made-up mode changes nothing and is no error.
    assert post_form(client, "/account/notices", {"all": "weekly"}).status_code == 302
    assert client.get("/auth/account").get_data(as_text=True).count("/account/notices") == 1
    overview = client.get(f"/letters/{letter.slug}").get_data(as_text=True)
    assert f"/account/notices?letter={letter.slug}" in overview


def test_notices_send_due_command_with_force(app, app_ctx, smtp_server, team, letter):
    sign_on(letter)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["notices", "send-due"])
    assert result.exit_code == 0 and "1 notice email queued." in result.output
    result = runner.invoke(args=["notices", "send-due", "--force"])
    assert "1 notice email queued." in result.output  # Hugo's digest, sent early
    assert "0 notice emails queued." in runner.invoke(args=["notices", "send-due"]).output
