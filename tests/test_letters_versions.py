"""Versions: every save is a new numbered version, conflicts never overwrite, diffs and restore."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.letters import operations
from app.letters.diff import render_segments, word_diff
from app.letters.operations import VersionConflict
from app.letters.text import LetterText
from app.models import AuditEvent, LetterVersion
from tests.conftest import login, post_form
from tests.letters_support import (
    MINISTRY,
    READY,
    TREASURY,
    actor_for,
    make_letter,
    text_form,
    version_numbers,
)


@pytest.fixture
def lead(make):
    return make.user("lead@example.org", name="Lena Lead")


def edit_page(client, slug: str) -> str:
    return client.get(f"/letters/{slug}/edit").get_data(as_text=True)


def test_each_save_is_a_new_immutable_version_with_author_note_and_flag(lead, client):
    letter = make_letter(lead, status="open")
    login(client, "lead@example.org")
    changed = text_form(READY, 2, body="A new body.", change_note="Shorter", material="yes")
    assert post_form(client, f"/letters/{letter.slug}/edit", changed).status_code == 302
    assert version_numbers(letter) == [1, 2, 3]
    v3 = db.session.scalars(
        sa.select(LetterVersion).where(
            LetterVersion.letter_id == letter.id, LetterVersion.number == 3
        )
    ).one()
    assert (v3.author_id, v3.change_note, v3.material, v3.body) == (
        lead.id,
        "Shorter",
        True,
        "A new body.",
    )
    assert v3.recipients == [MINISTRY.to_dict()]
    # v2 is untouched: it is what earlier signers saw.
    v2 = operations.get_version(letter, 2)
    assert v2.body == READY.body
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(AuditEvent.action == "letter.text_saved")
        )
        == 2
    )


def test_saving_unchanged_text_makes_no_version(lead, client):
    letter = make_letter(lead)
    login(client, "lead@example.org")
    response = post_form(
        client, f"/letters/{letter.slug}/edit", text_form(READY, 2), follow_redirects=True
    )
    assert "Nothing changed since the last version" in response.get_data(as_text=True)
    assert version_numbers(letter) == [1, 2]


def test_two_people_saving_from_the_same_version(lead, make, app, client):
    """The second save is refused with a conflict; its text stays in the form; v3 is intact."""
    make.user("colleague@example.org", organization=lead.organizations[0], role="member")
    letter = make_letter(lead)
    first, second = client, app.test_client()
    login(first, "lead@example.org")
    login(second, "colleague@example.org")
    assert 'name="base_version" type="hidden" value="2"' in edit_page(first, letter.slug)
    assert 'name="base_version" type="hidden" value="2"' in edit_page(second, letter.slug)

    mine = text_form(READY, 2, body="We urge swift action.")
    theirs = text_form(READY, 2, body="We ask for a full inquiry.", salutation="Dear Minister:")
    assert post_form(first, f"/letters/{letter.slug}/edit", mine).status_code == 302
    conflict = post_form(second, f"/letters/{letter.slug}/edit", theirs)

    assert conflict.status_code == 409
    html = conflict.get_data(as_text=True)
    assert "Someone else saved a newer version" in html
    assert "Your text has not been saved" in html
    assert "We ask for a full inquiry.</textarea>" in html  # their text is still in the form
    assert 'value="Dear Minister:"' in html
    assert "<ins>swift action</ins>" in html or "<ins>" in html  # what the other person changed
    # The next save is deliberate and builds on version 3.
    assert 'name="base_version" type="hidden" value="3"' in html
    assert version_numbers(letter) == [1, 2, 3]
    assert operations.get_version(letter, 3).body == "We urge swift action."

    again = post_form(second, f"/letters/{letter.slug}/edit", text_form(READY, 3, body="Merged."))
    assert again.status_code == 302
    assert version_numbers(letter) == [1, 2, 3, 4]
    assert operations.get_version(letter, 3).body == "We urge swift action."


def test_the_unique_version_number_stops_a_race_the_check_missed(lead, monkeypatch):
    """If two saves both passed the base check, only one can become version N+1."""
    letter = make_letter(lead)
    db.session.add(LetterVersion(letter_id=letter.id, number=3, body="written by the other save"))
    db.session.flush()
    stale = operations.get_version(letter, 2)
    monkeypatch.setattr(operations, "latest_version", lambda _letter: stale)
    with pytest.raises(VersionConflict):
        operations.save_text(
            letter, base_number=2, text=LetterText(body="mine"), actor=actor_for(lead)
        )
    db.session.rollback()


def test_stale_base_is_refused_by_the_operation(lead):
    letter = make_letter(lead)
    with pytest.raises(VersionConflict) as conflict:
        operations.save_text(letter, base_number=1, text=READY, actor=actor_for(lead))
    assert conflict.value.latest_number == 2


def test_word_diff_marks_only_the_changed_words():
    segments = word_diff("We urge swift action now.", "We urge decisive action now.")
    assert (
        str(render_segments(segments)) == "We urge <del>swift</del><ins>decisive</ins> action now."
    )
    assert str(render_segments(word_diff("a <b>", "a <i>"))) == (
        "a &lt;<del>b</del><ins>i</ins>&gt;"
    )  # the text is escaped, never markup


def test_compare_page_between_any_two_versions(lead, client):
    letter = make_letter(lead)
    actor = actor_for(lead)
    operations.save_text(
        letter, base_number=2, actor=actor,
        text=LetterText(READY.recipients + (TREASURY,), READY.salutation, "We urge action.", "Sincerely,"),
    )  # fmt: skip
    db.session.commit()
    login(client, "lead@example.org")
    html = client.get(f"/letters/{letter.slug}/versions/compare?from=2&to=3").get_data(as_text=True)
    assert "Changes from version 2 to version 3" in html
    assert re.search(r"<ins>\s*The Honorable Rafael Ortiz", html)
    assert (
        "<del>write to ask for the release of the detained river guides</del><ins>urge action</ins>"
        in html
    )
    older = client.get(f"/letters/{letter.slug}/versions/compare?from=1&to=3").get_data(
        as_text=True
    )
    assert "<ins>Dear Minister Varga:</ins>" in older
    missing = client.get(f"/letters/{letter.slug}/versions/compare?from=1&to=9")
    assert missing.status_code == 302


def test_restore_makes_a_new_version(lead, client):
    letter = make_letter(lead)
    operations.save_text(
        letter, base_number=2, text=LetterText(body="Other"), actor=actor_for(lead)
    )
    db.session.commit()
    login(client, "lead@example.org")
    page = client.get(f"/letters/{letter.slug}/versions").get_data(as_text=True)
    assert "Restore version 2" in page
    done = post_form(
        client, f"/letters/{letter.slug}/versions/2/restore", {"base_version": "3"},
        token_from=f"/letters/{letter.slug}/versions", follow_redirects=True,
    )  # fmt: skip
    assert "Version 2 restored as version 4." in done.get_data(as_text=True)
    v4 = operations.get_version(letter, 4)
    assert (v4.body, v4.restored_from) == (READY.body, 2)
    stale = post_form(
        client, f"/letters/{letter.slug}/versions/1/restore", {"base_version": "3"},
        token_from=f"/letters/{letter.slug}/versions", follow_redirects=True,
    )  # fmt: skip
    assert "Someone saved a newer version meanwhile" in stale.get_data(as_text=True)
    assert version_numbers(letter) == [1, 2, 3, 4]


def test_recipients_are_added_reordered_and_removed_without_saving(lead, client):
    letter = make_letter(lead)
    login(client, "lead@example.org")
    path = f"/letters/{letter.slug}/edit"
    two = text_form(
        LetterText(READY.recipients + (TREASURY,), READY.salutation, READY.body, "Sincerely,"), 2
    )

    added = post_form(client, path, {**two, "action": "add"}).get_data(as_text=True)
    assert 'name="recipients-2-name"' in added
    moved = post_form(client, path, {**two, "action": "up-1"}).get_data(as_text=True)
    assert moved.index("Rafael Ortiz") < moved.index("Ilse Varga")
    removed = post_form(client, path, {**two, "action": "remove-0"}).get_data(as_text=True)
    assert "Ilse Varga" not in removed and 'value="Rafael Ortiz"' in removed
    assert version_numbers(letter) == [1, 2]  # nothing was saved by these buttons

    saved = post_form(client, path, {**two, "action": "save"})
    assert saved.status_code == 302
    assert [r["name"] for r in operations.get_version(letter, 3).recipients] == [
        "Ilse Varga",
        "Rafael Ortiz",
    ]


def test_adding_an_address_from_the_book(lead, client):
    letter = make_letter(lead)
    login(client, "lead@example.org")
    page = edit_page(client, letter.slug)
    entry_id = re.search(r'<option value="(\d+)">Secretary of State', page).group(1)
    added = post_form(
        client,
        f"/letters/{letter.slug}/edit",
        {**text_form(READY, 2), "action": "book", "book_entry": entry_id},
    ).get_data(as_text=True)
    assert 'value="2201 C Street N.W.' in added or "2201 C Street N.W.</textarea>" in added
    assert 'value="Washington, D.C. 20520"' in added


def test_a_recipient_needs_a_name_or_title(lead, client):
    letter = make_letter(lead)
    login(client, "lead@example.org")
    data = {**text_form(READY, 2), "recipients-1-street": "1 Nowhere Lane"}
    response = post_form(client, f"/letters/{letter.slug}/edit", data)
    assert response.status_code == 422
    assert "Give this recipient a name or a title, or remove the block." in response.get_data(
        as_text=True
    )
    assert "1 Nowhere Lane" in response.get_data(as_text=True)
    assert version_numbers(letter) == [1, 2]


def test_overlong_input_is_refused_with_a_message_not_an_error(lead, client):
    letter = make_letter(lead)
    login(client, "lead@example.org")
    response = post_form(
        client, f"/letters/{letter.slug}/edit", text_form(READY, 2, closing="x" * 500)
    )
    assert response.status_code == 422
    assert "Field cannot be longer than 200 characters." in response.get_data(as_text=True)
    tampered = post_form(
        client, f"/letters/{letter.slug}/edit", text_form(READY, 2, base_version="two")
    )
    assert tampered.status_code == 422
    assert "Reload the page" in tampered.get_data(as_text=True)


@pytest.mark.postgres
def test_concurrent_saves_on_postgres_queue_on_the_letter_row(lead, app):
    """Two real transactions save from version 2 at once: one becomes v3, the other conflicts."""
    import threading
    import time

    letter = make_letter(lead)
    letter_id, actor = letter.id, actor_for(lead)
    first_flushed, results = threading.Event(), {}

    def save(name: str, body: str, hold: bool) -> None:
        with app.app_context():
            mine = db.session.get(type(letter), letter_id)
            if not hold:
                first_flushed.wait(5)
            try:
                version = operations.save_text(
                    mine, base_number=2, text=LetterText(body=body), actor=actor
                )
                if hold:
                    first_flushed.set()
                    time.sleep(0.5)  # the other save now waits on the row lock
                db.session.commit()
                results[name] = version.number
            except VersionConflict as conflict:
                db.session.rollback()
                results[name] = f"conflict with v{conflict.latest_number}"
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=save, args=("first", "One.", True)),
        threading.Thread(target=save, args=("second", "Two.", False)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == {"first": 3, "second": "conflict with v3"}
    assert version_numbers(letter) == [1, 2, 3]


def test_a_save_after_the_letter_became_final_keeps_the_text_on_the_page(lead, client):
    letter = make_letter(lead, status="final")
    login(client, "lead@example.org")
    response = post_form(
        client, f"/letters/{letter.slug}/edit", text_form(READY, 2, body="My unsaved words."),
        token_from=f"/letters/{letter.slug}",
    )  # fmt: skip
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "This letter is final: its text is frozen and cannot change." in html
    assert "My unsaved words.</textarea>" in html
    assert version_numbers(letter) == [1, 2]
