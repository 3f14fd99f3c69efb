"""Changing letters: each function checks, changes rows, writes one audit event, and leaves
the commit to its caller (a view or a command), so a request is one transaction."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from app.actor import Actor
from app.audit import record
from app.extensions import db
from app.letters import lifecycle, recipients, slugs
from app.letters.lifecycle import Transition, TransitionRefused
from app.letters.text import LetterText
from app.models import Letter, LetterVersion, Organization, utcnow

# Settings copied when a letter is started from an earlier one.
COPIED_SETTINGS = (
    "date_mode", "locale", "time_zone", "show_co_leads", "numbered", "signatory_order",
    "lead_first", "individuals_allowed", "moderation", "open_link", "intro_template",
    "lead_signs", "show_signatories", "signature_block", "fingerprint_on_pages",
)  # fmt: skip
SETTINGS = (*COPIED_SETTINGS, "title", "slug", "letter_date", "deadline_at")
DEFAULT_TEXT = LetterText(closing="Sincerely,")
# A deadline falls in this millennium: room for any campaign, and always a moment the database
# can hold in UTC (31 December 9999 west of Greenwich is not one).
DEADLINE_YEARS = range(2000, 3000)


class VersionConflict(Exception):  # noqa: N818 - shown to people as a conflict
    """The text was saved by someone else since the editor's base version."""

    def __init__(self, latest_number: int | None) -> None:
        super().__init__(f"the letter has moved on to version {latest_number}")
        self.latest_number = latest_number


def latest_version(letter: Letter) -> LetterVersion:
    # Signing reads this on every sign-on; the author (and their memberships) only on demand.
    version = db.session.scalar(
        sa.select(LetterVersion)
        .options(lazyload(LetterVersion.author))
        .where(LetterVersion.letter_id == letter.id)
        .order_by(LetterVersion.number.desc())
        .limit(1)
    )
    assert version is not None, "every letter is created with version 1"
    return version


def get_version(letter: Letter, number: int) -> LetterVersion | None:
    return db.session.scalar(
        sa.select(LetterVersion).where(
            LetterVersion.letter_id == letter.id, LetterVersion.number == number
        )
    )


def create_letter(
    *,
    organization: Organization,
    title: str,
    actor: Actor,
    copy_from: Letter | None = None,
    slug: str | None = None,
) -> Letter:
    """A new draft with version 1: empty, or the text and settings of `copy_from`."""
    recipients.seed_book_if_new(organization, actor)
    letter = Letter(
        organization_id=organization.id,
        organization=organization,
        created_by_id=actor.user_id,
        title=title.strip(),
        slug=slug or slugs.unique_slug(title),
        time_zone=organization.time_zone or "UTC",
    )
    text, note = DEFAULT_TEXT, "Letter started"
    if copy_from is not None:
        for name in COPIED_SETTINGS:
            setattr(letter, name, getattr(copy_from, name))
        source = latest_version(copy_from)
        text = LetterText.from_version(source)
        note = f"Copied from “{copy_from.title}” (version {source.number})"
    db.session.add(letter)
    db.session.flush()
    db.session.add(_new_version(letter, 1, text, actor, change_note=note))
    record(
        "letter.created", actor, letter, slug=letter.slug, copied_from=copy_from and copy_from.id
    )
    return letter


def _new_version(
    letter: Letter, number: int, text: LetterText, actor: Actor, **extra: Any
) -> LetterVersion:
    return LetterVersion(
        letter_id=letter.id, number=number, author_id=actor.user_id, **text.columns(), **extra
    )


def save_text(
    letter: Letter,
    *,
    base_number: int,
    text: LetterText,
    actor: Actor,
    note: str | None = None,
    material: bool = False,
    restored_from: int | None = None,
) -> LetterVersion | None:
    """Save `text` as the next version if nobody saved since `base_number`.

    Returns None when the text is unchanged. Raises VersionConflict when the editor's base is
    stale; after a conflict raised by the database the caller must roll back. What a material
    change means for the signers is composed above, in `app.workflow.save_text`.
    """
    lifecycle.ensure_text_editable(letter)
    # Lock the letter row (PostgreSQL) so concurrent saves queue up and the second one sees
    # the first one's version; the unique (letter_id, number) is the backstop everywhere.
    db.session.execute(sa.select(Letter.id).where(Letter.id == letter.id).with_for_update())
    latest = latest_version(letter)
    if latest.number != base_number:
        raise VersionConflict(latest.number)
    if LetterText.from_version(latest) == text:
        return None
    version = _new_version(
        letter,
        latest.number + 1,
        text,
        actor,
        change_note=(note or "").strip() or None,
        material=material,
        restored_from=restored_from,
    )
    db.session.add(version)
    letter.updated_at = utcnow()
    try:
        db.session.flush()
    except IntegrityError:
        raise VersionConflict(None) from None
    record("letter.text_saved", actor, letter, version=version.number, material=material or None)
    return version


def restore_version(
    letter: Letter, number: int, *, base_number: int, actor: Actor
) -> LetterVersion:
    """Make the text of version `number` the newest version (history is never rewritten)."""
    old = get_version(letter, number)
    if old is None:
        raise TransitionRefused(f"There is no version {number}.")
    version = save_text(
        letter,
        base_number=base_number,
        text=LetterText.from_version(old),
        actor=actor,
        note=f"Restored version {number}",
        restored_from=number,
    )
    if version is None:
        raise TransitionRefused(f"Version {number} is the same as the current text.")
    return version


def update_settings(letter: Letter, values: dict[str, Any], *, actor: Actor) -> list[str]:
    """Apply changed settings; returns the names of what changed."""
    lifecycle.ensure_settings_editable(letter)
    deadline = values.get("deadline_at")
    if deadline is not None and deadline.year not in DEADLINE_YEARS:
        raise TransitionRefused(
            f"Choose a deadline between the years {DEADLINE_YEARS.start} and "
            f"{DEADLINE_YEARS.stop - 1}."
        )
    changed = [k for k in SETTINGS if k in values and getattr(letter, k) != values[k]]
    if "slug" in changed:
        lifecycle.ensure_slug_editable(letter)
        problem = slugs.slug_problem(values["slug"], letter_id=letter.id)
        if problem:
            raise TransitionRefused(problem)
    for name in changed:
        setattr(letter, name, values[name])
    if changed:
        record("letter.settings_changed", actor, letter, fields=changed)
    return changed


def transition(letter: Letter, which: Transition, *, actor: Actor, confirmed: bool = False) -> None:
    """Move the letter through its lifecycle, or raise TransitionRefused saying why not.

    Only the state moves here; the consequences (the lead listed at opening, the list frozen
    at finalization) are composed above, in `app.workflow`.
    """
    now = utcnow()
    latest = latest_version(letter)
    lifecycle.check(
        letter, which, text=LetterText.from_version(latest), now=now, confirmed=confirmed
    )
    before = letter.status.value
    lifecycle.apply(letter, which, now=now, version_number=latest.number)
    record(
        f"letter.{which.value}",
        actor,
        letter,
        status_before=before,
        status=letter.status.value,
        final_version=letter.final_version_number if which is Transition.finalize else None,
    )
