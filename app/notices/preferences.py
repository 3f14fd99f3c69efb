"""Each member's choice, per letter or for all their letters: every event, an hourly digest
(the default), a daily digest, or none. A note to the lead always arrives, even with none."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from app.actor import Actor
from app.audit import record
from app.extensions import db
from app.models import Letter, NoticeMode, NoticePreference, User

DEFAULT = NoticeMode.hourly
LABELS = {
    NoticeMode.every: "Every event, as it happens",
    NoticeMode.hourly: "An hourly digest",
    NoticeMode.daily: "A daily digest",
    NoticeMode.none: "None (notes to the lead still arrive)",
}


def choices(user_id: int) -> tuple[NoticeMode, dict[int, NoticeMode]]:
    """The member's choice for all letters, and the letters they chose otherwise for."""
    rows = db.session.execute(
        sa.select(NoticePreference.letter_id, NoticePreference.mode).where(
            NoticePreference.user_id == user_id
        )
    ).all()
    general = next((mode for letter_id, mode in rows if letter_id is None), DEFAULT)
    return general, {letter_id: mode for letter_id, mode in rows if letter_id is not None}


def modes(user_ids: Iterable[int]) -> dict[int, tuple[NoticeMode, dict[int, NoticeMode]]]:
    """`choices` for many members in one query."""
    ids = list(user_ids)
    found: dict[int, tuple[NoticeMode, dict[int, NoticeMode]]] = {u: (DEFAULT, {}) for u in ids}
    if not ids:
        return found
    rows = db.session.execute(
        sa.select(NoticePreference.user_id, NoticePreference.letter_id, NoticePreference.mode)
        .where(NoticePreference.user_id.in_(ids))
        .order_by(NoticePreference.letter_id.is_not(None))  # the general choice first
    ).all()
    for user_id, letter_id, mode in rows:
        general, per_letter = found[user_id]
        if letter_id is None:
            found[user_id] = (mode, per_letter)
        else:
            per_letter[letter_id] = mode
    return found


def save(
    user: User,
    general: NoticeMode,
    per_letter: dict[Letter, NoticeMode | None],
    *,
    actor: Actor,
) -> bool:
    """Store the member's choices; None for a letter means "as for all letters"."""
    existing = {
        p.letter_id: p
        for p in db.session.scalars(
            sa.select(NoticePreference).where(NoticePreference.user_id == user.id)
        )
    }
    wanted: dict[int | None, NoticeMode | None] = {None: general}
    wanted |= {letter.id: mode for letter, mode in per_letter.items()}
    changed = False
    for letter_id, mode in wanted.items():
        row = existing.get(letter_id)
        if mode is None or (letter_id is None and mode is DEFAULT and row is None):
            if row is not None:
                db.session.delete(row)
                changed = True
            continue
        if row is None:
            db.session.add(NoticePreference(user_id=user.id, letter_id=letter_id, mode=mode))
            changed = True
        elif row.mode is not mode:
            row.mode = mode
            changed = True
    if changed:
        record("notices.preferences_saved", actor, user, general=general.value)
    return changed
