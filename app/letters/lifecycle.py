"""The letter's state machine: the one place that says what may happen to a letter, and when.

    draft → open → closed → final        closed → open (reopen, e.g. after extending the deadline)
    archived: a flag a letter can carry in any status but open
    published: a separate switch, for letters that are open, closed or final

Views and operations ask here and show the refusal message as it is written, so every
message is addressed to the person who tried.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.errors import Refused
from app.extensions import db
from app.letters.text import LetterText
from app.models import DateMode, Letter, LetterStatus


class TransitionRefused(Refused):
    """A transition or edit that the letter's state does not allow; `message` says why."""


class Transition(enum.StrEnum):
    open = "open"
    close = "close"
    reopen = "reopen"
    finalize = "finalize"
    archive = "archive"
    unarchive = "unarchive"
    publish = "publish"
    unpublish = "unpublish"


# Button labels, in the order they are offered.
LABELS = {
    Transition.open: "Open for sign-on",
    Transition.close: "Close sign-on",
    Transition.reopen: "Reopen sign-on",
    Transition.finalize: "Finalize…",
    Transition.publish: "Publish",
    Transition.unpublish: "Unpublish",
    Transition.archive: "Archive",
    Transition.unarchive: "Unarchive",
}

_STATUS_MOVES = {
    Transition.open: (LetterStatus.draft, LetterStatus.open),
    Transition.close: (LetterStatus.open, LetterStatus.closed),
    Transition.reopen: (LetterStatus.closed, LetterStatus.open),
    Transition.finalize: (LetterStatus.closed, LetterStatus.final),
}

_WRONG_STATUS = {
    Transition.open: "Only a draft can be opened for sign-on; this letter is {status}.",
    Transition.close: "Only a letter open for sign-on can be closed; this letter is {status}.",
    Transition.reopen: "Only a closed letter can be reopened; this letter is {status}.",
    Transition.finalize: "Close sign-on before finalizing; this letter is {status}.",
}


def refusal(
    letter: Letter,
    transition: Transition,
    *,
    text: LetterText | None = None,
    now: datetime | None = None,
    confirmed: bool = False,
) -> str | None:
    """Why `transition` is not allowed now, or None when it is."""
    if transition is Transition.unarchive:
        return None if letter.archived else "This letter is not archived."
    if transition is Transition.unpublish:
        return None if letter.published else "This letter is not published."
    if transition is Transition.publish:
        if letter.published:
            return "This letter is already published."
        if letter.status is LetterStatus.draft:
            return "A draft cannot be published. Open the letter for sign-on first."
        return None
    if letter.archived:
        return "This letter is archived. Unarchive it first."
    if transition is Transition.archive:
        if letter.status is LetterStatus.open:
            return "Sign-on is open. Close it before archiving the letter."
        return None
    source, _ = _STATUS_MOVES[transition]
    if letter.status is not source:
        return _WRONG_STATUS[transition].format(status=letter.status.value)
    if transition is Transition.open:
        return _open_refusal(text)
    if transition is Transition.reopen and letter.deadline_at and now and letter.deadline_at <= now:
        return "The sign-on deadline has passed. Set a later deadline before reopening."
    if transition is Transition.finalize and not confirmed:
        return "Finalizing cannot be undone. Tick the confirmation box to finalize the letter."
    return None


def _open_refusal(text: LetterText | None) -> str | None:
    missing = []
    if text is None or not text.recipients:
        missing.append("at least one recipient")
    if text is None or not text.salutation.strip():
        missing.append("a salutation")
    if text is None or not text.body.strip():
        missing.append("a body")
    if missing:
        return "Before it can be opened, the letter needs " + _join(missing) + "."
    return None


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def check(letter: Letter, transition: Transition, **kwargs: Any) -> None:
    message = refusal(letter, transition, **kwargs)
    if message:
        raise TransitionRefused(message)


def available(letter: Letter, *, text: LetterText | None, now: datetime) -> list[Transition]:
    """Transitions to offer as buttons (finalize is offered; its page asks to confirm)."""
    return [
        t
        for t in LABELS
        if refusal(letter, t, text=text, now=now, confirmed=t is Transition.finalize) is None
    ]


def apply(
    letter: Letter, transition: Transition, *, now: datetime, version_number: int | None = None
) -> None:
    """Move the letter, guarded by its current state in the UPDATE itself.

    The WHERE clause repeats the state we checked, so of two people pressing "Close" at the
    same moment only one moves the letter; the other is told it changed meanwhile.
    """
    values: dict[str, Any] = {}
    guard: list[Any] = [Letter.id == letter.id]
    if transition in _STATUS_MOVES:
        source, target = _STATUS_MOVES[transition]
        guard += [Letter.status == source, Letter.archived_at.is_(None)]
        values["status"] = target
    if transition is Transition.open and letter.opened_at is None:
        values["opened_at"] = now
    elif transition is Transition.close:
        values["closed_at"] = now
    elif transition is Transition.reopen:
        values["closed_at"] = None
    elif transition is Transition.finalize:
        if version_number is None:
            raise TransitionRefused("This letter has no saved text to finalize.")
        values |= {"finalized_at": now, "final_version_number": version_number}
        if letter.date_mode is DateMode.on_finalize:
            # The date line is frozen with the text: the day it was finalized, where it is led.
            values["letter_date"] = now.astimezone(ZoneInfo(letter.time_zone)).date()
    elif transition is Transition.archive:
        guard += [Letter.archived_at.is_(None), Letter.status != LetterStatus.open]
        values["archived_at"] = now
    elif transition is Transition.unarchive:
        guard.append(Letter.archived_at.is_not(None))
        values["archived_at"] = None
    elif transition is Transition.publish:
        guard += [Letter.published.is_(False), Letter.status != LetterStatus.draft]
        values |= {"published": True, "published_at": now}
    elif transition is Transition.unpublish:
        guard.append(Letter.published.is_(True))
        values["published"] = False
    values["updated_at"] = now
    result = db.session.execute(
        sa.update(Letter)
        .where(*guard)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise TransitionRefused(
            "Someone changed this letter meanwhile. Reload the page and try again."
        )
    db.session.refresh(letter)


def ensure_text_editable(letter: Letter) -> None:
    if letter.archived:
        raise TransitionRefused("This letter is archived. Unarchive it to change the text.")
    if letter.status is LetterStatus.final:
        raise TransitionRefused("This letter is final: its text is frozen and cannot change.")


def ensure_settings_editable(letter: Letter) -> None:
    if letter.archived:
        raise TransitionRefused("This letter is archived. Unarchive it to change its settings.")
    if letter.status is LetterStatus.final:
        raise TransitionRefused("This letter is final: its settings are frozen.")


def ensure_slug_editable(letter: Letter) -> None:
    if letter.opened_at is not None:
        raise TransitionRefused(
            "The letter's address stays the same once it has been opened for sign-on."
        )
