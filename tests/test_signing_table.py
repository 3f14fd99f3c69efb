"""The lead's signatures table: sorting by name, status and time (kept across filters and
pages), a note's first line in its row, one-line times, approving every sign-on awaiting the
lead in one click, possible duplicates side by side with buttons that say what they keep, and
a fixed number of queries whatever the list's length."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import Signature, SignatureStatus, utcnow
from app.signing import queries
from tests.conftest import login, post_form
from tests.support.signing_factories import make_open_letter, make_signature, signatures_of

LEAD = "amara@open-budgets.example.org"
NAMES = ["Lakeside Tenants Union", "Amber Coast Watch", "Zephyr Youth Forum", "Delta Guides"]


def signed_at(signature: Signature, moment: datetime) -> None:
    """Move a sign-on's time (signing before the letter's text was saved is refused)."""
    db.session.execute(
        sa.update(Signature).where(Signature.id == signature.id).values(created_at=moment)
    )
    db.session.commit()


def rows(html: str) -> list[str]:
    """The names in the table, top to bottom."""
    body = html.split('<table class="signature-table">', 1)[1]
    return re.findall(r'<tr id="signature-\d+">\s*<td[^>]*>.*?</td>\s*<td><a [^>]*>([^<]+)</a>',
                      body, re.S)  # fmt: skip


def test_sort_by_name_status_and_time_kept_across_filters_and_pages(client, make, monkeypatch):
    letter = make_open_letter(make.user(LEAD), moderation=True)
    start = utcnow() - timedelta(hours=5)
    for n, name in enumerate(NAMES):
        status = "verified" if name.startswith("Z") else "approved"
        signed_at(make_signature(letter, organization_name=name, status=status),
                  start + timedelta(hours=n))  # fmt: skip
    login(client, LEAD)
    base = f"/letters/{letter.slug}/signatures"

    default = client.get(base).get_data(as_text=True)
    assert rows(default) == list(reversed(NAMES))  # newest first, as before
    assert "aria-sort" not in default
    by_name = client.get(f"{base}?sort=name").get_data(as_text=True)
    assert rows(by_name) == sorted(NAMES)
    assert '<th scope="col" aria-sort="ascending" class="sortable">' in by_name
    assert f'href="{base}?sort=-name"' in by_name  # a second click reverses
    assert rows(client.get(f"{base}?sort=-name").get_data(as_text=True)) == sorted(NAMES)[::-1]
    by_status = client.get(f"{base}?sort=status").get_data(as_text=True)
    assert rows(by_status)[0] == "Zephyr Youth Forum"  # awaiting you comes first
    oldest = client.get(f"{base}?sort=time").get_data(as_text=True)
    assert rows(oldest) == NAMES and 'aria-sort="ascending"' in oldest
    newest = client.get(f"{base}?sort=-time").get_data(as_text=True)
    assert 'aria-sort="descending"' in newest and rows(newest) == NAMES[::-1]
    # Nonsense sorts fall back to the default, never a 500.
    assert client.get(f"{base}?sort=;drop").status_code == 200

    # The sort stays when the lead filters, searches or turns a page.
    assert f'href="{base}?show=approved&amp;sort=name"' in by_name
    assert '<input type="hidden" name="sort" value="name">' in by_name
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    paged = client.get(f"{base}?sort=name").get_data(as_text=True)
    assert rows(paged) == sorted(NAMES)[:2]
    assert f'href="{base}?sort=name&amp;page=2" rel="next"' in paged
    second = client.get(f"{base}?sort=name&page=2").get_data(as_text=True)
    assert rows(second) == sorted(NAMES)[2:]
    assert "Showing 3–4 of 4, by name, A–Z." in second


def test_a_note_shows_its_first_line_and_times_take_one_line(client, make):
    letter = make_open_letter(make.user(LEAD), time_zone="America/New_York")
    moment = datetime(2026, 11, 27, 20, 49, tzinfo=UTC)
    note = "Please list us under our Spanish name, " + "as agreed with the board " * 6
    signed_at(make_signature(letter, organization_name="Amber Coast Watch",
                             note_to_lead=note + "\nSecond line, private."), moment)  # fmt: skip
    login(client, LEAD)
    page = client.get(f"/letters/{letter.slug}/signatures").get_data(as_text=True)
    marker = re.search(r'<p class="note-marker">(.*?)</p>', page, re.S).group(1)
    assert "Note:" in marker and "Please list us under our Spanish name" in marker
    assert "…" in marker and "Second line" not in marker  # the first line, truncated
    assert '<time datetime="2026-11-27T20:49:00+00:00"' in page
    assert ">Nov 27, 15:49</time>" in page  # where the letter is: New York
    assert 'title="Nov 27, 2026, 3:49:00\u202fPM (America/New York)"' in page
    detail = client.get(f"/letters/{letter.slug}/signatures/{signatures_of(letter)[0].id}")
    assert "Second line, private." in detail.get_data(as_text=True)  # the whole note


def test_approve_every_sign_on_awaiting_you_across_pages_in_one_click(client, make, monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    letter = make_open_letter(make.user(LEAD), moderation=True)
    waiting = [make_signature(letter, organization_name=name, status="verified") for name in NAMES]
    make_signature(letter, organization_name="Harbour Pilots", status="unverified")
    flagged = make_signature(letter, organization_name="Lakeside Tenant Union", status="verified")
    assert flagged.possible_duplicate_of_id == waiting[0].id
    login(client, LEAD)
    base = f"/letters/{letter.slug}/signatures"
    page = client.get(f"{base}?sort=name").get_data(as_text=True)
    assert "Approve every sign-on awaiting you (4)" in page
    assert "4 sign-ons await your approval, on all its pages" in page
    assert "possible duplicates are not among them" in page
    up_to = re.search(r'name="up_to" value="(\d+)"', page).group(1)
    late = make_signature(letter, organization_name="Northern Ferry Crew", status="verified")

    response = post_form(client, f"{base}/bulk", {"action": "approve_awaiting", "up_to": up_to,
                         "show": "all", "sort": "name", "page": "1"}, token_from=base)  # fmt: skip
    assert response.status_code == 302 and response.location.endswith(f"{base}?sort=name")
    status = {s.id: s.status for s in signatures_of(letter)}
    assert [status[s.id] for s in waiting] == [SignatureStatus.approved] * 4
    assert status[flagged.id] is SignatureStatus.verified  # waits for the pair's buttons
    assert status[late.id] is SignatureStatus.verified  # arrived after the page was shown
    assert "4 sign-ons approved." in client.get(base).get_data(as_text=True)

    # A filter narrows it: only the unconfirmed view, where nothing awaits.
    unconfirmed = client.get(f"{base}?show=unverified").get_data(as_text=True)
    assert "Approve every sign-on awaiting you" not in unconfirmed


def test_a_duplicate_pair_side_by_side_decided_with_one_button(client, make):
    letter = make_open_letter(make.user(LEAD), moderation=True)
    earlier = make_signature(letter, organization_name="Centre for Civic Freedom", acronym="CCF",
                             signer_name="Ola Berg", status="verified")  # fmt: skip
    make_signature(letter, organization_name="Harbour Workers Union", status="verified")
    new = make_signature(letter, organization_name="Center for Civic Freedom",
                         signer_name="Ana Lindqvist", status="verified")  # fmt: skip
    login(client, LEAD)
    base = f"/letters/{letter.slug}/signatures"
    page = client.get(f"{base}?sort=name").get_data(as_text=True)
    pair = page.split(f'<div class="pair card" id="pair-{new.id}"', 1)[1].split("</section>")[0]
    assert "New: <a" in pair and "Earlier: <a" in pair and "Ola Berg" in pair
    assert "<strong>Center for Civic Freedom</strong> may be the same organization as " \
           "<strong>Centre for Civic Freedom (CCF)</strong>: " in pair  # fmt: skip
    buttons = re.findall(r'<button type="submit" class="[^"]*">([^<]+)</button>', pair)
    assert buttons == [
        "Keep Centre for Civic Freedom (CCF) (merge Center for Civic Freedom into it)",
        "Keep Center for Civic Freedom (merge Centre for Civic Freedom (CCF) into it)",
        "Keep both",
    ]
    form = re.search(r'<form method="post" action="([^"]+/merge)".*?</form>', pair, re.S)
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(0)))
    assert fields["keep"] == str(earlier.id) and fields["sort"] == "name"
    fields.pop("csrf_token", None)

    response = post_form(client, form.group(1), fields, token_from=base)
    assert response.location.endswith(f"{base}?sort=name")  # back where the lead was
    status = {s.id: s.status for s in signatures_of(letter)}
    assert status[new.id] is SignatureStatus.rejected
    assert status[earlier.id] is SignatureStatus.verified
    after = client.get(base).get_data(as_text=True)
    assert "Possible duplicates to decide" not in after and "Undo merge" in after


def test_pairs_that_look_alike_are_told_apart_and_own_organization(client, make):
    organization = make.organization("Middle East Democracy Center")
    letter = make_open_letter(make.user(LEAD, organization=organization))
    make_signature(letter, organization_name="Friends of the Delta", signer_name="Ola Berg")
    make_signature(letter, organization_name="Friends of the Delta", signer_name="Ana Lind")
    make_signature(letter, organization_name="Middle East Democracy Centre (MEDC)",
                   email="info@medc-lookalike.example.net")  # fmt: skip
    login(client, LEAD)
    page = client.get(f"/letters/{letter.slug}/signatures").get_data(as_text=True)
    assert ("Keep Friends of the Delta, signed by Ola Berg (merge Friends of the Delta, "
            "signed by Ana Lind into it)") in page  # fmt: skip
    assert "Keep Middle East Democracy Centre (MEDC) (MEDC) (another organization)" not in page
    assert "looks like your own organization, <strong>Middle East Democracy Center</strong>" in page
    assert ">Keep Middle East Democracy Centre (MEDC) (another organization)<" in page


def _bulk_signatures(letter, count: int) -> None:
    """Approved sign-ons written in one statement, as the bench does."""
    version = signatures_of(letter)[0]
    now = utcnow()
    db.session.execute(
        sa.insert(Signature.__table__),
        [
            {
                "letter_id": letter.id, "kind": "organization",
                "status": "verified" if n % 3 else "approved",
                "organization_name": f"Partner Organization {n:05d}", "acronym": "",
                "website": "", "country": "Estavia", "signer_name": f"Signer {n}",
                "signer_title": "", "affiliation": "", "listed_publicly": True,
                "email": f"p{n}@bench.example.org", "canonical_email": f"p{n}@bench.example.org",
                "note_to_lead": "A note" if n % 7 == 0 else "", "attested_authorized": True,
                "via": "open_link", "version_id": version.version_id,
                "version_number": version.version_number, "created_at": now,
                "verified_at": now, "approved_at": now if n % 3 == 0 else None,
                "manage_token_hash": f"{letter.id:08d}{n:056d}", "match_reason": "",
            }
            for n in range(count)
        ],
    )  # fmt: skip
    db.session.commit()


def test_the_table_asks_a_fixed_number_of_queries_however_long_the_list(client, make):
    letter = make_open_letter(make.user(LEAD), moderation=True)
    make_signature(letter, organization_name="Centre for Civic Freedom", status="verified")
    make_signature(letter, organization_name="Center for Civic Freedom", status="verified")
    login(client, LEAD)
    counted: list[int] = []

    def count(*_args) -> None:
        counted.append(1)

    def queries_for(path: str) -> int:
        client.get(path)  # warm what a request builds once
        counted.clear()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(path).status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(counted)

    paths = [f"/letters/{letter.slug}/signatures{q}" for q in ("", "?sort=name", "?show=verified")]
    _bulk_signatures(letter, 20)
    few = [queries_for(path) for path in paths]
    db.session.execute(sa.delete(Signature).where(Signature.email.like("p%@bench.example.org")))
    _bulk_signatures(letter, 450)
    assert [queries_for(path) for path in paths] == few
    assert max(few) < 30
