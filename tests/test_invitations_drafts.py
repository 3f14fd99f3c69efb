"""Inviting on a draft never fails at the last click nor throws work away: "Open the letter
and send N invitations" in one click, or "Keep them: send when the letter opens"; every
refusal brings the page back with the list, the message and the reason. The final buttons
also work straight from the first page, with the live check's fingerprint."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import workflow
from app.extensions import db
from app.letters.text import LetterText
from app.models import (
    AuditEvent,
    InvitationStatus,
    LetterStatus,
    Signature,
    utcnow,
)
from tests.conftest import csrf_token, login, post_form
from tests.letters_support import MINISTRY, actor_for, make_letter
from tests.support.invitation_factories import open_letter, outbox_for
from tests.test_invitations_pages import hidden, invitations, preview

LIST = (
    "Friends of the Delta <maria@delta.example.org>\n"
    "Lakeside Tenants Union, Joon Park, joon@lakeside.example.org\n"
    "not an address\n"
)
MESSAGE = "We would be glad to have you with us."


@pytest.fixture
def lead(make):
    return make.user(
        "lena@lead.example.org",
        name="Lena Lead",
        organization=make.organization("Open Budgets Now"),
    )


@pytest.fixture
def draft(lead):
    letter = make_letter(lead, title="Not yet open", lead_signs=True)
    return letter


def last_step(client, letter, page: str, action: str, message: str = MESSAGE):
    data = {k: hidden(page, k) for k in ("source", "kind", "fingerprint")}
    data.update(message=message, action=action)
    return post_form(
        client,
        f"/letters/{letter.slug}/invitations/send",
        data,
        token_from=f"/letters/{letter.slug}/invitations/new",
    )


def test_a_draft_offers_open_and_send_or_keep_them(client, lead, draft):
    login(client, lead.email)
    page = preview(client, draft, LIST).get_data(as_text=True)
    assert "Open the letter and send 2 invitations" in page
    assert "Keep them: send when the letter opens" in page
    assert "Invite 2 organizations" not in page


def test_open_and_send_in_one_click(client, lead, draft):
    login(client, lead.email)
    page = preview(client, draft, LIST).get_data(as_text=True)
    response = last_step(client, draft, page, "open")
    assert response.status_code == 302
    db.session.expire_all()
    assert draft.status is LetterStatus.open
    # Opening through the workflow: the lead organization is listed.
    signature = db.session.scalar(sa.select(Signature).where(Signature.letter_id == draft.id))
    assert signature.organization_name == "Open Budgets Now"
    rows = invitations(draft)
    assert [i.status for i in rows] == [InvitationStatus.queued] * 2
    [email] = outbox_for(rows[1])
    assert MESSAGE in email.text_body
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The letter is open. 2 invitations queued for sending." in follow


def test_opening_refused_keeps_the_list_and_the_message(client, lead, make):
    letter = make_letter(
        lead,
        title="No salutation yet",
        text=LetterText(recipients=(MINISTRY,), salutation="", body="We write.", closing=""),
    )
    login(client, lead.email)
    page = preview(client, letter, LIST).get_data(as_text=True)
    response = last_step(client, letter, page, "open")
    assert response.status_code == 409
    again = response.get_data(as_text=True)
    assert "Before it can be opened, the letter needs a salutation." in again
    assert f'href="/letters/{letter.slug}/edit"' in again
    assert hidden(again, "source") == LIST.strip()
    assert MESSAGE in again  # the message, still in its box
    assert "Open the letter and send 2 invitations" in again
    db.session.expire_all()
    assert letter.status is LetterStatus.draft
    assert invitations(letter) == []


def test_keep_them_then_they_go_with_the_message_when_the_letter_opens(client, lead, draft):
    login(client, lead.email)
    page = preview(client, draft, LIST).get_data(as_text=True)
    response = last_step(client, draft, page, "hold")
    assert response.status_code == 302
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 invitations kept: they will be sent when the letter opens." in follow
    assert "Held until the letter opens" in follow
    rows = invitations(draft)
    assert [i.status for i in rows] == [InvitationStatus.held] * 2
    assert all(outbox_for(i) == [] for i in rows)
    assert (
        db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "invitations.held")
        ).details["count"]
        == 2
    )

    workflow.open_letter(draft, actor=actor_for(lead))
    db.session.commit()
    rows = invitations(draft)
    assert [i.status for i in rows] == [InvitationStatus.queued] * 2
    [email] = outbox_for(rows[0])
    assert MESSAGE in email.text_body
    assert email.reply_to == lead.email


def test_a_held_address_pasted_again_shows_as_kept(client, lead, draft):
    login(client, lead.email)
    page = preview(client, draft, LIST).get_data(as_text=True)
    last_step(client, draft, page, "hold")
    again = preview(client, draft, LIST).get_data(as_text=True)
    assert "Already invited (kept until the letter opens)." in again


def test_keep_them_is_refused_once_the_letter_is_open(client, lead, draft):
    login(client, lead.email)
    page = preview(client, draft, LIST).get_data(as_text=True)
    workflow.open_letter(draft, actor=actor_for(lead))  # a co-lead opened it meanwhile
    db.session.commit()
    response = last_step(client, draft, page, "hold")
    assert response.status_code == 409
    again = response.get_data(as_text=True)
    assert "not a draft" in again
    assert "Invite 2 organizations" in again  # the page now offers what the letter allows
    assert hidden(again, "source") == LIST.strip()


@pytest.mark.parametrize("why", ["deadline", "archived"])
def test_every_refusal_keeps_what_was_typed(client, lead, why):
    letter = open_letter(lead)
    login(client, lead.email)
    page = preview(client, letter, LIST).get_data(as_text=True)
    if why == "deadline":
        letter.deadline_at = utcnow() - timedelta(hours=1)
    else:
        letter.archived_at = utcnow()
    db.session.commit()
    response = last_step(client, letter, page, "send")
    assert response.status_code == 409
    again = response.get_data(as_text=True)
    assert ("deadline has passed" if why == "deadline" else "archived") in again
    assert hidden(again, "source") == LIST.strip()
    assert MESSAGE in again
    assert invitations(letter) == []


def test_a_message_too_long_comes_back_with_the_list(client, lead):
    letter = open_letter(lead)
    login(client, lead.email)
    page = preview(client, letter, LIST).get_data(as_text=True)
    response = last_step(client, letter, page, "send", message="x" * 2001)
    assert response.status_code == 422
    again = response.get_data(as_text=True)
    assert hidden(again, "source") == LIST.strip()
    assert "x" * 2001 in again
    assert invitations(letter) == []


# The first page: the live check and its final buttons ----------------------------------------


def check(client, letter, text: str, *, token: bool = True):
    path = f"/letters/{letter.slug}/invitations/check"
    data = {"pasted": text}
    if token:
        data["csrf_token"] = csrf_token(client, f"/letters/{letter.slug}/invitations/new")
    return client.post(path, data=data)


def test_the_live_check_counts_and_names_the_skipped_lines(client, lead):
    letter = open_letter(lead)
    login(client, lead.email)
    answer = check(client, letter, LIST + "again <Maria@Delta.example.org>\n").get_json()
    assert answer["invitable"] == 2 and answer["skipped"] == 2
    assert answer["summary"].startswith("2 organizations will be invited; 2 lines skipped: line 3")
    assert "line 4: Duplicate: the same address as line 1." in answer["summary"]
    assert answer["buttons"] == {"send": "Invite 2 organizations"}
    assert [r["line"] for r in answer["rows"]] == [3, 4, 1, 2]


def test_the_live_check_on_a_draft_offers_both_buttons(client, lead, draft):
    login(client, lead.email)
    answer = check(client, draft, LIST).get_json()
    assert answer["buttons"] == {
        "open": "Open the letter and send 2 invitations",
        "hold": "Keep them: send when the letter opens",
    }


def test_the_live_check_needs_the_csrf_token_the_lead_and_a_sane_size(client, lead, make):
    letter = open_letter(lead)
    login(client, lead.email)
    assert check(client, letter, LIST, token=False).status_code == 400
    huge = "a@b.example.org\n" * (9 * 1024 * 1024 // 16)
    assert check(client, letter, huge).status_code == 413

    stranger = make.user("sam@elsewhere.example.org")
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/letters/")})
    login(client, stranger.email)
    response = check(client, letter, LIST)
    assert response.status_code in (403, 404)
    assert "maria@delta" not in response.get_data(as_text=True)


def first_page_step(client, letter, text: str, action: str, fingerprint: str):
    return post_form(
        client,
        f"/letters/{letter.slug}/invitations/new",
        {
            "from": "list",
            "pasted": text,
            "message": MESSAGE,
            "fingerprint": fingerprint,
            "action": action,
        },
    )


def test_invite_straight_from_the_first_page(client, lead):
    letter = open_letter(lead)
    login(client, lead.email)
    fingerprint = check(client, letter, LIST).get_json()["fingerprint"]
    response = first_page_step(client, letter, LIST, "send", fingerprint)
    assert response.status_code == 302
    rows = invitations(letter)
    assert len(rows) == 2
    assert MESSAGE in outbox_for(rows[0])[0].text_body


def test_open_and_send_straight_from_the_first_page(client, lead, draft):
    login(client, lead.email)
    fingerprint = check(client, draft, LIST).get_json()["fingerprint"]
    assert first_page_step(client, draft, LIST, "open", fingerprint).status_code == 302
    db.session.expire_all()
    assert draft.status is LetterStatus.open
    assert len(invitations(draft)) == 2


def test_a_stale_fingerprint_from_the_first_page_leads_to_the_preview(client, lead):
    letter = open_letter(lead)
    login(client, lead.email)
    fingerprint = check(client, letter, "a@delta.example.org").get_json()["fingerprint"]
    response = first_page_step(client, letter, LIST, "send", fingerprint)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Something changed since the preview" in page
    assert hidden(page, "source") == LIST.strip()
    assert invitations(letter) == []


def test_the_first_page_has_the_live_check_and_hidden_final_buttons(client, lead, draft):
    login(client, lead.email)
    page = client.get(f"/letters/{draft.slug}/invitations/new").get_data(as_text=True)
    assert f'data-live-check="/letters/{draft.slug}/invitations/check"' in page
    assert "js/invitations-live.js" in page
    assert "data-live-final hidden" in page  # shown by the script once a list is checked
    assert 'name="action" value="open"' in page and 'name="action" value="hold"' in page
