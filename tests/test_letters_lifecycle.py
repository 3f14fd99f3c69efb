"""The letter's state machine: every transition, allowed and refused, and what final freezes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.letters import lifecycle, operations
from app.letters.lifecycle import Transition, TransitionRefused
from app.letters.text import LetterText
from app.models import AuditEvent, DateMode, Letter, LetterStatus, LetterVersion, utcnow
from tests.letters_support import READY, actor_for, make_letter, reload


def move(letter: Letter, which: Transition, user, *, confirmed: bool = False) -> Letter:
    operations.transition(letter, which, actor=actor_for(user), confirmed=confirmed)
    db.session.commit()
    return reload(letter)


@pytest.fixture
def lead(make):
    return make.user("lead@example.org", name="Lena Lead")


ALLOWED = [
    # (starting state, transition, expected status, archived, published)
    ("draft", Transition.open, "open", False, False),
    ("open", Transition.close, "closed", False, False),
    ("closed", Transition.reopen, "open", False, False),
    ("closed", Transition.finalize, "final", False, False),
    ("draft", Transition.archive, "draft", True, False),
    ("closed", Transition.archive, "closed", True, False),
    ("final", Transition.archive, "final", True, False),
    ("archived", Transition.unarchive, "draft", False, False),
    ("open", Transition.publish, "open", False, True),
    ("closed", Transition.publish, "closed", False, True),
    ("final", Transition.publish, "final", False, True),
]


@pytest.mark.parametrize(("start", "which", "status", "archived", "published"), ALLOWED)
def test_allowed_transitions(lead, start, which, status, archived, published):
    letter = make_letter(lead, status=start)
    letter = move(letter, which, lead, confirmed=True)
    assert letter.status.value == status
    assert letter.archived is archived
    assert letter.published is published
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == f"letter.{which.value}")
    ).one()
    assert event.object_id == letter.id
    assert event.actor_user_id == lead.id


def test_unpublish(lead):
    letter = move(make_letter(lead, status="open"), Transition.publish, lead)
    letter = move(letter, Transition.unpublish, lead)
    assert letter.published is False


REFUSED = [
    ("open", Transition.open, "Only a draft can be opened"),
    ("closed", Transition.open, "Only a draft can be opened"),
    ("final", Transition.open, "Only a draft can be opened"),
    ("draft", Transition.close, "Only a letter open for sign-on can be closed"),
    ("closed", Transition.close, "Only a letter open for sign-on can be closed"),
    ("final", Transition.close, "Only a letter open for sign-on can be closed"),
    ("draft", Transition.reopen, "Only a closed letter can be reopened"),
    ("open", Transition.reopen, "Only a closed letter can be reopened"),
    ("final", Transition.reopen, "Only a closed letter can be reopened"),
    ("draft", Transition.finalize, "Close sign-on before finalizing"),
    ("open", Transition.finalize, "Close sign-on before finalizing"),
    ("final", Transition.finalize, "Close sign-on before finalizing"),
    ("open", Transition.archive, "Close it before archiving"),
    ("archived", Transition.archive, "This letter is archived"),
    ("draft", Transition.unarchive, "This letter is not archived"),
    ("archived", Transition.open, "This letter is archived"),
    ("draft", Transition.publish, "A draft cannot be published"),
    ("open", Transition.unpublish, "This letter is not published"),
]


@pytest.mark.parametrize(("start", "which", "message"), REFUSED)
def test_refused_transitions(lead, start, which, message):
    letter = make_letter(lead, status=start)
    before = (letter.status, letter.archived_at, letter.published)
    events = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    with pytest.raises(TransitionRefused) as refused:
        operations.transition(letter, which, actor=actor_for(lead), confirmed=True)
    assert message in refused.value.message
    db.session.rollback()
    letter = reload(letter)
    assert (letter.status, letter.archived_at, letter.published) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == events


def test_publishing_twice_is_refused(lead):
    letter = move(make_letter(lead, status="open"), Transition.publish, lead)
    with pytest.raises(TransitionRefused, match="already published"):
        operations.transition(letter, Transition.publish, actor=actor_for(lead))


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        (None, "at least one recipient, a salutation and a body"),
        (LetterText(recipients=READY.recipients, salutation="Dear Minister:"), "a body"),
        (LetterText(salutation="Dear all:", body="Text."), "at least one recipient"),
        (LetterText(recipients=READY.recipients, body="Text."), "a salutation"),
    ],
)
def test_opening_needs_recipients_salutation_and_body(lead, text, missing):
    letter = make_letter(lead, text=text)
    with pytest.raises(TransitionRefused) as refused:
        operations.transition(letter, Transition.open, actor=actor_for(lead))
    assert refused.value.message == f"Before it can be opened, the letter needs {missing}."


def test_finalizing_needs_confirmation(lead):
    letter = make_letter(lead, status="closed")
    with pytest.raises(TransitionRefused, match="cannot be undone"):
        operations.transition(letter, Transition.finalize, actor=actor_for(lead))
    assert reload(letter).status is LetterStatus.closed


def test_reopening_after_the_deadline_is_refused_until_it_moves(lead):
    letter = make_letter(lead, status="closed")
    letter.deadline_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    with pytest.raises(TransitionRefused, match="deadline has passed"):
        operations.transition(letter, Transition.reopen, actor=actor_for(lead))
    db.session.rollback()
    letter = reload(letter)
    letter.deadline_at = utcnow() + timedelta(days=3)
    db.session.commit()
    assert move(letter, Transition.reopen, lead).status is LetterStatus.open


def test_final_freezes_version_date_text_and_settings(lead):
    letter = make_letter(lead, status="closed")
    letter.time_zone = "Pacific/Auckland"
    db.session.commit()
    letter = move(letter, Transition.finalize, lead, confirmed=True)
    assert letter.final_version_number == 2
    assert letter.finalized_at is not None
    assert letter.date_mode is DateMode.on_finalize
    assert (
        letter.letter_date
        == letter.finalized_at.astimezone(
            __import__("zoneinfo").ZoneInfo("Pacific/Auckland")
        ).date()
    )
    with pytest.raises(TransitionRefused, match="final"):
        operations.save_text(letter, base_number=2, text=READY, actor=actor_for(lead))
    with pytest.raises(TransitionRefused, match="final"):
        operations.update_settings(letter, {"title": "New"}, actor=actor_for(lead))


def test_archived_letters_cannot_be_edited(lead):
    letter = make_letter(lead, status="archived")
    with pytest.raises(TransitionRefused, match="archived"):
        operations.save_text(letter, base_number=2, text=READY, actor=actor_for(lead))


def test_slug_is_fixed_once_opened(lead):
    letter = make_letter(lead)
    operations.update_settings(letter, {"slug": "free-the-guides"}, actor=actor_for(lead))
    db.session.commit()
    letter = move(reload(letter), Transition.open, lead)
    assert letter.slug == "free-the-guides"
    with pytest.raises(TransitionRefused, match="stays the same once"):
        operations.update_settings(letter, {"slug": "another"}, actor=actor_for(lead))


def test_a_transition_on_stale_state_is_refused(lead):
    """Two people press "Close" together: the second UPDATE finds the letter moved."""
    letter = make_letter(lead, status="open")
    db.session.execute(
        sa.update(Letter)
        .where(Letter.id == letter.id)
        .values(status=LetterStatus.closed)
        .execution_options(synchronize_session=False)
    )
    assert letter.status is LetterStatus.open  # this copy has not seen the other close
    with pytest.raises(TransitionRefused, match="changed this letter meanwhile"):
        lifecycle.apply(letter, Transition.close, now=utcnow())


def test_the_database_refuses_a_final_letter_without_a_version(lead):
    letter = make_letter(lead)
    with pytest.raises(IntegrityError):
        db.session.execute(
            sa.update(Letter).where(Letter.id == letter.id).values(status=LetterStatus.final)
        )
        db.session.flush()
    db.session.rollback()


def test_versions_are_immutable(lead):
    letter = make_letter(lead)
    version = db.session.scalars(
        sa.select(LetterVersion).where(LetterVersion.letter_id == letter.id)
    ).first()
    version.body = "rewritten history"
    with pytest.raises(ValueError, match="immutable"):
        db.session.flush()
    db.session.rollback()


def test_available_transitions_offer_only_what_is_allowed(lead):
    now = utcnow()
    draft = make_letter(lead)
    assert lifecycle.available(draft, text=READY, now=now) == [Transition.open, Transition.archive]
    closed = make_letter(lead, title="Closed one", status="closed")
    assert lifecycle.available(closed, text=READY, now=now) == [
        Transition.reopen,
        Transition.finalize,
        Transition.publish,
        Transition.archive,
    ]
