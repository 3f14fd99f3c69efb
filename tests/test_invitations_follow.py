"""The invitations page follows its own sending: the counts and the rows come from one
statement; "Resend" only once an email has left; "Remind" only while the letter is open, and
never to whoever signed, declined, withdrew or had their signature withdrawn. Skipped rows
of a CSV upload are corrected in place, like pasted lines."""

from __future__ import annotations

import io
import re

import pytest

from app.errors import Refused
from app.extensions import db
from app.invitations import operations, reminders
from app.models import InvitationStatus, LetterStatus
from tests.conftest import login, post_form
from tests.letters_support import actor_for, make_letter
from tests.support.invitation_factories import (
    invite,
    make_signature,
    open_letter,
    set_status,
)
from tests.test_invitations_pages import hidden, invitations

STATES = ("queued", "held", "sent", "opened", "failed", "signed", "declined", "withdrawn")


@pytest.fixture
def lead(make):
    return make.user("lena@lead.example.org", name="Lena Lead")


def one_of_each(letter, lead) -> dict[str, object]:
    rows = invite(letter, lead, *(f"{s.title()} Org <{s}@delta.example.org>" for s in STATES))
    for row, state in zip(rows, STATES, strict=True):
        set_status(row, state)
    return dict(zip(STATES, rows, strict=True))


def test_resend_is_offered_only_once_the_email_has_left(client, lead):
    letter = open_letter(lead)
    rows = one_of_each(letter, lead)
    login(client, lead.email)
    page = client.get(f"/letters/{letter.slug}/invitations").get_data(as_text=True)
    offered = {s for s, inv in rows.items() if f'id="resend-{inv.id}"' in page}
    assert offered == {"sent", "opened", "failed", "withdrawn"}  # withdrawn: "Invite again"
    for state in ("queued", "held"):
        with pytest.raises(Refused):
            operations.resend(rows[state], inviter=lead, actor=actor_for(lead))
        db.session.rollback()
    response = post_form(
        client,
        f"/letters/{letter.slug}/invitations/{rows['queued'].id}/resend",
        token_from=f"/letters/{letter.slug}/invitations",
    )
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "has not left yet" in follow


def test_the_counts_and_the_rows_agree_and_held_ones_are_not_sending(client, lead):
    letter = open_letter(lead)
    one_of_each(letter, lead)
    login(client, lead.email)
    page = client.get(f"/letters/{letter.slug}/invitations").get_data(as_text=True)
    counts = dict(re.findall(r'data-status="(\w+)">[^<]*<span class="count">(\d+)</span>', page))
    assert counts == {s: "1" for s in STATES}
    # 7 not withdrawn, one of them held until the letter opens: 6 on their way, 5 left.
    assert "Sending: 5 of 6 invitations have left the outbox." in page
    assert (
        'id="inv-counts" data-progress-part' in page and 'id="inv-rows" data-progress-part' in page
    )
    queued_only = client.get(f"/letters/{letter.slug}/invitations?status=queued").get_data(
        as_text=True
    )
    assert "queued@delta.example.org" in queued_only and "sent@delta.example.org" not in queued_only


@pytest.mark.parametrize("status", ["draft", "closed", "final"])
def test_remind_is_not_offered_unless_the_letter_is_open(client, lead, status):
    letter = make_letter(lead, status=status)
    if status != "draft":
        invitation = invite(open_letter(lead, title="Other"), lead, "x@delta.example.org")[0]
        invitation.letter_id = letter.id  # an invitation sent while it was open
        set_status(invitation, "sent")
    login(client, lead.email)
    page = client.get(f"/letters/{letter.slug}/invitations").get_data(as_text=True)
    assert "Remind those who have not answered" not in page
    response = client.get(f"/letters/{letter.slug}/invitations/remind")
    assert response.status_code == 302
    assert "Reminders go only while the letter is open" in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    db.session.expire_all()
    assert letter.status is LetterStatus(status)


def test_reminders_skip_whoever_answered_in_any_way(app_ctx, lead):
    letter = open_letter(lead)
    rows = one_of_each(letter, lead)
    extra = invite(
        letter,
        lead,
        "Took It Back <took-back@delta.example.org>",
        "Rejected <rejected@delta.example.org>",
        "Waiting <waiting@delta.example.org>",
    )
    for invitation in extra:
        set_status(invitation, "opened")
    # Signed through the open link with the same addresses, then withdrew / was rejected.
    make_signature(letter, "took-back@delta.example.org", status="withdrawn")
    make_signature(letter, "rejected@delta.example.org", status="rejected")
    waiting = {i.email for i in db.session.scalars(reminders.not_answered(letter))}
    assert waiting == {
        "sent@delta.example.org",
        "opened@delta.example.org",
        "waiting@delta.example.org",
    }
    count = operations.remind(letter, batch="ab" * 8, inviter=lead, actor=actor_for(lead))
    db.session.commit()
    assert count == 3
    reminded = {i.email for i in invitations(letter) if i.reminders_sent}
    assert reminded == waiting
    assert rows["signed"].status is InvitationStatus.signed


def test_skipped_csv_rows_are_corrected_in_place(client, lead):
    letter = open_letter(lead)
    login(client, lead.email)
    csv = (
        "Organization;Contact;Email\n"
        "Friends of the Delta;Maria Ostrova;maria@delta.example.org\n"
        "Harbour Trust;Tom Reyes;tom@harbour\n"
        '"Quoted; Org";Ida;not-an-address\n'
    )
    response = client.post(
        f"/letters/{letter.slug}/invitations/new",
        data={
            "from": "list",
            "csrf_token": hidden(
                client.get(f"/letters/{letter.slug}/invitations/new").get_data(as_text=True),
                "csrf_token",
            ),
            "upload": (io.BytesIO(csv.encode()), "partners.csv"),
            "message": "Hello partners.",
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert "<strong>1</strong> organization will be invited" in page
    assert 'name="fix-3" value="Harbour Trust;Tom Reyes;tom@harbour"' in page
    assert 'name="fix-4"' not in page  # a quoted row may span lines: listed, not edited
    data = {k: hidden(page, k) for k in ("source", "kind", "fingerprint")}
    data.update(
        {"message": "Hello partners.", "fix-3": "Harbour Trust;Tom Reyes;tom@harbour.example.org"}
    )
    again = post_form(
        client,
        f"/letters/{letter.slug}/invitations/preview",
        data,
        token_from=f"/letters/{letter.slug}/invitations/new",
    ).get_data(as_text=True)
    assert "<strong>2</strong> organizations will be invited" in again
    assert hidden(again, "kind") == "csv"
    assert "Hello partners." in again
    data = {k: hidden(again, k) for k in ("source", "kind", "fingerprint")}
    data.update(message="Hello partners.", action="send")
    post_form(
        client,
        f"/letters/{letter.slug}/invitations/send",
        data,
        token_from=f"/letters/{letter.slug}/invitations/new",
    )
    assert {i.email for i in invitations(letter)} == {
        "maria@delta.example.org",
        "tom@harbour.example.org",
    }
