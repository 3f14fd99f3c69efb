"""Fuzzing the invitation pages: paste and CSV preview (binary and badly encoded files
included), send, reminders, resend and withdraw, the decline link and the partners' address
book. Never a 500, and nothing already saved changes unless the input was valid and the change
is the one asked for."""

from __future__ import annotations

import io
import itertools
import re
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.extensions import db, limiter
from app.invitations import parsing, partners
from app.invitations.preview import build_preview
from app.models import Invitation, Letter, Partner, PartnerContact
from tests.conftest import csrf_token, login
from tests.letters_support import actor_for
from tests.support.invitation_factories import invite, make_signature, open_letter
from tests.support.signing_factories import make_invitation
from tests.test_fuzz_letters import (
    FEW,
    FUZZ,
    HUGE,
    NASTY,
    NUMBERS,
    assert_no_server_error,
    changes_since,
    form_values,
    post,
    row_key,
    saved_rows,
    segment,
    submit,
)

PASTED = ["Friends of the Delta <maria@delta.example.org>",
          "Lakeside Tenants Union, Joon Park, joon@lakeside.example.org",
          "info@riverwatch.example.net", "Again <Maria@Delta.example.org>", "not an address"]  # fmt: skip
# Lines a spreadsheet or a hand can produce: formulas, quotes that never close, a cell larger
# than Python's csv module accepts, tabs, a name full of control characters.
ODD_LINES = [
    '=HYPERLINK("http://x"), a@b.example.org', '"never closed, a@b.example.org',
    "Org " + "x" * 140_000 + ", big@cell.example.org", '"' + "y" * 140_000 + '", q@x.example.org',
    "A\tB\tc@d.example.org\textra", "Na\u202eme <n@x.example.org>", "<>", "<a@b>", "@",
    "a@b.example.org" * 200, ",,,,", "\t\t\t", "x@" + "d" * 300 + ".org",
]  # fmt: skip
LINES = st.lists(st.sampled_from(PASTED + ODD_LINES) | NASTY, max_size=6).map("\n".join)
CSV_FILES = st.one_of(
    st.binary(max_size=600),
    st.sampled_from(
        [
            b"",
            b"\xef\xbb\xbf",
            b"\xff\xfe" + "Email\na@b.org\n".encode("utf-16-le"),
            b"Email,Organization\n\xff\xfe@x.org,Caf\xe9\n",
            b"Email\x00,Org\na@b.org\x00,x\n",
            b"Email,Org\na@b.org," + b"z" * 140_000 + b"\n",
            b'Email,Org\n"a@b.org,unclosed\n',
            b"\r\r\r",
            b"Email\r\na@b.example.org\r\n",
            b"Org;Contact\nA;B\n",
            b"E-mail;Organisation\nmaria@delta.example.org;=1+1\n",
            b"%PDF-1.7\n\x00\x01\x02",
            b"Email," * 5000 + b"\n",
            b"Email\n" + b"a@b.example.org\n" * 20,
        ]
    ),  # fmt: skip
    st.lists(st.sampled_from(PASTED) | NASTY, max_size=5).map(
        lambda cells: ("Email,Organization,Contact\n" + "\n".join(cells)).encode()
    ),
)


@pytest.fixture
def lead(make):
    return make.user("lena@lead.example.org", name="Lena Lead")


@pytest.fixture
def letter(lead):
    letter = open_letter(lead)
    invite(letter, lead, "Friends of the Delta <maria@delta.example.org>",
           "Lakeside Tenants Union, Joon Park, joon@lakeside.example.org")  # fmt: skip
    make_signature(letter, "ana@tidewater.example.org", organization="Tidewater Rights")
    return letter


@pytest.fixture
def signed_in(client, lead, letter):
    login(client, lead.email)
    return csrf_token(client, f"/letters/{letter.slug}/invitations/new")


def _invitations(letter: Letter) -> list[tuple]:
    db.session.expire_all()
    return sorted(
        (i.canonical_email, i.organization_name, i.contact_name)
        for i in db.session.scalars(db.select(Invitation).where(Invitation.letter_id == letter.id))
    )


# The list of invitations, and the sign-on chart.


def test_invitation_list_with_hostile_query_strings(client, signed_in, letter):
    before = saved_rows()
    names = st.sampled_from(["q", "status", "sort", "dir", "page", "watch"]) | NASTY

    @FEW
    @given(query=st.dictionaries(names, NASTY | NUMBERS, max_size=5))
    def attempt(query):
        base = f"/letters/{letter.slug}"
        for path in (f"{base}/invitations", f"{base}/sign-ons.svg", f"{base}/invitations/remind"):
            assert client.get(path, query_string=query).status_code < 500, (path, query)

    attempt()
    assert changes_since(before).none


# Step one: what to invite. A preview never changes anything.


def test_paste_preview_changes_nothing(client, signed_in, letter):
    path = f"/letters/{letter.slug}/invitations/new"
    before = saved_rows()

    @FUZZ
    @given(pasted=LINES, origin=st.none() | st.sampled_from(["list", "book"]) | NASTY)
    def attempt(pasted, origin):
        data = {"pasted": pasted} | ({} if origin is None else {"from": origin})
        response = post(client, path, data, signed_in)
        assert response.status_code < 500, data

    attempt()
    assert changes_since(before).none


def test_csv_upload_changes_nothing(client, signed_in, letter):
    path = f"/letters/{letter.slug}/invitations/new"
    before = saved_rows()

    @FUZZ
    @given(content=CSV_FILES, filename=NASTY, pasted=st.none() | LINES)
    def attempt(content, filename, pasted):
        data = {"from": "list", "upload": (io.BytesIO(content), filename[:200] or "x.csv")}
        if pasted is not None:
            data["pasted"] = pasted
        response = post(client, path, data, signed_in, content_type="multipart/form-data")
        assert response.status_code < 500, (content[:100], filename)
        if response.status_code == 200 and content and b"\x00" not in content:
            assert "organization" in response.get_data(as_text=True).lower()

    attempt()
    assert changes_since(before).none


def test_invite_from_the_address_book_with_hostile_choices(client, signed_in, letter):
    path = f"/letters/{letter.slug}/invitations/new"
    before = saved_rows()

    @FUZZ
    @given(choices=st.fixed_dictionaries({}, optional={"book-signed_letter": NUMBERS | NASTY,
                                                       "book-group": NUMBERS | NASTY}))  # fmt: skip
    def attempt(choices):
        response = post(client, path, {"from": "book", **choices}, signed_in)
        assert response.status_code < 500, choices

    attempt()
    assert changes_since(before).none


# Step two: send what the preview showed.

SEND_ADDS = {"invitations", "outbox", "partners", "partner_contacts", "audit_events"}


def test_send_form_with_hostile_fields(client, signed_in, letter):
    path = f"/letters/{letter.slug}/invitations/send"
    source = "\n".join(PASTED)
    fingerprint = build_preview(letter, parsing.parse_pasted(source)).fingerprint
    valid = {"source": source, "kind": "paste", "fingerprint": fingerprint, "message": "Join us"}

    @FUZZ
    @given(data=form_values(valid))
    def attempt(data):
        invited = _invitations(letter)
        response, changes = submit(client, path, data, signed_in)
        if changes.none:
            return
        # Sent: exactly the rows the preview of that same source offered, nothing else.
        assert data["fingerprint"] == fingerprint and response.status_code == 302, data
        assert changes.only(added=SEND_ADDS), (data, changes)
        assert set(invited) <= set(_invitations(letter)), data

    attempt()


def test_send_what_a_hostile_preview_offered(client, signed_in, letter):
    """Pasted text and CSV files as the preview would send them back, with the matching
    fingerprint, so that whatever the preview offered is actually invited."""
    path = f"/letters/{letter.slug}/invitations/send"

    @FEW
    @given(
        source=LINES | CSV_FILES.map(lambda b: b.decode("utf-8", "replace")),
        kind=st.sampled_from(["paste", "csv"]),
        message=st.none() | NASTY,
    )
    def attempt(source, kind, message):
        try:
            parsed = (
                parsing.parse_csv(source.encode())
                if kind == "csv"
                else parsing.parse_pasted(source)
            )
        except Exception:  # noqa: BLE001 - what the app itself would fail on is reported below
            parsed = None
        preview = build_preview(letter, parsed) if parsed is not None else None
        data = {"source": source, "kind": kind, "message": message,
                "fingerprint": preview.fingerprint if preview else "0" * 64}  # fmt: skip
        data = {k: v for k, v in data.items() if v is not None}
        invited = set(_invitations(letter))
        response, changes = submit(client, path, data, signed_in)
        if changes.none:
            return
        assert changes.only(added=SEND_ADDS), (data, changes)
        added = set(_invitations(letter)) - invited
        offered = {(r.canonical, r.organization, r.contact) for r in preview.invitable}
        assert added == offered, data

    attempt()


# Reminders, resend and withdraw.


def test_reminder_forms(client, signed_in, letter):
    base = f"/letters/{letter.slug}/invitations"
    letter_key = row_key(Letter, letter.id)

    @FUZZ
    @given(
        batch=st.none() | NASTY | st.from_regex(r"\A[0-9a-f]{16}\Z"),
        days=st.none() | NUMBERS | NASTY,
    )
    def attempt(batch, days):
        before = saved_rows()
        response = post(
            client, f"{base}/remind", {} if batch is None else {"batch": batch}, signed_in
        )
        assert response.status_code < 500, batch
        changes = changes_since(before)
        if not re.fullmatch(r"[0-9a-f]{16,64}", batch or ""):
            assert changes.none, batch
        before = saved_rows()
        setting = post(
            client, f"{base}/reminder-setting", {} if days is None else {"days": days}, signed_in
        )
        assert setting.status_code < 500, days
        changes = changes_since(before)
        if changes.changed:
            assert changes.only(changed={letter_key}, added={"audit_events"}), days
            # 1 to 60 days, or none at all (an empty box).
            assert days is None or not days.strip() or 1 <= int(days) <= 60, days

    attempt()


def test_resend_and_withdraw_with_hostile_ids_and_next(client, signed_in, letter):
    base = f"/letters/{letter.slug}/invitations"
    ids = {i.id for i in db.session.scalars(db.select(Invitation))}

    @FUZZ
    @given(
        invitation_id=NUMBERS | NASTY,
        action=st.sampled_from(["resend", "withdraw"]),
        back=st.none() | NASTY | st.sampled_from(["//evil.example/", "/letters/\\\\evil", "https://evil.example/"]),
    )  # fmt: skip
    def attempt(invitation_id, action, back):
        before = saved_rows()
        data = {} if back is None else {"next": back}
        response = post(client, f"{base}/{segment(invitation_id)}/{action}", data, signed_in)
        assert response.status_code < 500, (invitation_id, back)
        if response.status_code == 302:
            target = urlsplit(response.headers["Location"])
            assert not target.netloc and target.path.startswith("/letters/"), back
        changes = changes_since(before)
        mine = invitation_id.isascii() and invitation_id.isdigit() and int(invitation_id) in ids
        if not mine:
            assert changes.none, invitation_id
        else:
            assert changes.only(
                changed={row_key(Invitation, int(invitation_id))}
                | {k for k in changes.changed if k[0] == "outbox"},
                added={"outbox", "invitation_links", "audit_events"},
            ), (invitation_id, changes)

    attempt()


# The invitee's decline link.


def test_decline_links_with_hostile_tokens(client, letter):
    _, raw = make_invitation(letter, "someone@partner.example.org")
    before = saved_rows()

    @FUZZ
    @given(token=NASTY | st.sampled_from([raw[:-1], raw + "=", raw.lower(), raw * 5, "x" * HUGE]))
    def attempt(token):
        limiter.reset()
        path = f"/s/{segment(token)}/decline"
        assert client.get(path).status_code < 500, token
        form = {"csrf_token": csrf_token(client), "reason": token[:100]}
        assert client.post(path, data=form).status_code < 500, token

    attempt()
    assert changes_since(before).none


def test_decline_form_with_hostile_reasons(client, letter):
    numbers = itertools.count(1)

    @FUZZ
    @given(reason=st.none() | NASTY)
    def attempt(reason):
        limiter.reset()
        n = next(numbers)
        invitation, raw = make_invitation(letter, f"person{n}@partner{n}.example.org")
        path = f"/s/{raw}/decline"
        token = csrf_token(client, path)
        before = saved_rows()
        data = {"csrf_token": token} | ({} if reason is None else {"reason": reason})
        response = client.post(path, data=data)
        assert response.status_code < 500, reason
        changes = changes_since(before)
        if changes.none:
            return
        assert changes.only(changed={row_key(Invitation, invitation.id)}, added={"audit_events"})
        db.session.expire_all()
        saved = db.session.get(Invitation, invitation.id)
        assert saved.status.value == "declined" and saved.decline_reason == (reason or "").strip()

    attempt()


# The partners' address book.


@pytest.fixture
def book(lead, letter):
    """The lead organization's address book, filled by the invitations, with one group."""
    org_id = lead.organizations[0].id
    contacts = list(db.session.scalars(db.select(PartnerContact).order_by(PartnerContact.id)))
    group = partners.save_group(org_id, "Allies", [c.id for c in contacts], actor=actor_for(lead))
    db.session.commit()
    return org_id, contacts, group


def test_address_book_list_with_hostile_query_strings(client, signed_in, book):
    org_id, _, _ = book
    before = saved_rows()
    names = st.sampled_from(["q", "group", "show", "page"]) | NASTY

    @FUZZ
    @given(query=st.dictionaries(names, NASTY | NUMBERS, max_size=4), org=NUMBERS)
    def attempt(query, org):
        for path in (f"/orgs/{org_id}/partners", f"/orgs/{org}/partners"):
            assert client.get(path, query_string=query).status_code < 500, (path, query)

    attempt()
    assert changes_since(before).none


def test_address_book_picked_rows(client, signed_in, book, letter):
    org_id, contacts, group = book
    path = f"/orgs/{org_id}/partners/picked"
    contact_ids = st.lists(NUMBERS | st.sampled_from([str(c.id) for c in contacts]), max_size=3)

    @FUZZ
    @given(
        picked=contact_ids,
        values=st.fixed_dictionaries({}, optional={
            "action": st.sampled_from(["invite", "group", "ungroup"]) | NASTY,
            "letter": NUMBERS | st.just(str(letter.id)), "group_name": NASTY,
            "group_id": NUMBERS | st.just(str(group.id)),
        }),
    )  # fmt: skip
    def attempt(picked, values):
        response, changes = submit(
            client, path, {"contact": picked, **values}, signed_in, note=(picked, values)
        )
        if values.get("action") not in ("group", "ungroup"):
            assert changes.none, (picked, values)
        else:
            # Group membership only: never a contact, a partner or an invitation.
            assert not changes.tables() - {"partner_groups", "partner_group_members",
                                           "audit_events"}, changes  # fmt: skip

    attempt()


def test_address_book_partner_and_contact_forms(client, signed_in, book):
    org_id, contacts, _ = book
    contact = contacts[0]
    partner = db.session.get(Partner, contact.partner_id)
    partner_path = f"/orgs/{org_id}/partners/{partner.id}"
    contact_path = f"/orgs/{org_id}/partners/contacts/{contact.id}"
    partner_valid = {"action": "edit", "name": "Friends of the Delta",
                     "website": "https://delta.example.org", "into": "0"}  # fmt: skip
    contact_valid = {"action": "edit", "name": "Maria Ostrova", "email": contact.email,
                     "organization": "Friends of the Delta", "other": "x@y.example.org"}  # fmt: skip

    @FEW
    @given(
        target=st.sampled_from(["partner", "contact"]),
        partner_data=form_values(partner_valid),
        contact_data=form_values(contact_valid),
    )
    def attempt(target, partner_data, contact_data):
        path, data = (
            (partner_path, partner_data) if target == "partner" else (contact_path, contact_data)
        )
        if target == "partner" and db.session.get(Partner, partner.id) is None:
            return  # merged away by an earlier example
        response, changes = submit(client, path, data, signed_in)
        if response.status_code != 302:
            assert changes.none, data
        else:
            assert not changes.tables() - {
                "partners", "partner_contacts", "partner_group_members", "audit_events"
            }, changes  # fmt: skip

    attempt()


def test_address_book_links_with_hostile_ids(client, signed_in, book):
    org_id, contacts, group = book
    known = {str(c.id) for c in contacts} | {str(group.id), str(contacts[0].partner_id)}

    @FEW
    @given(object_id=NUMBERS | NASTY)
    def attempt(object_id):
        if object_id in known:
            return
        before = saved_rows()
        part = segment(object_id)
        base = f"/orgs/{org_id}/partners"
        for path in (f"{base}/{part}", f"{base}/contacts/{part}"):
            assert client.get(path).status_code < 500, path
        for path in (f"{base}/{part}", f"{base}/contacts/{part}", f"{base}/contacts/{part}/remove",
                     f"{base}/contacts/{part}/restore", f"{base}/groups/{part}/delete",
                     f"/orgs/{part}/partners/from-signatures", f"/orgs/{part}/partners/picked"):  # fmt: skip
            assert post(client, path, {"action": "edit", "name": "x"}, signed_in).status_code < 500
        assert changes_since(before).none, object_id

    attempt()


def test_hostile_slugs_on_every_invitation_url(client, signed_in, letter):
    before = saved_rows()
    paths = ("GET /invitations", "GET /invitations/new", "POST /invitations/new",
             "POST /invitations/send", "GET /invitations/remind", "POST /invitations/remind",
             "POST /invitations/reminder-setting", "POST /invitations/1/resend",
             "POST /invitations/1/withdraw", "GET /sign-ons.svg")  # fmt: skip
    requests = [(spec.split(" ")[0], "/letters/{}" + spec.split(" ")[1]) for spec in paths]

    @FEW
    @given(slug=NASTY | st.just(letter.slug + "\x00") | st.just(letter.slug.upper()))
    def attempt(slug):
        data = {"pasted": "a@b.example.org", "days": "3"}
        assert_no_server_error(client, signed_in, requests, slug, data)

    attempt()
    assert changes_since(before).none


# Plain regression tests for what the fuzzing found.


def test_a_page_number_past_the_database_shows_the_first_page(client, signed_in, letter):
    for page in (str(2**31), str(2**63), "9" * 30):
        response = client.get(f"/letters/{letter.slug}/invitations?page={page}")
        assert response.status_code == 200, page
        assert "maria@delta.example.org" in response.get_data(as_text=True)


def test_searching_with_control_characters_or_huge_words(client, signed_in, letter, book):
    """A NUL was a 500 on PostgreSQL; 100,000 characters one on SQLite ("LIKE pattern too
    complex"). Control characters are dropped and the words cut at 200 characters."""
    org_id, _, _ = book
    for q in ("delta\x00", "\x00", "delta" + "\x01" * 10, "delta" * 20_000):
        for path in (f"/letters/{letter.slug}/invitations", f"/orgs/{org_id}/partners"):
            response = client.get(path, query_string={"q": q})
            assert response.status_code == 200, path
            if q.startswith("delta") and len(q) < 200:
                assert "maria@delta.example.org" in response.get_data(as_text=True), path


def test_odd_ids_in_the_address_book_forms_change_nothing(client, signed_in, letter, book):
    org_id, contacts, group = book
    base = f"/orgs/{org_id}/partners"
    invite = f"/letters/{letter.slug}/invitations/new"
    before = saved_rows()
    for number in (str(2**31), str(2**63), "²"):
        assert client.get(f"{base}?group={number}").status_code == 200
        for data in (
            {"contact": number, "action": "invite", "letter": "1"},
            {"contact": str(contacts[0].id), "action": "invite", "letter": number},
            {"contact": str(contacts[0].id), "action": "ungroup", "group_id": number},
            {"contact": number, "action": "group", "group_name": "Allies"},
        ):
            assert post(client, f"{base}/picked", data, signed_in).status_code in (302, 404), data
        partner_path = f"{base}/{contacts[0].partner_id}"
        merge = post(client, partner_path, {"action": "merge", "into": number}, signed_in)
        assert merge.status_code == 200
        for field in ("book-signed_letter", "book-group"):
            response = post(client, invite, {"from": "book", field: number}, signed_in)
            assert response.status_code == 200, field
    assert changes_since(before).none


def test_a_csv_cell_larger_than_the_csv_module_accepts(client, signed_in, letter):
    before = saved_rows()
    content = b"Email,Organization\nana@bread.example.org," + b"z" * 140_000 + b"\n"
    response = post(
        client,
        f"/letters/{letter.slug}/invitations/new",
        {"from": "list", "upload": (io.BytesIO(content), "big.csv")},
        signed_in,
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Line 2 of the file cannot be read: a cell is longer than 131,072 characters" in page
    assert changes_since(before).none


def test_a_pasted_line_larger_than_the_csv_module_accepts(client, signed_in, letter):
    pasted = '"' + "y" * 140_000 + '", big@cell.example.org\ninfo@riverwatch.example.net'
    path = f"/letters/{letter.slug}/invitations/new"
    response = post(client, path, {"from": "list", "pasted": pasted}, signed_in)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The line is longer than 2,000 characters, so it is not one invitee." in page
    assert "<strong>1</strong> organization will be invited" in page
    # What the preview offered is what is sent.
    source = pasted
    fingerprint = build_preview(letter, parsing.parse_pasted(source)).fingerprint
    data = {"source": source, "kind": "paste", "fingerprint": fingerprint}
    sent = post(client, f"/letters/{letter.slug}/invitations/send", data, signed_in)
    assert sent.status_code == 302
    assert ("info@riverwatch.example.net", "", "") in _invitations(letter)
