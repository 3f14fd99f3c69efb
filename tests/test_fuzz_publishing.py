"""Fuzzing publishing and the remaining pages: the public letter, its PDF, the count badge and
the JSON API with hostile slugs, query strings and headers; the lead's exports and manual
order; the dev mailbox; removing a colleague. Never a 500, and nothing saved changes but what
was asked for."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.extensions import db
from app.models import Letter, Membership, OutboxMessage, Signature
from app.publishing import exports
from tests.conftest import csrf_token, login
from tests.letters_support import make_letter
from tests.support.publishing_factories import HOSTILE, TRICKY, letter_with
from tests.test_fuzz_letters import (
    FEW,
    FUZZ,
    NASTY,
    NUMBERS,
    assert_no_server_error,
    changes_since,
    post,
    row_key,
    saved_rows,
    segment,
)

# Header values travel as latin-1 and cannot hold a line break.
HEADER = NASTY.map(
    lambda text: text.encode("latin-1", "ignore").decode("latin-1").replace("\r", "").replace(
        "\n", ""
    )[:2000]
)  # fmt: skip
QUERY = st.dictionaries(NASTY, NASTY | NUMBERS, max_size=3)


@pytest.fixture
def lead(make):
    return make.user("lead@example.org", name="Lena Lead")


@pytest.fixture
def published(lead):
    return letter_with(lead, TRICKY[:4] + HOSTILE[:3], status="published", title="Final letter")


@pytest.fixture
def open_letter(lead):
    return letter_with(lead, TRICKY[4:8], status="open", title="Open letter")


@pytest.fixture
def signed_in(client, lead):
    login(client, lead.email)
    return csrf_token(client, "/letters/")


PUBLIC = ("/l/{}", "/l/{}/count.svg", "/api/v1/letters/{}", "/l/{}/letter.pdf")


def test_public_pages_with_hostile_slugs(client, published, open_letter, lead):
    draft = make_letter(lead, title="Still a draft")
    client.get(f"/l/{published.slug}/letter.pdf")  # rendered once, then served from its cache
    before = saved_rows()
    known = (published.slug, open_letter.slug, draft.slug)
    odd = st.sampled_from(known).flatmap(
        lambda slug: st.sampled_from(
            [slug.upper(), slug + "\x00", slug + "/", f"{slug}%00", " " + slug, slug + "\u200b"]
        )
    )

    @FEW
    @given(slug=NASTY | odd | st.sampled_from(known))
    def attempt(slug):
        for pattern in PUBLIC:
            path = pattern.format(segment(slug))
            response = client.get(path)
            assert response.status_code < 500, path
            if slug == draft.slug or slug not in known:
                assert response.status_code in (404, 308), path  # a draft does not exist
        here = segment(slug)
        for path in (f"/l/{here}/sign", f"/l/{here}/sign/individual", f"/l/{here}/sign/resend"):
            assert client.get(path).status_code < 500, path

    attempt()
    assert changes_since(before).none


def test_public_pages_with_hostile_query_strings_and_headers(client, published, open_letter):
    client.get(f"/l/{published.slug}/letter.pdf")
    before = saved_rows()
    names = st.sampled_from(["If-None-Match", "If-Modified-Since", "If-Match", "Range",
                             "Accept", "Accept-Language", "Origin", "User-Agent", "Referer",
                             "X-Forwarded-For", "If-Range"])  # fmt: skip

    @FUZZ
    @given(
        slug=st.sampled_from([published.slug, open_letter.slug]),
        query=QUERY,
        headers=st.dictionaries(names, HEADER, max_size=4),
    )
    def attempt(slug, query, headers):
        for pattern in PUBLIC:
            path = pattern.format(slug)
            response = client.get(path, query_string=query, headers=headers)
            assert response.status_code < 500, (path, query, headers)

    attempt()
    assert changes_since(before).none


def test_the_api_answers_json_for_anything(client, published):
    @FEW
    @given(slug=NASTY, query=QUERY)
    def attempt(slug, query):
        response = client.get(f"/api/v1/letters/{segment(slug)}", query_string=query)
        assert response.status_code < 500, slug
        if response.status_code != 308:  # a trailing-slash redirect carries no body
            assert response.is_json, (slug, response.status_code)

    attempt()


# The lead's exports.


def test_exports_with_hostile_formats_and_options(client, signed_in, published, open_letter):
    client.get(f"/letters/{published.slug}/export.pdf")
    client.get(f"/letters/{published.slug}/export.docx")

    @FUZZ
    @given(
        letter=st.sampled_from(["published", "open"]),
        fmt=st.sampled_from(exports.FORMATS) | NASTY,
        query=st.fixed_dictionaries({}, optional={"lead": NASTY | st.just("1")}) | QUERY,
    )
    def attempt(letter, fmt, query):
        slug = published.slug if letter == "published" else open_letter.slug
        if letter == "open" and fmt in ("pdf", "docx"):
            fmt = "txt"  # a draft renders anew each time: slow, and fuzzed enough as text
        before = saved_rows()
        path = f"/letters/{slug}/export.{quote(fmt, safe='')}"
        response = client.get(path, query_string=query)
        assert response.status_code < 500, (path, query)
        assert client.get(f"/letters/{slug}/exports", query_string=query).status_code < 500
        changes = changes_since(before)
        assert changes.only(added={"export_jobs"}), (path, changes)

    attempt()


# The manual order of the signatories.


def test_order_editor_with_hostile_ids_and_directions(client, signed_in, open_letter):
    base = f"/letters/{open_letter.slug}/order"
    ids = {s.id for s in db.session.scalars(db.select(Signature))}
    letter_key = row_key(Letter, open_letter.id)

    @FUZZ
    @given(
        signature_id=NUMBERS | NASTY | st.sampled_from(sorted(map(str, ids))),
        direction=st.sampled_from(["up", "down"]) | NASTY,
        start=st.booleans(),
    )
    def attempt(signature_id, direction, start):
        before = saved_rows()
        if start:
            assert post(client, f"{base}/manual", {}, signed_in).status_code < 500
        path = f"{base}/{segment(signature_id)}/{segment(direction)}"
        response = post(client, path, {}, signed_in)
        assert response.status_code < 500, path
        assert client.get(base).status_code < 500
        changes = changes_since(before)
        # Only the letter's order and its signatures' places; never anything else.
        signatures = {k for k in changes.changed if k[0] == "signatures"}
        assert changes.only(changed={letter_key} | signatures, added={"audit_events"}), changes
        if not start and (direction not in ("up", "down") or signature_id not in map(str, ids)):
            assert changes.none, (signature_id, direction)

    attempt()


def test_hostile_slugs_on_every_publishing_url(client, signed_in, published):
    before = saved_rows()
    paths = ("GET /export.pdf", "GET /export.csv?lead=1", "GET /exports", "GET /order",
             "POST /order/manual", "POST /order/1/up")  # fmt: skip
    requests = [(spec.split(" ")[0], "/letters/{}" + spec.split(" ")[1]) for spec in paths]

    @FEW
    @given(slug=NASTY | st.just(published.slug + "\x00") | st.just(published.slug.upper()))
    def attempt(slug):
        assert_no_server_error(client, signed_in, requests, slug, {})

    attempt()
    assert changes_since(before).none


# The dev mailbox (development only) and removing a colleague.


@pytest.fixture
def dev_mailbox(config):
    config["DEV_MAILBOX"] = True
    config["MAIL_SERVER"] = None


def test_dev_mailbox_with_hostile_addresses_and_ids(client, dev_mailbox, published):
    before = saved_rows()

    @FUZZ
    @given(to=NASTY, message_id=NUMBERS | NASTY, query=QUERY)
    def attempt(to, message_id, query):
        assert client.get("/dev/mail", query_string={**query, "to": to}).status_code < 500, to
        for path in (f"/dev/mail/{segment(message_id)}", f"/dev/mail/{segment(message_id)}/html"):
            assert client.get(path).status_code < 500, path

    attempt()
    assert changes_since(before).none


def test_removing_a_colleague_with_hostile_ids(client, make, lead, signed_in):
    org_id = lead.organizations[0].id
    make.user("colleague@example.org", organization=lead.organizations[0], role="member")
    ours = {m.id for m in db.session.scalars(db.select(Membership))}
    stranger = make.user("stranger@elsewhere.example.org")

    @FUZZ
    @given(org=NUMBERS | NASTY | st.just(str(stranger.organizations[0].id)), member=NUMBERS | NASTY)
    def attempt(org, member):
        mine = member.isascii() and member.isdigit() and int(member) in ours
        if org == str(org_id) and mine:
            return  # a real removal, tested in tests/test_orgs.py
        before = saved_rows()
        path = f"/orgs/{segment(org)}/members/{segment(member)}/remove"
        assert post(client, path, {}, signed_in).status_code < 500, path
        assert changes_since(before).none, path

    attempt()


# Regression tests: what fuzzing found here, and what app/signing and app/mail still need.


def test_a_slug_that_cannot_be_an_address_is_not_found(client, published):
    for slug in ("a%00b", "%00", "x" * 500, "Final-Letter", "final-letter%0A"):
        for pattern in PUBLIC:
            response = client.get(pattern.format(slug))
            assert response.status_code == 404, pattern
        assert client.get(f"/api/v1/letters/{slug}").is_json


def test_sign_pages_with_a_nul_in_the_slug_are_not_found(client):
    for rest in ("sign", "sign/individual", "sign/resend"):
        assert client.get(f"/l/a%00b/{rest}").status_code == 404, rest


def test_dev_mailbox_search_with_a_nul_is_not_an_error(client, dev_mailbox):
    assert client.get("/dev/mail?to=a%00b").status_code == 200


def test_dev_mailbox_search_with_a_huge_address_is_not_an_error(client, dev_mailbox, published):
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage))  # rows to match
    assert client.get("/dev/mail", query_string={"to": "a" * 100_000}).status_code == 200


def test_numbers_past_the_database_are_not_found(client, signed_in, dev_mailbox, lead):
    org_id = lead.organizations[0].id
    for number in (str(2**31), str(2**63), "9" * 30, "٣"):
        assert client.get(f"/dev/mail/{number}").status_code == 404
        assert client.get(f"/dev/mail/{number}/html").status_code == 404
        path = f"/orgs/{org_id}/members/{number}/remove"
        assert post(client, path, {}, signed_in).status_code == 404
