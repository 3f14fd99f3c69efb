"""Dashboard, new letters and copies, settings, the print preview, the recipient book, demo."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.letters import operations, recipients
from app.letters.demo import create_demo_letters
from app.letters.lifecycle import Transition
from app.letters.slugs import slugify
from app.models import DateMode, Letter, LetterStatus, RecipientBookEntry
from tests.conftest import login, post_form
from tests.letters_support import READY, actor_for, make_letter, reload


@pytest.fixture
def lead(make):
    return make.user("lead@example.org", name="Lena Lead")


def settings_form(letter: Letter, **changes: str) -> dict[str, str]:
    data = {
        "title": letter.title, "slug": letter.slug, "date_mode": "on_finalize", "letter_date": "",
        "locale": "en_US", "time_zone": "UTC", "show_co_leads": "y", "numbered": "y",
        "signatory_order": "alphabetical", "moderation": "y", "deadline": "",
        "intro_template": "{lead} and {others} organizations urge …",
    }  # fmt: skip
    data.update(changes)
    return data


def test_dashboard_groups_letters_by_status_with_counts(lead, client):
    make_letter(lead, title="Draft one")
    make_letter(lead, title="Draft two")
    make_letter(lead, title="Open one", status="open")
    make_letter(lead, title="Final one", status="final")
    make_letter(lead, title="Old one", status="archived")
    login(client, "lead@example.org")
    html = client.get("/letters/").get_data(as_text=True)
    assert "New letter" in html
    for label, count in [
        ("Drafts", 2),
        ("Open for sign-on", 1),
        ("Closed", 0),
        ("Final", 1),
        ("Archived", 1),
    ]:
        assert f'{label}</a> <span class="count">{count}</span>' in html
    assert (
        html.index("Draft two")
        < html.index("Open one")
        < html.index("Final one")
        < html.index("Old one")
    )


def test_new_letter_and_a_copy_of_an_earlier_one(lead, client):
    source = make_letter(lead, title="Release the river guides", status="closed")
    source.locale, source.numbered, source.time_zone = "fr_FR", False, "Europe/Paris"
    db.session.commit()
    login(client, "lead@example.org")
    org_id = lead.organizations[0].id
    blank = post_form(
        client, "/letters/new", {"title": "A fresh start", "organization": org_id, "copy_from": 0}
    )
    assert blank.status_code == 302 and blank.headers["Location"].endswith(
        "/letters/a-fresh-start/edit"
    )

    copied = post_form(
        client, "/letters/new",
        {"title": "Release the river guides", "organization": org_id, "copy_from": source.id},
    )  # fmt: skip
    assert copied.headers["Location"].endswith("/letters/release-the-river-guides-2/edit")
    copy = db.session.scalar(sa.select(Letter).where(Letter.slug == "release-the-river-guides-2"))
    assert (copy.status, copy.locale, copy.numbered, copy.time_zone) == (
        LetterStatus.draft, "fr_FR", False, "Europe/Paris",
    )  # fmt: skip
    first = operations.latest_version(copy)
    assert (
        first.number == 1
        and first.body == READY.body
        and first.recipients == operations.latest_version(source).recipients
    )
    assert first.change_note == "Copied from “Release the river guides” (version 2)"

    missing = post_form(
        client, "/letters/new", {"title": "", "organization": org_id, "copy_from": 0}
    )
    assert "This field is required." in missing.get_data(as_text=True)


def test_a_copy_from_a_letter_one_cannot_see_is_refused(lead, make, client):
    other = make_letter(make.user("other@example.net"), title="Private")
    login(client, "lead@example.org")
    response = post_form(
        client,
        "/letters/new",
        {"title": "Sneaky", "organization": lead.organizations[0].id, "copy_from": other.id},
    )
    assert response.status_code == 200  # not offered as a choice: a validation error, no copy
    assert "Not a valid choice" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Étude: Freeze the Assets!", "etude-freeze-the-assets"),
        ("new", "letter-new"),
        ("???", "letter"),
    ],
)
def test_slugs_are_readable(title, slug):
    assert slugify(title) == slug


def test_settings_are_saved_and_checked(lead, client):
    letter = make_letter(lead)
    login(client, "lead@example.org")
    path = f"/letters/{letter.slug}/settings"
    saved = post_form(
        client, path,
        settings_form(
            letter, slug="free-the-guides", date_mode="fixed", letter_date="2024-09-05", locale="fr_FR",
            time_zone="America/New_York", deadline="2031-03-01T17:00", signatory_order="time",
            lead_first="y", individuals_allowed="y", open_link="y", moderation="",
        ),
    )  # fmt: skip
    assert saved.status_code == 302
    letter = reload(letter)
    assert letter.slug == "free-the-guides" and letter.date_mode is DateMode.fixed
    assert letter.letter_date == date(2024, 9, 5)
    assert letter.deadline_at.isoformat() == "2031-03-01T22:00:00+00:00"  # 17:00 in New York
    assert (letter.lead_first, letter.individuals_allowed, letter.open_link, letter.moderation) == (
        True,
        True,
        True,
        False,
    )
    assert letter.signatory_order.value == "time"
    printed = client.get("/letters/free-the-guides/preview").get_data(as_text=True)
    assert "5 septembre 2024" in printed

    path = "/letters/free-the-guides/settings"
    bad = post_form(
        client, path,
        settings_form(letter, slug="Not A Slug", date_mode="fixed", intro_template="{lead} and {friends}"),
    ).get_data(as_text=True)  # fmt: skip
    assert "Use lower-case letters, digits and single hyphens" in bad
    assert "Only {lead}, {others} and {count} can be filled in; remove {friends}." in bad
    assert "Choose the date, or let the letter carry the day it is finalized." in bad
    assert reload(letter).slug == "free-the-guides"


def test_a_taken_or_reserved_slug_is_refused(lead, client):
    make_letter(lead, title="Taken", slug="taken")
    letter = make_letter(lead)
    login(client, "lead@example.org")
    for slug, message in [
        ("taken", "Another letter already uses this address."),
        ("new", "is reserved"),
    ]:
        html = post_form(
            client,
            f"/letters/{letter.slug}/settings",
            settings_form(letter, slug=slug),
            follow_redirects=True,
        )
        assert message in html.get_data(as_text=True)


def test_print_preview_lays_out_the_letter(lead, client):
    letter = make_letter(lead, status="closed")
    login(client, "lead@example.org")
    html = client.get(f"/letters/{letter.slug}/preview").get_data(as_text=True)
    assert "date is shown; the final letter carries the day it is finalized." in html
    assert (
        "The Honorable Ilse Varga<br>Minister of Foreign Affairs<br>Ministry of Foreign Affairs<br>12 Harbour Road<br>Port Selden 4410<br>Norland"
        in html
    )
    assert '<p class="salutation">Dear Minister Varga:</p>' in html
    assert "[Signatory organization]" in html and '<ol class="signatory-list placeholder">' in html


def test_finalizing_through_the_page_needs_the_box_ticked(lead, client):
    letter = make_letter(lead, status="closed")
    login(client, "lead@example.org")
    path = f"/letters/{letter.slug}/finalize"
    assert "It cannot be undone." in client.get(path).get_data(as_text=True)
    refused = post_form(client, path, {})
    assert refused.status_code == 409
    assert "Tick the confirmation box" in refused.get_data(as_text=True)
    done = post_form(client, path, {"confirm": "y"}, follow_redirects=True)
    assert "The letter is final (version 2)." in done.get_data(as_text=True)
    letter = reload(letter)
    assert letter.status is LetterStatus.final and letter.letter_date is not None
    assert client.get(f"/letters/{letter.slug}/edit").status_code == 302


def test_refused_buttons_explain_why(lead, client):
    letter = make_letter(lead, text=None)
    login(client, "lead@example.org")
    page = client.get(f"/letters/{letter.slug}").get_data(as_text=True)
    assert (
        "Before it can be opened, the letter needs at least one recipient, a salutation and a body."
        in page
    )
    refused = post_form(
        client,
        f"/letters/{letter.slug}/status/open",
        {},
        token_from=f"/letters/{letter.slug}",
        follow_redirects=True,
    )
    assert "Before it can be opened" in refused.get_data(as_text=True)
    assert reload(letter).status is LetterStatus.draft
    unknown = post_form(
        client, f"/letters/{letter.slug}/status/explode", {}, token_from=f"/letters/{letter.slug}"
    )
    assert unknown.status_code == 404


def test_the_recipient_book_is_seeded_once_and_editable(lead, client):
    org = lead.organizations[0]
    login(client, "lead@example.org")
    page = client.get("/letters/book").get_data(as_text=True)
    assert "Secretary of the Treasury" in page and "1500 Pennsylvania Avenue N.W." in page
    assert (
        "Washington, D.C. 20220" in page
        and "2201 C Street N.W." in page
        and "Washington, D.C. 20520" in page
    )
    entries = recipients.book_entries(org.id)
    assert {e.name for e in entries} == {""}  # the lead fills in the office-holder

    treasury = next(e for e in entries if e.title == "Secretary of the Treasury")
    edit = f"/letters/book/{treasury.id}/edit"
    form = {"honorific": "The Honorable", "name": "Rafael Ortiz", "title": "Secretary of the Treasury",
            "department": "U.S. Department of the Treasury", "street": "1500 Pennsylvania Avenue N.W.",
            "locality": "Washington, D.C. 20220", "country": ""}  # fmt: skip
    assert post_form(client, edit, form).status_code == 302
    for entry in entries:
        post_form(client, f"/letters/book/{entry.id}/delete", {}, token_from="/letters/book")
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecipientBookEntry)) == 0
    make_letter(lead)
    client.get("/letters/book")
    assert recipients.book_entries(org.id) == []  # not seeded again

    empty = post_form(client, "/letters/book", {"street": "Somewhere"})
    assert empty.status_code == 422
    assert "Give the entry a title (the office) or a name." in empty.get_data(as_text=True)


def test_demo_letter_is_created_once(lead):
    org = lead.organizations[0]
    create_demo_letters(org, lead)
    db.session.commit()
    create_demo_letters(org, lead)
    db.session.commit()
    letters = db.session.scalars(sa.select(Letter).where(Letter.slug == "demo-draft")).all()
    assert len(letters) == 1
    latest = operations.latest_version(letters[0])
    assert latest.number == 4 and len(latest.recipients) == 2
    operations.transition(letters[0], Transition.open, actor=actor_for(lead))  # ready to open
