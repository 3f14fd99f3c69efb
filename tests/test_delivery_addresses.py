"""Recipients' delivery addresses: typed in the editor and the recipient book, kept with the
version, never printed, and never a change of the text signers agreed to."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.letters import demo as letters_demo
from app.letters.diff import diff_texts
from app.letters.text import LetterText
from app.models import LetterVersion, OutboxMessage, RecipientBookEntry
from app.publishing import demo as publishing_demo
from tests.conftest import login, post_form
from tests.letters_support import READY, make_letter, text_form
from tests.support.publishing_factories import add_signature

TO = "minister@foreign.norland.example.org, deputy@foreign.norland.example.org"


@pytest.fixture
def lead(make):
    return make.user("lena@budgets.example.org", name="Lena Lead")


def _latest(letter) -> LetterVersion:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(LetterVersion)
        .where(LetterVersion.letter_id == letter.id)
        .order_by(LetterVersion.number.desc())
        .limit(1)
    )


def test_delivery_addresses_are_kept_but_never_printed(app, client, lead):
    letter = make_letter(lead)
    login(client, lead.email)
    path = f"/letters/{letter.slug}/edit"
    editor = client.get(path).get_data(as_text=True)
    assert "Delivery email (to)" in editor and "Delivery email (cc)" in editor
    data = text_form(READY, 2, **{"recipients-0-delivery_to": TO.replace(", ", "; "),
                                  "recipients-0-delivery_cc": "cabinet@foreign.norland.example.org"})  # fmt: skip
    assert post_form(client, path, data).status_code == 302
    version = _latest(letter)
    assert version.number == 3
    assert version.recipients[0]["delivery_to"] == TO
    assert version.recipients[0]["delivery_cc"] == "cabinet@foreign.norland.example.org"
    # The diff from the version before sees no change; the letter never shows the addresses.
    before = LetterText.from_version(db.session.get(LetterVersion, version.id - 1))
    assert not any(s.changed for s in diff_texts(before, LetterText.from_version(version)))
    for page in (f"/letters/{letter.slug}", f"/letters/{letter.slug}/preview",
                 f"/letters/{letter.slug}/export.txt", f"/letters/{letter.slug}/export.md"):  # fmt: skip
        shown = client.get(page).get_data(as_text=True)
        assert "foreign.norland.example.org" not in shown, page
    assert "foreign.norland.example.org" in client.get(path).get_data(as_text=True)  # the editor


def test_a_bad_delivery_address_is_refused_with_the_text_kept(client, lead):
    letter = make_letter(lead)
    login(client, lead.email)
    path = f"/letters/{letter.slug}/edit"
    data = text_form(READY, 2, **{"recipients-0-delivery_to": "minister at ministry"})
    response = post_form(client, path, data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Not an email address: minister" in html and READY.body in html
    assert _latest(letter).number == 2


def test_changing_only_the_addresses_is_not_a_material_change(app, lead):
    letter = make_letter(lead, status="open")
    add_signature(letter, "Alpha Org", email="alpha@alpha.example.org")
    from app import workflow
    from tests.letters_support import actor_for

    text = replace(READY, recipients=(replace(READY.recipients[0], delivery_to=TO),))
    # Even an answer "material" cannot make a change of addresses alone ask anyone.
    version = workflow.save_text(
        letter, base_number=2, text=text, actor=actor_for(lead), material=True
    ).version
    db.session.commit()
    assert version is not None and version.material is False
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_the_recipient_book_keeps_delivery_addresses(client, lead):
    login(client, lead.email)
    page = post_form(client, "/letters/book", {"title": "Minister of Water", "delivery_to": TO})
    assert page.status_code == 302
    entry = db.session.scalar(
        sa.select(RecipientBookEntry).where(RecipientBookEntry.title == "Minister of Water")
    )
    assert entry.delivery_to == TO
    edit = client.get(f"/letters/book/{entry.id}/edit").get_data(as_text=True)
    assert f'value="{TO}"' in edit
    letter = make_letter(lead)
    path = f"/letters/{letter.slug}/edit"
    data = text_form(READY, 2, action="book", book_entry=str(entry.id))
    html = post_form(client, path, data).get_data(as_text=True)
    assert f'value="{TO}"' in html  # added to the letter with its addresses


def test_the_demo_recipients_have_delivery_addresses():
    assert all(r.delivery_to for r in letters_demo.RECIPIENTS)
    assert publishing_demo.RECIPIENT.delivery_to and publishing_demo.RECIPIENT.delivery_cc
