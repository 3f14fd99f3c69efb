"""Erasing the signers' contact data of a final letter: the page, the command, retention.

The list, the frozen record, the files and the content hash must be byte for byte what they
were; the contact data must be gone from every table (searched row by row, column by column).
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.actor import Actor
from app.audit import record
from app.extensions import db
from app.models import (
    AuditEvent,
    ExportJob,
    FinalLetterRecord,
    Invitation,
    Letter,
    OutboxMessage,
    OutboxStatus,
    Signature,
    utcnow,
)
from app.signing import retention
from tests.conftest import login, post_form
from tests.letters_support import reload
from tests.support.journey import deliver
from tests.support.publishing_factories import advance
from tests.support.signing_factories import make_invitation, make_open_letter, make_signature

SIGNER_EMAILS = ("ana@tidewater.example.org", "bo@riverwatch.example.net")
INVITEE = "ines@delta-coalition.example.org"
NOTE = "Call me on my private line before publishing"
# What the signers and invitees left behind (make_signature signs from this address).
TRACES = (*SIGNER_EMAILS, INVITEE, NOTE, "Ines Invitee", "198.51.100.7", "pytest signer")
# The organization's own address book is kept (see app/signing/erasure.py).
KEPT_TABLES = {"partner_contacts"}


@pytest.fixture
def lead(make):
    return make.user("lead@example.org", name="Lena Lead")


@pytest.fixture
def final_letter(lead):
    letter = make_open_letter(lead, title="Free the river guides")
    make_signature(letter, email=SIGNER_EMAILS[0], note_to_lead=NOTE)
    make_signature(letter, email=SIGNER_EMAILS[1], organization_name="Riverwatch")
    make_signature(letter, email="carl@withdrew.example.org", status="withdrawn")
    invitation, _ = make_invitation(
        letter, INVITEE, organization_name="Delta Coalition", contact_name="Ines Invitee"
    )
    invitation.failure_reason = f"550 <{INVITEE}> mailbox full"
    record("invitation.failed", Actor.system("mail worker"), invitation,
           reason=invitation.failure_reason, outbox_id=1)  # fmt: skip
    db.session.commit()
    # Finalizing queues "the letter is final" to every listed signer; one was sent already.
    advance(letter, lead, "final")
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.to_addr == SIGNER_EMAILS[1])
        .values(status=OutboxStatus.sent, sent_at=utcnow())
    )
    db.session.commit()
    return reload(letter)


def _traces_left() -> dict[str, list[str]]:
    """Every table and column that still holds one of the traces."""
    found: dict[str, list[str]] = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name in KEPT_TABLES:
                continue
            for row in conn.execute(sa.select(table)).mappings():
                for column, value in row.items():
                    if isinstance(value, dict | list):
                        value = json.dumps(value)
                    if isinstance(value, str) and any(t.lower() in value.lower() for t in TRACES):
                        found.setdefault(table.name, []).append(column)
    return found


def _frozen_state(client, letter: Letter) -> tuple:
    pdf = client.get(f"/letters/{letter.slug}/export.pdf").get_data()
    json_file = client.get(f"/letters/{letter.slug}/export.json").get_data()
    frozen = db.session.scalar(sa.select(FinalLetterRecord))
    jobs = db.session.execute(
        sa.select(ExportJob.format, ExportJob.content_hash, ExportJob.content)
    ).all()
    return frozen.content_hash, json.dumps(frozen.data, sort_keys=True), pdf, json_file, jobs


def test_the_lead_erases_contact_data_and_the_list_does_not_change(client, final_letter):
    letter = final_letter
    login(client, "lead@example.org")
    before = _frozen_state(client, letter)
    assert before[2].startswith(b"%PDF") and before[4]  # the PDF is kept as an ExportJob
    assert set(_traces_left()) >= {"signatures", "invitations", "audit_events", "outbox"}
    page = client.get(f"/letters/{letter.slug}/erase-contacts")
    assert page.status_code == 200
    assert "3 sign-ons and 1 invitation" in page.get_data(as_text=True)
    # Without the box ticked nothing happens.
    refused = post_form(client, f"/letters/{letter.slug}/erase-contacts", {})
    assert refused.status_code == 422 and "Tick the box" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(Signature.email).where(Signature.note_to_lead == NOTE))

    done = post_form(client, f"/letters/{letter.slug}/erase-contacts", {"confirm": "y"})
    assert done.status_code == 302
    assert _traces_left() == {}
    assert _frozen_state(client, letter) == before
    signatures = db.session.scalars(sa.select(Signature)).all()
    assert all(s.email is None and s.contact_erased_at is not None for s in signatures)
    assert sorted(s.canonical_email for s in signatures) == sorted(
        f"erased:{s.id}" for s in signatures
    )
    assert db.session.scalar(sa.select(Invitation.canonical_email)).startswith("erased:")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "letter.contacts_erased")
    )
    assert event.actor_user_id == db.session.scalar(sa.select(Letter.created_by_id))
    assert event.created_at is not None and event.details["signatures"] == 3
    assert reload(letter).contacts_erased_at is not None
    # The lead's list still shows every signatory, under the same names.
    listing = client.get(f"/letters/{letter.slug}/signatures").get_data(as_text=True)
    assert "Riverwatch" in listing and "Organization Number 1" in listing
    assert listing.count("(erased)") == 3
    # Every page and file of the lead still works, without the erased data.
    paths = ["signatures.csv", "export.csv?lead=1", *(f"signatures/{s.id}" for s in signatures)]
    for path in paths:
        answer = client.get(f"/letters/{letter.slug}/{path}")
        assert answer.status_code == 200, path
        assert SIGNER_EMAILS[0] not in answer.get_data(as_text=True)


def test_only_the_lead_of_a_final_letter_may_erase(app, client, make, lead, final_letter):
    make.user("stranger@example.org", name="Sam Stranger")
    stranger = app.test_client()
    login(stranger, "stranger@example.org")
    assert stranger.get(f"/letters/{final_letter.slug}/erase-contacts").status_code == 404
    open_letter = make_open_letter(lead, title="Still open")
    make_signature(open_letter, email="dee@open.example.org")
    login(client, "lead@example.org")
    page = post_form(
        client, f"/letters/{open_letter.slug}/erase-contacts", {"confirm": "y"},
        token_from=f"/letters/{final_letter.slug}/erase-contacts",
    )  # fmt: skip
    assert page.status_code == 409 and "only once the letter is final" in page.get_data(
        as_text=True
    )
    assert (
        db.session.scalar(sa.select(Signature.email).where(Signature.letter_id == open_letter.id))
        == "dee@open.example.org"
    )


def test_the_command_asks_first_and_yes_skips_the_question(app, lead, final_letter):
    runner = app.test_cli_runner()
    slug = final_letter.slug
    no = runner.invoke(args=["letters", "erase-contacts", slug], input="n\n")
    assert no.exit_code != 0 and "Aborted" in no.output
    db.session.expire_all()
    assert _traces_left() != {}
    yes = runner.invoke(args=["letters", "erase-contacts", slug], input="y\n")
    assert yes.exit_code == 0, yes.output
    db.session.expire_all()
    assert _traces_left() == {}
    again = runner.invoke(args=["letters", "erase-contacts", slug, "--yes"])
    assert again.exit_code == 0 and "erased" in again.output


def test_the_command_with_yes_and_a_letter_that_is_not_final(app, lead, final_letter):
    runner = app.test_cli_runner()
    assert (
        runner.invoke(args=["letters", "erase-contacts", final_letter.slug, "--yes"]).exit_code == 0
    )
    db.session.expire_all()
    assert _traces_left() == {}
    other = make_open_letter(lead, title="Still open")
    refused = runner.invoke(args=["letters", "erase-contacts", other.slug, "--yes"])
    assert refused.exit_code != 0 and "only once the letter is final" in refused.output
    assert (
        runner.invoke(args=["letters", "erase-contacts", "no-such-letter", "--yes"]).exit_code != 0
    )


def _finalized(lead, title: str, days_ago: int) -> Letter:
    letter = make_open_letter(lead, title=title)
    make_signature(letter, email=f"signer@{title.split()[0].lower()}.example.org")
    advance(letter, lead, "final")
    letter = reload(letter)
    letter.finalized_at = utcnow() - timedelta(days=days_ago)
    db.session.execute(sa.delete(OutboxMessage))
    db.session.commit()
    return letter


def test_retention_erases_only_letters_past_their_period_and_warns_once(app, lead, smtp_server):
    lead.memberships[0].organization.retention_days = 30
    old = _finalized(lead, "Old letter", 31)
    soon = _finalized(lead, "Soon letter", 20)  # erased in 10 days: inside the 14-day notice
    fresh = _finalized(lead, "Fresh letter", 5)
    ids = {"old": old.id, "soon": soon.id, "fresh": fresh.id}
    runner = app.test_cli_runner()
    for _ in range(2):  # from cron, twice: the same outcome
        result = runner.invoke(args=["retention", "apply"])
        assert result.exit_code == 0, result.output
    db.session.expire_all()
    emails = dict(db.session.execute(sa.select(Signature.letter_id, Signature.email)).all())
    assert emails[ids["old"]] is None
    assert emails[ids["soon"]] == "signer@soon.example.org"
    assert emails[ids["fresh"]] == "signer@fresh.example.org"
    deliver(app)
    assert [m.to for m in smtp_server.messages] == ["lead@example.org"]
    message = smtp_server.messages[0]
    assert "Soon letter" in message.subject
    text = message.text
    assert "will then be" in text and "/letters/soon-letter/erase-contacts" in text
    erased = db.session.scalars(
        sa.select(AuditEvent.details).where(AuditEvent.action == "letter.contacts_erased")
    ).all()
    assert erased == [{"reason": "retention", "signatures": 1, "invitations": 0}]
    # Eleven days later the letter warned about is erased in its turn (without a second
    # warning), and the fresh one enters its own 14 days' notice.
    later = utcnow() + timedelta(days=11)
    report = retention.apply(now=later)
    assert (report.erased, report.notified) == (["soon-letter"], ["fresh-letter"])
    assert retention.apply(now=later).notified == []
    deliver(app)
    assert ["Fresh letter" in m.subject for m in smtp_server.messages] == [False, True]


def test_an_org_admin_sets_the_retention_period(client, make, lead):
    login(client, "lead@example.org")
    page = client.get("/orgs/").get_data(as_text=True)
    assert "erased 180 days after the letter is final" in page
    post_form(client, f"/orgs/{lead.memberships[0].organization_id}/retention", {"days": "60"},
              token_from="/orgs/")  # fmt: skip
    assert "erased 60 days after" in client.get("/orgs/").get_data(as_text=True)
    bad = post_form(client, f"/orgs/{lead.memberships[0].organization_id}/retention",
                    {"days": "0"}, token_from="/orgs/", follow_redirects=True)  # fmt: skip
    assert "from 1 to 3650" in bad.get_data(as_text=True)


def test_a_member_who_is_not_admin_cannot_change_the_retention_period(client, make, lead):
    organization = lead.memberships[0].organization
    make.user("member@example.org", organization=organization, role="member")
    login(client, "member@example.org")
    page = client.get("/orgs/").get_data(as_text=True)
    assert "erased 180 days after" in page and "Save retention period" not in page
    answer = post_form(client, f"/orgs/{organization.id}/retention", {"days": "1"},
                       token_from="/orgs/")  # fmt: skip
    assert answer.status_code == 403
    db.session.expire_all()
    assert db.session.get(type(organization), organization.id).retention_days == 180


@pytest.mark.browser
def test_in_a_browser_the_lead_ticks_the_box_and_erases(page, final_letter):
    from tests.support.axe import assert_accessible

    page.goto("/auth/login")
    page.get_by_label("Email").fill("lead@example.org")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/letters/")
    page.goto(f"/letters/{final_letter.slug}/signatures")
    page.get_by_role("link", name="Erase contact data").click()
    page.get_by_role("heading", name="Erase the signers' contact data").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Erase contact data").click()
    page.get_by_text("Tick the box to confirm the erasure.").first.wait_for()
    page.get_by_label("I understand that the signers' contact data will be erased").check()
    page.get_by_role("button", name="Erase contact data").click()
    page.get_by_text("The signers' contact data is erased.").wait_for()
    assert SIGNER_EMAILS[0] not in page.content()
