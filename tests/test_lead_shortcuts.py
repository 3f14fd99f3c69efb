"""The lead's shortcuts of issue 14, page by page: saving lands on the overview (unless
"Save and keep editing"), the recipient book works with and without JavaScript, an open
letter is closed and finalized in one submission, publishing can go with it, and the final
files are offered on the overview."""

from __future__ import annotations

import json
import re

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Letter, LetterStatus, OutboxMessage, RecipientBookEntry
from tests.conftest import login, post_form
from tests.letters_support import READY, make_letter, text_form
from tests.support.signing_factories import make_open_letter, make_signature

LEAD = "amara@open-budgets.example.org"


def lead_user(make):
    user = make.user(LEAD, name="Amara Okafor")
    user.organizations[0].name = "Coalition for Open Budgets"
    db.session.commit()
    return user


def reload(letter: Letter) -> Letter:
    db.session.expire_all()
    return db.session.get(Letter, letter.id)


def test_save_version_lands_on_the_overview_and_keep_editing_stays(make, client):
    letter = make_letter(lead_user(make))
    login(client, LEAD)
    path = f"/letters/{letter.slug}/edit"
    response = post_form(client, path, text_form(READY, 2, body="A first body."))
    assert response.status_code == 302
    assert response.location.endswith(f"/letters/{letter.slug}")
    assert "Saved as version 3." in client.get(response.location).get_data(as_text=True)

    form = text_form(READY, 3, body="A second body.") | {"action": "save-stay"}
    response = post_form(client, path, form)
    assert response.location.endswith(path)
    assert "Saved as version 4." in client.get(response.location).get_data(as_text=True)


def test_the_book_is_embedded_for_the_script_and_the_button_works_without_it(make, client):
    user = lead_user(make)
    letter = make_letter(user)
    entry = RecipientBookEntry(
        organization_id=user.organizations[0].id, title="Minister of Water", name="Rosa Ibarra"
    )
    db.session.add(entry)
    db.session.commit()
    login(client, LEAD)
    path = f"/letters/{letter.slug}/edit"
    html = client.get(path).get_data(as_text=True)
    data = re.search(r'<script type="application/json" id="book-data">(.*?)</script>', html, re.S)
    assert json.loads(data.group(1))[str(entry.id)]["name"] == "Rosa Ibarra"
    # The blank block the script numbers: its fields are named as the server reads them.
    assert 'name="recipients-__N__-name"' in html

    # Without JavaScript: "Add from book" adds the block, nothing is saved.
    form = text_form(READY, 2) | {"action": "book", "book_entry": str(entry.id)}
    html = post_form(client, path, form).get_data(as_text=True)
    added = len(READY.recipients)
    assert f'name="recipients-{added}-name"' in html and 'value="Rosa Ibarra"' in html


def test_an_open_letter_is_closed_finalized_and_published_in_one_submission(make, client):
    letter = make_open_letter(lead_user(make), moderation=True)
    make_signature(letter, email="maria@delta.example.org", organization_name="Delta Friends")
    login(client, LEAD)
    path = f"/letters/{letter.slug}/finalize"
    overview = client.get(f"/letters/{letter.slug}").get_data(as_text=True)
    assert f'href="{path}"' in overview  # "Finalize…" is offered while the letter is open
    page = client.get(path).get_data(as_text=True)
    assert "Close sign-on before finalizing" not in page
    assert "Close sign-on and finalize" in page
    assert "Publish it at http://testserver.localhost/l/" in page
    assert "Delta Friends" in page.split('id="public-preview-heading"')[1]

    # An unticked confirmation changes nothing, not even closing.
    refused = post_form(client, path, {"publish": "y"})
    assert refused.status_code == 409
    assert reload(letter).status is LetterStatus.open

    done = post_form(client, path, {"confirm": "y", "publish": "y"}, follow_redirects=True)
    html = done.get_data(as_text=True)
    letter = reload(letter)
    assert letter.status is LetterStatus.final and letter.published
    assert "Sign-on is closed. The letter is final (version 2)." in html
    assert f"It is published at http://testserver.localhost/l/{letter.slug}." in html
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert [a for a in actions if a in ("letter.close", "letter.finalize", "letter.publish")] == [
        "letter.close",
        "letter.finalize",
        "letter.publish",
    ]
    kinds = db.session.scalars(sa.select(OutboxMessage.kind)).all()
    assert "letter_published" in kinds  # the listed signatory learns the public address
    # The final files, one click each from the overview.
    assert f'href="/letters/{letter.slug}/export.pdf"' in html
    assert f'href="/letters/{letter.slug}/export.docx"' in html
    assert client.get(f"/l/{letter.slug}").status_code == 200


def test_finalizing_without_the_box_leaves_publishing_to_its_own_page(make, client):
    letter = make_open_letter(lead_user(make))
    login(client, LEAD)
    post_form(
        client, f"/letters/{letter.slug}/status/close", {}, token_from=f"/letters/{letter.slug}"
    )
    assert reload(letter).status is LetterStatus.closed
    page = client.get(f"/letters/{letter.slug}/finalize").get_data(as_text=True)
    assert "Finalize version 2" in page
    response = post_form(client, f"/letters/{letter.slug}/finalize", {"confirm": "y"})
    assert response.status_code == 302
    letter = reload(letter)
    assert letter.status is LetterStatus.final and not letter.published
    publish = client.get(f"/letters/{letter.slug}/publish").get_data(as_text=True)
    assert "Publish at this address" in publish
