"""The invitation pages: paste, preview, send; the list with counts, filter, sort; resend and
withdraw; who may see them."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa
from werkzeug.test import encode_multipart

from app.extensions import db
from app.models import AuditEvent, Invitation, InvitationStatus, OutboxMessage
from tests.conftest import csrf_token, login, post_form
from tests.letters_support import add_collaborator, make_letter
from tests.support.invitation_factories import (
    invite,
    make_signature,
    open_letter,
    outbox_for,
    set_status,
)

PASTE = (
    "Friends of the Delta <maria@delta.example.org>\n"
    "Lakeside Tenants Union, Joon Park, joon@lakeside.example.org\n"
    "not an address\n"
    "info@riverwatch.example.net\n"
    "Again <Maria@Delta.example.org>\n"
)


@pytest.fixture
def lead(make):
    return make.user("lena@lead.example.org", name="Lena Lead")


@pytest.fixture
def letter(lead):
    return open_letter(lead)


def hidden(page: str, name: str) -> str:
    """The value of a hidden field of the page, as the browser would send it back."""
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', page
    )
    assert match, f"no hidden field {name}"
    return html.unescape(match.group(1))


def preview(client, letter, text: str):
    path = f"/letters/{letter.slug}/invitations/new"
    return post_form(client, path, {"pasted": text, "from": "list"})


def send_from(client, letter, page: str, message: str = ""):
    data = {k: hidden(page, k) for k in ("source", "kind", "fingerprint")}
    data["message"] = message
    return post_form(
        client,
        f"/letters/{letter.slug}/invitations/send",
        data,
        token_from=f"/letters/{letter.slug}/invitations/new",
    )


def invitations(letter) -> list[Invitation]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Invitation).where(Invitation.letter_id == letter.id).order_by(Invitation.id)
        )
    )


def test_paste_preview_then_send(client, lead, letter):
    login(client, lead.email)
    response = preview(client, letter, PASTE)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>3</strong> organizations will be invited" in page
    assert "<strong>2</strong> lines will be skipped" in page
    assert re.search(r"<td>3</td>.*Bad address", page, re.S)
    assert "Duplicate: the same address as line 1." in page
    assert "Invite 3 organizations" in page
    assert invitations(letter) == []  # a preview changes nothing

    response = send_from(client, letter, page, message="We hope you can join us.")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/letters/{letter.slug}/invitations")
    rows = invitations(letter)
    assert [(i.organization_name, i.contact_name, i.email, i.status) for i in rows] == [
        ("Friends of the Delta", "", "maria@delta.example.org", InvitationStatus.queued),
        (
            "Lakeside Tenants Union",
            "Joon Park",
            "joon@lakeside.example.org",
            InvitationStatus.queued,
        ),
        ("", "", "info@riverwatch.example.net", InvitationStatus.queued),
    ]
    [email] = outbox_for(rows[1])
    assert email.to_addr == "joon@lakeside.example.org"
    assert email.reply_to == lead.email
    assert email.kind == "invitation"
    assert "We hope you can join us." in email.text_body
    assert "Dear Joon Park" in email.text_body
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "invitations.invited")
    )
    assert event.details["count"] == 3

    listing = client.get(f"/letters/{letter.slug}/invitations").get_data(as_text=True)
    # Followed in place by a script, never a page that reloads itself (WCAG 2.2.1).
    assert 'http-equiv="refresh"' not in listing
    assert 'data-progress="running"' in listing and "js/progress.js" in listing
    assert "Sending: 0 of 3 invitations have left the outbox." in listing


def test_preview_marks_already_invited_and_already_signed(client, lead, letter):
    invite(letter, lead, "Delta <maria@delta.example.org>")
    make_signature(letter, "joon@lakeside.example.org")
    login(client, lead.email)
    page = preview(
        client,
        letter,
        "maria+x@delta.example.org\njoon@lakeside.example.org\nnew@harbor.example.org\n",
    ).get_data(as_text=True)
    assert "Already invited (waiting to be sent)." in page
    assert "Already signed this letter." in page
    assert "Invite 1 organization<" in page


def test_send_refuses_when_the_list_changed_since_the_preview(client, lead, letter):
    login(client, lead.email)
    page = preview(client, letter, "a@delta.example.org\nb@delta.example.org").get_data(
        as_text=True
    )
    invite(letter, lead, "b@delta.example.org")  # someone else, meanwhile
    response = send_from(client, letter, page)
    assert response.status_code == 200
    assert "Something changed since the preview" in response.get_data(as_text=True)
    assert [i.email for i in invitations(letter)] == ["b@delta.example.org"]


def test_csv_upload_reports_bad_rows_and_imports_only_the_good_ones(client, lead, letter):
    import io

    login(client, lead.email)
    csv_bytes = (
        "\ufeffEmail;Organization;Contact\n"
        "ana@bread.example.org;Bread and Roses;Ana Ruiz\n"
        "broken@;Broken Org;\n"
        "li@harbor.example.org;Harbor Defenders;Li Wei\n"
    ).encode()
    path = f"/letters/{letter.slug}/invitations/new"
    response = post_form(
        client,
        path,
        {"from": "list", "upload": (io.BytesIO(csv_bytes), "partners.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert "<strong>2</strong> organizations will be invited" in page
    assert "<strong>1</strong> row will be skipped" in page
    assert re.search(r"<td>3</td><td>Broken Org</td>.*Bad address", page, re.S)
    response = send_from(client, letter, page)
    assert response.status_code == 302
    assert [i.email for i in invitations(letter)] == [
        "ana@bread.example.org",
        "li@harbor.example.org",
    ]
    flashed = client.get(f"/letters/{letter.slug}/invitations").get_data(as_text=True)
    assert "2 invitations queued for sending. 1 row skipped, as the preview showed." in flashed


def test_csv_without_email_column_says_so(client, lead, letter):
    import io

    login(client, lead.email)
    response = post_form(
        client,
        f"/letters/{letter.slug}/invitations/new",
        {"from": "list", "upload": (io.BytesIO(b"Org,Name\nA,B\n"), "x.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "The file has no email column." in response.get_data(as_text=True)


def test_a_draft_letter_cannot_invite(client, lead):
    draft = make_letter(lead, title="Not yet open")
    login(client, lead.email)
    page = preview(client, draft, "a@delta.example.org").get_data(as_text=True)
    # A plain "send" posted to a draft (an old page): refused on the same page, list kept.
    response = send_from(client, draft, page)
    assert response.status_code == 409
    again = response.get_data(as_text=True)
    assert "Open the letter for sign-on before inviting partners" in again
    assert hidden(again, "source") == "a@delta.example.org"
    assert "Open the letter and send 1 invitation" in again
    assert invitations(draft) == []


def test_list_counts_filter_sort_resend_and_withdraw(client, lead, letter):
    a, b, c = invite(
        letter,
        lead,
        "Zeta Group <z@zeta.example.org>",
        "Alpha Fund <a@alpha.example.org>",
        "Mid Org <m@mid.example.org>",
    )
    set_status(b, "failed", failure_reason="550 5.1.1 No such user here")
    set_status(c, "declined", decline_reason="Our board has not met.")
    login(client, lead.email)
    page = client.get(f"/letters/{letter.slug}/invitations").get_data(as_text=True)
    assert re.search(r'data-status="failed">Bounced <span class="count">1</span>', page)
    assert "550 5.1.1 No such user here" in page
    assert "“Our board has not met.”" in page

    page = client.get(f"/letters/{letter.slug}/invitations?status=failed").get_data(as_text=True)
    assert "a@alpha.example.org" in page and "z@zeta.example.org" not in page

    page = client.get(f"/letters/{letter.slug}/invitations?sort=organization&dir=asc").get_data(
        as_text=True
    )
    assert page.index("Alpha Fund") < page.index("Mid Org") < page.index("Zeta Group")

    response = post_form(
        client,
        f"/letters/{letter.slug}/invitations/{b.id}/resend",
        token_from=f"/letters/{letter.slug}/invitations",
    )
    assert response.status_code == 302
    db.session.refresh(b)
    assert b.status is InvitationStatus.queued and b.failure_reason == ""
    assert len(outbox_for(b)) == 2

    post_form(
        client,
        f"/letters/{letter.slug}/invitations/{a.id}/withdraw",
        token_from=f"/letters/{letter.slug}/invitations",
    )
    db.session.refresh(a)
    assert a.status is InvitationStatus.withdrawn
    # Its email had not gone yet: it never will.
    assert [m.status.value for m in outbox_for(a)] == ["failed"]
    assert outbox_for(a)[0].last_error == "invitation withdrawn by the lead"


def test_resend_to_a_declined_invitation_is_refused(client, lead, letter):
    [inv] = invite(letter, lead, "d@delta.example.org")
    set_status(inv, "declined")
    login(client, lead.email)
    response = post_form(
        client,
        f"/letters/{letter.slug}/invitations/{inv.id}/resend",
        token_from=f"/letters/{letter.slug}/invitations",
        follow_redirects=True,
    )
    assert "declined this invitation; it is not sent again" in response.get_data(as_text=True)
    assert len(outbox_for(inv)) == 1


def test_only_the_lead_organization_sees_invitations(app, client, make, lead, letter):
    editor = make.user("ed@colead.example.org")
    add_collaborator(letter, editor, "editor")
    stranger = make.user("who@else.example.org")
    login(client, editor.email)
    assert client.get(f"/letters/{letter.slug}/invitations").status_code == 403
    assert client.get(f"/letters/{letter.slug}/invitations/new").status_code == 403
    other = app.test_client()
    login(other, stranger.email)
    assert other.get(f"/letters/{letter.slug}/invitations").status_code == 404
    assert other.get(f"/orgs/{letter.organization_id}/partners").status_code == 404


def test_five_thousand_rows_in_one_request(client, lead, letter, capsys):
    import time

    from sqlalchemy import event

    lines = [
        f"Partner Org {n}, Contact {n}, contact{n}@org{n % 97}.example.org" for n in range(5000)
    ]
    lines[10] = "Broken Org, Nobody, nobody@"
    login(client, lead.email)
    statements = []

    def count(*args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        started = time.perf_counter()
        page = preview(client, letter, "\n".join(lines)).get_data(as_text=True)
        preview_seconds = time.perf_counter() - started
        assert "<strong>4,999</strong> organizations will be invited" in page
        assert re.search(r"<td>11</td><td>Broken Org</td>", page)
        statements.clear()
        started = time.perf_counter()
        response = send_from(client, letter, page)
        send_seconds = time.perf_counter() - started
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 302
    total = db.session.scalar(sa.select(sa.func.count()).where(Invitation.letter_id == letter.id))
    assert total == 4999
    queued = db.session.scalar(
        sa.select(sa.func.count()).where(OutboxMessage.ref_type == "invitations")
    )
    assert queued == 4999
    # Bulk statements, not one per row (the CSRF page fetch and login add a few).
    assert len(statements) < 80, len(statements)
    with capsys.disabled():
        print(
            f"\n5,000 rows: preview {preview_seconds:.2f}s, send {send_seconds:.2f}s, "
            f"{len(statements)} SQL statements for the send request"
        )


def test_one_thousand_invitations_return_at_once(client, lead, letter, capsys):
    import time

    lines = [f"Org {n}, Person {n}, person{n}@partner{n}.example.org" for n in range(1000)]
    login(client, lead.email)
    page = preview(client, letter, "\n".join(lines)).get_data(as_text=True)
    token = hidden(page, "csrf_token")
    data = {k: hidden(page, k) for k in ("source", "kind", "fingerprint")}
    started = time.perf_counter()
    response = client.post(
        f"/letters/{letter.slug}/invitations/send",
        data={**data, "csrf_token": token, "message": ""},
    )
    seconds = time.perf_counter() - started
    assert response.status_code == 302
    # Nothing is sent in the request: the rows wait in the outbox for the worker.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1000
    assert seconds < 10
    with capsys.disabled():
        print(f"\n1,000 invitations: send request {seconds:.2f}s")


def test_a_pasted_list_larger_than_the_usual_form_field_limit(client, lead, letter):
    padding = "x" * 60
    lines = [f"Org {padding} {n}, Person {n}, p{n}@partner{n}.example.org" for n in range(6000)]
    text = "\n".join(lines)
    assert len(text.encode()) > 500_000
    login(client, lead.email)
    path = f"/letters/{letter.slug}/invitations/new"
    fields = {"pasted": text, "from": "list", "csrf_token": csrf_token(client, path)}
    # Encoded here, in memory: the test client would spool a body this large to a temporary file.
    boundary, body = encode_multipart(fields)
    response = client.post(
        path, data=body, content_type=f'multipart/form-data; boundary="{boundary}"'
    )
    assert response.status_code == 200
    assert "<strong>6,000</strong> organizations will be invited" in response.get_data(as_text=True)
