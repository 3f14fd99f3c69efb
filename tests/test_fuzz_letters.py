"""Fuzzing the drafting pages: every form and link of /letters/… gets arbitrary Unicode, huge
strings, control and bidi characters, odd digits and missing fields. Never a 500, and nothing
already saved changes unless the input was valid and the change is the one asked for.

The helpers at the top (NASTY, the row snapshots, hostile URL segments) are shared with
tests/test_fuzz_invitations.py and tests/test_fuzz_publishing.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

from app.core.params import DatabaseIntConverter
from app.extensions import db
from app.letters import recipients
from app.letters.text import Address, normalize_body
from app.models import (
    Collaborator,
    CollaboratorRole,
    Letter,
    LetterVersion,
    RecipientBookEntry,
    utcnow,
)
from app.tokens import new_token
from tests.conftest import csrf_token, login
from tests.letters_support import MINISTRY, READY, actor_for, make_letter, reload, text_form
from tests.support.invitation_factories import make_signature

HUGE = 100_000
# Digits that str.isdigit() accepts but int() refuses (or reads), and numbers no database
# integer holds: the classic ways a "number" from a form or URL turns into a 500.
ODD_NUMBERS = ["²", "٣", "１", "-1", "0", "1_0", " 1", "9" * 30, str(2**31), str(2**63), "1e3"]
ODD_TEXT = [
    "", " ", "\x00", "a\x00b", "\x00" * 50, "\u202e", "\u2066x\u2069", "\u200f", "\u061c",
    "\ufeff", "\u200b", "\r\n", "\r", "\t", "\x85", "\u2028", "\x1b[31m", "\x7f", "\ufffe",
    "\U0010ffff", "\U000e0001", "%00", "%ff", "../", "\\", "//evil.example", "<script>",
    '"><img src=x>', "{lead}", "{", "}", "{0}", "{lead!r}", "=1+1", "a" * HUGE,
    "\u202e" * (HUGE // 2), "é" * HUGE, "ǅ" * 300,
]  # fmt: skip
NASTY = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300),
    st.sampled_from(ODD_TEXT + ODD_NUMBERS),
    st.text(
        alphabet=st.sampled_from("\x00\x01\x08\x1b\x7f\x85\u2028\u200b\u200f\u202a\u202e\u2066"),
        max_size=20,
    ),
)
# A number in a URL or a form: ordinary ones, ones past every integer type, odd digits.
NUMBERS = st.one_of(
    st.integers(min_value=0, max_value=50).map(str),
    st.integers(min_value=2**31 - 2, max_value=2**70).map(str),
    st.sampled_from(ODD_NUMBERS),
)
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# For tests that make many requests per example.
FEW = settings(FUZZ, max_examples=12)


def segment(value: str) -> str:
    """`value` as one path segment: the route receives it exactly as generated."""
    return quote(value, safe="") or "x"


def form_values(valid: dict[str, str], *extra: str) -> st.SearchStrategy[dict[str, str]]:
    """A valid form with some of its fields (and of `extra` names) given nasty values, and
    some left out (None)."""
    names = sorted({*valid, *extra})
    overrides = st.dictionaries(st.sampled_from(names), st.none() | NASTY, max_size=4)

    def merge(changes: dict[str, str | None]) -> dict[str, str]:
        data = {**valid, **changes}
        return {k: v for k, v in data.items() if v is not None}

    return overrides.map(merge)


# Snapshots of every table: a refused request must leave each saved row as it was.

Key = tuple[str, tuple]


def saved_rows() -> dict[Key, tuple]:
    db.session.rollback()
    rows: dict[Key, tuple] = {}
    for table in db.metadata.sorted_tables:
        keys = [c.name for c in table.primary_key.columns]
        for row in db.session.execute(sa.select(table)).mappings():
            rows[(table.name, tuple(row[k] for k in keys))] = tuple(row.values())
    return rows


@dataclass(frozen=True)
class Changes:
    changed: frozenset[Key]  # rows saved before that now differ or are gone
    added: frozenset[Key]

    @property
    def none(self) -> bool:
        return not self.changed and not self.added

    def tables(self) -> set[str]:
        return {table for table, _ in self.changed | self.added}

    def only(self, *, changed: Iterable[Key] = (), added: Iterable[str] = ()) -> bool:
        """True when nothing but these rows changed and rows were added only to `added`."""
        return self.changed <= set(changed) and {t for t, _ in self.added} <= set(added)


def changes_since(before: dict[Key, tuple]) -> Changes:
    after = saved_rows()
    changed = {k for k, v in before.items() if after.get(k) != v}
    return Changes(frozenset(changed), frozenset(after.keys() - before.keys()))


def row_key(model: type, object_id: int) -> Key:
    return (model.__tablename__, (object_id,))


def post(client, path: str, data: dict, token: str, **kw):
    return client.post(path, data={**data, "csrf_token": token}, **kw)


def submit(client, path: str, data: dict, token: str, note=None):  # noqa: ANN001
    """Post a form, which must never be a server error; the response and what it changed."""
    before = saved_rows()
    response = post(client, path, data, token)
    assert response.status_code < 500, data if note is None else note
    return response, changes_since(before)


# Fixtures: a lead signed in, with a draft letter of two versions and an open one.


@pytest.fixture
def lead(make):
    return make.user("lead@example.org", name="Lena Lead")


@pytest.fixture
def signed_in(client, lead):
    login(client, lead.email)
    client.get("/letters/book")  # the book seeds itself on the first visit
    return csrf_token(client, "/letters/")


@pytest.fixture
def draft(lead):
    return make_letter(lead, title="Release the river guides")


# New letter.


def test_new_letter_form(client, lead, signed_in, draft):
    org_id = lead.organizations[0].id
    valid = {"title": "Stop the dam", "organization": str(org_id), "copy_from": "0"}

    @FUZZ
    @given(data=form_values(valid), copy=NASTY)
    def attempt(data, copy):
        assert client.get(f"/letters/new?copy={quote(copy)}").status_code < 500
        response, changes = submit(client, "/letters/new", data, signed_in)
        if response.status_code != 302:
            assert changes.none, data
            return
        # A new letter, its first version and its audit event; nothing saved before changes.
        assert changes.only(added={"letters", "letter_versions", "audit_events"}), data
        [key] = [k for k in changes.added if k[0] == "letters"]
        created = db.session.get(Letter, key[1][0])
        assert created.title == data["title"].strip()

    attempt()


# The text editor: recipients, salutation, body, closing, structural buttons, versions.


def _version_rows(letter: Letter) -> list[tuple]:
    db.session.expire_all()
    return [
        (v.number, v.recipients, v.salutation, v.body, v.closing, v.change_note, v.material)
        for v in db.session.scalars(
            sa.select(LetterVersion)
            .where(LetterVersion.letter_id == letter.id)
            .order_by(LetterVersion.number)
        )
    ]


EDIT_EXTRA = (
    "recipients-1-name", "recipients-1-title", "recipients-1-street", "recipients-²-name",
    "recipients-٣-title", "recipients-99999999999999999999-name", "recipients--name",
    "recipients-0", "material", "change_note", "book_entry",
)  # fmt: skip
ACTIONS = st.one_of(
    st.sampled_from(["save", "preview", "add", "book", "remove-0", "up-1", "down-0"]),
    st.sampled_from(["remove", "up-", "down-", "up-²", "down-٣", "remove-" + "9" * 30]),
    NASTY,
)


def _check_edit(letter: Letter, data: dict, response, before_rows, before_versions) -> None:
    assert response.status_code < 500, data
    changes = changes_since(before_rows)
    versions = _version_rows(letter)
    # History is never rewritten, whatever was posted.
    assert versions[: len(before_versions)] == before_versions, data
    if len(versions) == len(before_versions):
        # Refused, re-shown, or "nothing changed": not a row touched.
        assert changes.none, data
        return
    # Saved: one new version on top of the base, the letter's updated_at, an audit event,
    # and (for a material change of an open letter) the signers' reconfirmation emails.
    assert data.get("action", "save") == "save" and data["base_version"] == str(
        before_versions[-1][0]
    ), data
    assert len(versions) == len(before_versions) + 1, data
    assert changes.only(
        changed={row_key(Letter, letter.id)}
        | {k for k in changes.changed if k[0] in ("signatures", "signature_links")},
        added={"letter_versions", "audit_events", "outbox", "signature_links"},
    ), (data, changes)
    _, _, salutation, body, closing, _, material = versions[-1]
    assert salutation == " ".join(data.get("salutation", "").split())
    assert body == normalize_body(data.get("body", ""))
    assert closing == " ".join(data.get("closing", "").split())
    assert material == (data.get("material", "") not in ("", "false")), data


@pytest.mark.parametrize("status", ["draft", "open"])
def test_edit_form(client, lead, signed_in, status):
    letter = make_letter(lead, status=status)
    if status == "open":
        make_signature(letter, "ana@tidewater.example.org")
    path = f"/letters/{letter.slug}/edit"

    @FUZZ
    @given(data=form_values(text_form(READY, 2), *EDIT_EXTRA), action=st.none() | ACTIONS)
    def attempt(data, action):
        base = _version_rows(letter)
        if action is not None:
            data["action"] = action
        before = saved_rows()
        response = post(client, path, data, signed_in)
        _check_edit(letter, data, response, before, base)

    attempt()


def test_edit_form_with_the_current_base_and_nasty_text(client, lead, signed_in, draft):
    """Every field nasty but the base version right, so saves get through when valid."""
    path = f"/letters/{draft.slug}/edit"
    fields = ("salutation", "body", "closing", "change_note", "recipients-0-name",
              "recipients-0-title", "recipients-0-street", "recipients-0-country")  # fmt: skip

    @FUZZ
    @given(values=st.fixed_dictionaries({}, optional={name: NASTY for name in fields}))
    def attempt(values):
        base = _version_rows(draft)
        data = {"base_version": str(base[-1][0]), "action": "save", **values}
        before = saved_rows()
        response = post(client, path, data, signed_in)
        _check_edit(draft, data, response, before, base)

    attempt()


def test_body_preview_renders_anything_and_saves_nothing(client, signed_in, draft):
    path = f"/letters/{draft.slug}/edit/preview"
    before = saved_rows()

    @FUZZ
    @given(body=NASTY, extra=st.dictionaries(NASTY, NASTY, max_size=3))
    def attempt(body, extra):
        response = post(client, path, {**extra, "body": body}, signed_in)
        assert response.status_code < 500, body
        if response.status_code == 200:
            assert set(response.get_json()) == {"html", "removed"}

    attempt()
    assert changes_since(before).none


def test_restore_form(client, signed_in, draft):
    @FUZZ
    @given(number=NUMBERS, base=st.none() | NUMBERS | NASTY)
    def attempt(number, base):
        versions = _version_rows(draft)
        before = saved_rows()
        data = {} if base is None else {"base_version": base}
        response = post(client, f"/letters/{draft.slug}/versions/{number}/restore", data, signed_in)
        assert response.status_code < 500, (number, base)
        after = _version_rows(draft)
        assert after[: len(versions)] == versions
        if after == versions:
            assert changes_since(before).none, (number, base)
        else:
            # Only a restore on top of the latest version, of a version that exists.
            assert base == str(versions[-1][0]) and int(number) <= len(versions), (number, base)
            assert after[-1][1:5] == versions[int(number) - 1][1:5]

    attempt()


def test_version_pages_with_hostile_numbers(client, signed_in, draft):
    before = saved_rows()

    @FEW
    @given(a=NUMBERS | NASTY, b=NUMBERS | NASTY)
    def attempt(a, b):
        slug = draft.slug
        for path in (
            f"/letters/{slug}/versions/{segment(a)}",
            f"/letters/{slug}/versions/compare?from={quote(a)}&to={quote(b)}",
            f"/letters/{slug}/preview?version={quote(a)}",
            f"/letters/{slug}?{quote(a)}={quote(b)}",
            f"/letters/{slug}/versions?page={quote(a)}",
            f"/letters/?{quote(a)}={quote(b)}",
        ):
            assert client.get(path).status_code < 500, path

    attempt()
    assert changes_since(before).none


# Settings and the lifecycle.

SETTINGS_VALID = {
    "title": "Release the river guides", "slug": "release-the-river-guides",
    "date_mode": "on_finalize", "letter_date": "", "locale": "en_US", "time_zone": "UTC",
    "show_co_leads": "y", "numbered": "y", "signatory_order": "alphabetical", "moderation": "y",
    "deadline": "", "intro_template": "{lead} and {others} organizations urge …",
}  # fmt: skip
DATES = st.sampled_from(
    ["2026-05-01", "0001-01-01", "9999-12-31", "2026-02-30", "2026-05-01T10:00",
     "9999-12-31T23:59", "0001-01-01T00:00", "2026-03-29T02:30", "20260501"]
)  # fmt: skip
ZONES = st.sampled_from(["UTC", "Pacific/Kiritimati", "Etc/GMT+12", "America/St_Johns", "Nowhere"])


@pytest.mark.parametrize("status", ["draft", "open"])
def test_settings_form(client, lead, signed_in, status):
    letter = make_letter(lead, status=status)
    path = f"/letters/{letter.slug}/settings"
    valid = {**SETTINGS_VALID, "slug": letter.slug}
    settable = {"title", "slug", "date_mode", "letter_date", "locale", "time_zone",
                "show_co_leads", "numbered", "signatory_order", "lead_first",
                "individuals_allowed", "moderation", "open_link", "deadline_at",
                "intro_template", "updated_at", "show_signatories"}  # fmt: skip

    @FUZZ
    @given(
        data=form_values(valid, "lead_first", "open_link", "individuals_allowed"),
        dates=st.fixed_dictionaries({}, optional={"letter_date": DATES, "deadline": DATES}),
        zone=st.none() | ZONES,
    )
    def attempt(data, dates, zone):
        data = {**data, **dates, **({"time_zone": zone} if zone else {})}
        before_letter = _letter_row(letter)
        before = saved_rows()
        response = post(client, path, data, signed_in)
        assert response.status_code < 500, data
        assert client.get(f"/letters/{reload(letter).slug}").status_code < 500, data
        changes = changes_since(before)
        if changes.none:
            return
        assert response.status_code == 302, data
        assert changes.only(changed={row_key(Letter, letter.id)}, added={"audit_events"}), data
        after = _letter_row(letter)
        moved = {k for k in after if after[k] != before_letter[k]}
        assert moved <= settable, (moved, data)
        # A field left out of the form keeps its saved value.
        assert after["title"] == data.get("title", before_letter["title"]).strip()
        if status == "open":
            assert after["slug"] == before_letter["slug"]  # the address is fixed once open

    attempt()


def _letter_row(letter: Letter) -> dict:
    db.session.rollback()
    table = Letter.__table__
    row = db.session.execute(sa.select(table).where(table.c.id == letter.id)).mappings().one()
    return dict(row)


TRANSITIONS = ["open", "close", "reopen", "finalize", "archive", "unarchive", "publish",
               "unpublish"]  # fmt: skip


def test_lifecycle_buttons_with_hostile_actions(client, signed_in, draft):
    @FUZZ
    @given(action=NASTY | st.sampled_from(TRANSITIONS), extra=st.dictionaries(NASTY, NASTY))
    def attempt(action, extra):
        before = saved_rows()
        path = f"/letters/{draft.slug}/status/{segment(action)}"
        response = post(client, path, extra, signed_in)
        assert response.status_code < 500, action
        if action not in TRANSITIONS or action == "finalize":
            assert changes_since(before).none, action

    attempt()


def test_finalize_form_on_a_letter_that_cannot_be_finalized(client, signed_in, draft):
    path = f"/letters/{draft.slug}/finalize"
    before = saved_rows()

    @FUZZ
    @given(values=st.fixed_dictionaries({}, optional={"confirm": NASTY, "only_reconfirmed": NASTY}))
    def attempt(values):
        assert post(client, path, values, signed_in).status_code < 500, values
        assert client.get(path).status_code < 500

    attempt()
    assert changes_since(before).none


# Collaborators and their invitation links.


def test_collaborator_form(client, lead, make, signed_in, draft):
    path = f"/letters/{draft.slug}/collaborators"
    colleague = make.user("colleague@partner.example.org")
    existing = Collaborator(
        letter_id=draft.id, email=colleague.email, role=CollaboratorRole.viewer,
        user_id=colleague.id,
    )  # fmt: skip
    db.session.add(existing)
    db.session.commit()
    existing_id = existing.id
    kept = row_key(Collaborator, existing_id)

    @FUZZ
    @given(
        data=form_values({"email": "new.person@partner.example.org", "role": "editor"}),
        remove=NUMBERS,
    )
    def attempt(data, remove):
        response, changes = submit(client, path, data, signed_in)
        if response.status_code != 302:
            assert changes.none, (data, response.status_code, changes)
        else:
            # Added or re-invited: only collaborators of this letter, their email, an event.
            assert kept not in changes.changed, (data, changes)
            assert changes.only(
                changed={k for k in changes.changed if k[0] == "letter_collaborators"},
                added={"letter_collaborators", "outbox", "audit_events"},
            ), (data, changes)
        if remove == str(existing_id):
            return  # kept, so that the rows above can be checked against it
        before = saved_rows()
        removal = post(client, f"{path}/{segment(remove)}/remove", {}, signed_in)
        assert removal.status_code < 500, remove
        assert kept not in changes_since(before).changed, remove

    attempt()


def test_collaborator_links_with_hostile_tokens(client, lead, signed_in, draft):
    raw, digest = new_token()
    db.session.add(
        Collaborator(letter_id=draft.id, email="invited@partner.example.org",
                     role=CollaboratorRole.editor, token_hash=digest,
                     expires_at=utcnow() + timedelta(days=3))
    )  # fmt: skip
    db.session.commit()
    before = saved_rows()

    @FUZZ
    @given(token=NASTY | st.sampled_from([raw + "x", raw.upper(), raw[:-1], raw + "\x00"]))
    def attempt(token):
        path = f"/letters/join/{segment(token)}"
        assert client.get(path).status_code < 500, token
        assert post(client, path, {}, signed_in).status_code < 500, token

    attempt()
    assert changes_since(before).none


# The recipient book.

BOOK_VALID = {"honorific": "The Honorable", "name": "Ilse Varga", "title": "Minister",
              "department": "Ministry", "street": "12 Harbour Road", "locality": "Port Selden",
              "country": "Norland"}  # fmt: skip


def test_recipient_book_forms(client, lead, signed_in):
    org_id = lead.organizations[0].id
    entry = recipients.add_entry(org_id, MINISTRY, actor=actor_for(lead))
    db.session.commit()
    entry_id = entry.id
    entry_key = row_key(RecipientBookEntry, entry_id)

    @FUZZ
    @given(data=form_values(BOOK_VALID), target=st.sampled_from(["add", "edit"]), org=NUMBERS)
    def attempt(data, target, org):
        assert client.get(f"/letters/book?org={quote(org)}").status_code < 500, org
        path = "/letters/book" if target == "add" else f"/letters/book/{entry_id}/edit"
        old = _book_address(entry_id)
        response, changes = submit(client, path, data, signed_in)
        if response.status_code != 302:
            assert changes.none, data
            return
        if target == "add":
            assert changes.only(added={"recipient_book_entries", "audit_events"}), data
        else:
            assert changes.only(changed={entry_key}, added={"audit_events"}), data
            # What was posted; a field left out of the form keeps its saved value.
            expected = Address.from_dict({k: data.get(k, old[k]) for k in BOOK_VALID})
            assert Address.from_dict(_book_address(entry_id)) == expected, data

    attempt()


def _book_address(entry_id: int) -> dict[str, str]:
    db.session.expire_all()
    address = recipients.entry_address(db.session.get(RecipientBookEntry, entry_id))
    return address.to_dict() | {"street": "\n".join(address.street)}


def test_recipient_book_links_with_hostile_ids(client, lead, make, signed_in):
    """Only the lead's own entries can be changed: any other id, another organization's
    included, is not found."""
    stranger = make.user("stranger@elsewhere.example.org")
    theirs = recipients.add_entry(stranger.organizations[0].id, MINISTRY, actor=actor_for(lead))
    db.session.commit()
    mine = {e.id for e in recipients.book_entries(lead.organizations[0].id)}
    before = saved_rows()

    @FEW
    @given(entry_id=NUMBERS | NASTY | st.just(str(theirs.id)))
    def attempt(entry_id):
        if entry_id.isascii() and entry_id.isdigit() and int(entry_id) in mine:
            return
        part = segment(entry_id)
        assert client.get(f"/letters/book/{part}/edit").status_code < 500, entry_id
        assert post(client, f"/letters/book/{part}/edit", BOOK_VALID, signed_in).status_code < 500
        assert post(client, f"/letters/book/{part}/delete", {}, signed_in).status_code < 500

    attempt()
    assert changes_since(before).none


# Every drafting URL with a hostile slug: a 404, never a 500, and nothing changes.


def assert_no_server_error(client, token: str, requests, slug: str, data: dict) -> None:  # noqa: ANN001
    """Each (method, pattern) of `requests` with `slug` in its "{}": never a 5xx."""
    for method, pattern in requests:
        path = pattern.format(segment(slug))
        response = client.get(path) if method == "GET" else post(client, path, data, token)
        assert response.status_code < 500, (method, path)


LETTER_PATHS = (
    ("GET", "/letters/{}"), ("GET", "/letters/{}/settings"), ("POST", "/letters/{}/settings"),
    ("POST", "/letters/{}/status/open"), ("GET", "/letters/{}/finalize"),
    ("POST", "/letters/{}/finalize"), ("GET", "/letters/{}/preview"),
    ("GET", "/letters/{}/edit"), ("POST", "/letters/{}/edit"),
    ("POST", "/letters/{}/edit/preview"), ("GET", "/letters/{}/versions"),
    ("GET", "/letters/{}/versions/compare"), ("GET", "/letters/{}/versions/1"),
    ("POST", "/letters/{}/versions/1/restore"), ("GET", "/letters/{}/collaborators"),
    ("POST", "/letters/{}/collaborators"), ("POST", "/letters/{}/collaborators/1/remove"),
)  # fmt: skip


def test_hostile_slugs_on_every_drafting_url(client, signed_in, draft):
    before = saved_rows()

    @FEW
    @given(slug=NASTY | st.just(draft.slug.upper()) | st.just(draft.slug + "\x00"))
    def attempt(slug):
        assert_no_server_error(client, signed_in, LETTER_PATHS, slug, {"title": "x", "body": "y"})

    attempt()
    assert changes_since(before).none


# The lead's decisions on sign-ons (approve, reject, keep, merge, bulk) and listing form.

SIGNING_NUMBERS = st.integers(min_value=0, max_value=2**31 - 1).map(str)


def test_signature_decisions_with_hostile_ids_and_actions(client, lead, signed_in):
    letter = make_letter(lead, status="open")
    signature = make_signature(letter, "ana@tidewater.example.org", status="verified")
    base = f"/letters/{letter.slug}/signatures"

    @FUZZ
    @given(
        action=st.sampled_from(["approve", "reject", "keep", "merge"]) | NASTY,
        ids=st.lists(SIGNING_NUMBERS | NASTY, max_size=3),
        keep=SIGNING_NUMBERS | NASTY,
        query=st.fixed_dictionaries({}, optional={"show": NASTY, "q": NASTY}),
    )
    def attempt(action, ids, keep, query):
        before = saved_rows()
        listing = client.get(base, query_string=query)
        assert listing.status_code < 500, query
        one = post(client, f"{base}/{signature.id}/{segment(action)}", {"keep": keep}, signed_in)
        assert one.status_code < 500, (action, keep)
        bulk = post(client, f"{base}/bulk", {"action": action, "ids": ids}, signed_in)
        assert bulk.status_code < 500, (action, ids)
        changes = changes_since(before)
        if action not in ("approve", "reject", "keep", "merge"):
            assert changes.none, (action, ids)

    attempt()


def test_signature_listing_form(client, lead, signed_in):
    letter = make_letter(lead, status="open")
    signature = make_signature(letter, "ana@tidewater.example.org")
    path = f"/letters/{letter.slug}/signatures/{signature.id}"
    valid = {"organization_name": "Tidewater Rights Project", "acronym": "TRP",
             "signer_name": "Ana Lindqvist"}  # fmt: skip

    @FEW
    @given(data=form_values(valid, "not_listed"))
    def attempt(data):
        before = saved_rows()
        response = post(client, path, data, signed_in)
        assert response.status_code < 500, data
        if response.status_code != 302:
            assert changes_since(before).none, data

    attempt()


@pytest.mark.parametrize("odd", ["²", str(2**70)])
def test_bulk_decisions_with_odd_ids_are_not_an_error(client, lead, signed_in, odd):
    letter = make_letter(lead, status="open")
    path = f"/letters/{letter.slug}/signatures/bulk"
    response = post(client, path, {"action": "approve", "ids": odd}, signed_in)
    assert response.status_code < 500


def test_merge_with_an_odd_digit_is_not_an_error(client, lead, signed_in):
    letter = make_letter(lead, status="open")
    signature = make_signature(letter, "ana@tidewater.example.org", status="verified")
    path = f"/letters/{letter.slug}/signatures/{signature.id}/merge"
    assert post(client, path, {"keep": "²"}, signed_in).status_code < 500


def test_signature_search_with_a_nul_is_not_an_error(client, lead, signed_in):
    letter = make_letter(lead, status="open")
    assert client.get(f"/letters/{letter.slug}/signatures?q=a%00b").status_code < 500


# Plain regression tests for what the fuzzing found in the drafting pages.


def test_every_number_in_a_url_is_a_database_integer(app):
    for rule in app.url_map.iter_rules():
        for converter in rule._converters.values():
            if isinstance(converter, IntegerConverter):
                assert isinstance(converter, DatabaseIntConverter), rule.rule


def test_numbers_past_the_database_or_in_other_scripts_are_not_found(
    client, lead, signed_in, draft
):
    entry = recipients.add_entry(lead.organizations[0].id, MINISTRY, actor=actor_for(lead))
    db.session.commit()
    before = saved_rows()
    for number in (str(2**31), str(2**63), "9" * 30, "٣", "１"):
        for path in (f"/letters/{draft.slug}/versions/{number}", f"/letters/book/{number}/edit"):
            assert client.get(path).status_code == 404, path
        restore = f"/letters/{draft.slug}/versions/{number}/restore"
        assert post(client, restore, {"base_version": "2"}, signed_in).status_code == 404
        assert post(client, f"/letters/book/{number}/delete", {}, signed_in).status_code == 404
    assert changes_since(before).none
    assert client.get(f"/letters/book/{entry.id}/edit").status_code == 200


def test_odd_numbers_in_query_strings_are_ignored(client, signed_in, draft):
    slug = draft.slug
    for number in map(quote, ("²", str(2**63), "9" * 30)):
        for path in (
            f"/letters/{slug}/versions/compare?to={number}",  # the latest change, as without
            f"/letters/{slug}/versions/compare?from={number}",
            f"/letters/{slug}/preview?version={number}",
            f"/letters/new?copy={number}",
            f"/letters/book?org={number}",
        ):
            assert client.get(path).status_code == 200, path


def test_odd_numbers_in_the_edit_form_change_nothing(client, signed_in, draft):
    before = saved_rows()
    for extra in (
        {"action": "up-²"},
        {"action": "down-²"},
        {"action": "remove-²"},
        {"recipients-²-name": "Ilse Varga"},
        {"base_version": "²"},
        {"base_version": str(2**63)},
        {"book_entry": str(2**63), "action": "book"},
    ):
        response = post(
            client, f"/letters/{draft.slug}/edit", text_form(READY, 2, **extra), signed_in
        )
        assert response.status_code in (200, 302, 422), extra  # 302: "Nothing changed"
        page = response.get_data(as_text=True)
        if "base_version" in extra:
            assert "The form lost track of its version. Reload the page." in page
        if extra.get("action") == "book":
            assert "Choose an address from the recipient book first." in page
    assert changes_since(before).none


def test_a_restore_with_an_odd_base_version_is_a_bad_request(client, signed_in, draft):
    before = saved_rows()
    path = f"/letters/{draft.slug}/versions/1/restore"
    for base in ("²", str(2**63), ""):
        assert post(client, path, {"base_version": base}, signed_in).status_code == 400, base
    assert changes_since(before).none


CONTROLLED_FIELDS = (
    ("/letters/new", "title"),
    ("/letters/{slug}/edit", "salutation"),
    ("/letters/{slug}/edit", "body"),
    ("/letters/{slug}/edit", "recipients-0-name"),
    ("/letters/{slug}/edit", "recipients-0-street"),
    ("/letters/{slug}/settings", "title"),
    ("/letters/{slug}/settings", "intro_template"),
    ("/letters/book", "title"),
)


@pytest.mark.parametrize("bad", ["\x00", "\x1b", "\u202e"])
def test_control_characters_in_letter_text_are_refused(client, lead, signed_in, draft, bad):
    """PostgreSQL cannot store a NUL (it was a 500 there); the other control and bidi
    characters are refused as everywhere else on the site."""
    forms = {
        "/letters/new": {"title": "Stop the dam", "organization": str(lead.organizations[0].id),
                         "copy_from": "0"},
        "/letters/{slug}/edit": text_form(READY, 2),
        "/letters/{slug}/settings": {**SETTINGS_VALID, "slug": draft.slug},
        "/letters/book": dict(BOOK_VALID),
    }  # fmt: skip
    before = saved_rows()
    for path, field in CONTROLLED_FIELDS:
        data = dict(forms[path])
        data[field] = f"Dear{bad} friends" if field != "intro_template" else "{lead}" + bad
        response = post(client, path.format(slug=draft.slug), data, signed_in)
        assert response.status_code in (200, 422), (path, field)
        page = response.get_data(as_text=True)
        assert f"Remove the invisible control characters (U+{ord(bad):04X})" in page, field
    assert changes_since(before).none


def test_a_slug_that_cannot_be_an_address_is_not_found(client, signed_in, draft):
    for slug in ("a%00b", "%00", f"{draft.slug}%00", f"{draft.slug}%0A", "A" * 500):
        for path in (f"/letters/{slug}", f"/letters/{slug}/edit", f"/letters/{slug}/versions"):
            assert client.get(path).status_code == 404, path


def test_a_deadline_outside_this_millennium_is_refused(client, signed_in, draft):
    before = saved_rows()
    for deadline, zone in (
        ("9999-12-31T23:59", "Etc/GMT+12"),  # was a 500: no such moment in UTC
        ("0001-01-01T00:00", "Pacific/Kiritimati"),
        ("1999-12-31T23:59", "UTC"),
        ("3000-01-01T00:00", "UTC"),
    ):
        data = {**SETTINGS_VALID, "slug": draft.slug, "deadline": deadline, "time_zone": zone}
        response = post(client, f"/letters/{draft.slug}/settings", data, signed_in)
        assert response.status_code == 200, deadline
        page = response.get_data(as_text=True)
        assert "Choose a deadline between the years 2000 and 2999." in page, deadline
    assert changes_since(before).none
    assert client.get(f"/letters/{draft.slug}/settings").status_code == 200
    ok = {**SETTINGS_VALID, "slug": draft.slug, "deadline": "2999-12-31T23:59",
          "time_zone": "Etc/GMT+12"}  # fmt: skip
    assert post(client, f"/letters/{draft.slug}/settings", ok, signed_in).status_code == 302


def test_invalid_utf8_in_forms_and_query_strings(client, signed_in, draft):
    """Bytes that are not UTF-8, percent-encoded in a form body or raw in a query string."""
    before = saved_rows()
    body = f"csrf_token={signed_in}&title=%ff%fe&slug=%c3%28&organization=%ff&base_version=%ff"
    body += "&body=%ed%a0%80&email=%ff&recipients-0-name=%80&action=save"
    for path in ("/letters/new", f"/letters/{draft.slug}/edit", f"/letters/{draft.slug}/settings",
                 f"/letters/{draft.slug}/collaborators"):  # fmt: skip
        response = client.post(
            path, data=body.encode(), content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code in (200, 422), path
        raw = {"QUERY_STRING": "q=%ff%00&to=\xff\xfe&version=\xb2&from=%ff"}
        assert client.get(path, environ_overrides=raw).status_code == 200, path
    for path in (f"/letters/{draft.slug}/versions/compare", f"/letters/{draft.slug}/preview",
                 "/letters/book", "/letters/"):  # fmt: skip
        raw = {"QUERY_STRING": "to=%ff&from=\xff&version=%c3%28&org=\xb2"}
        assert client.get(path, environ_overrides=raw).status_code == 200, path
    assert changes_since(before).none
