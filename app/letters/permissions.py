"""Who may see and change a letter.

- Members (admin or member) of the lead organization lead the letter: they edit, manage
  collaborators and settings, and move it through its lifecycle.
- Collaborators who joined edit the text (editor) or read it (viewer).
- Everyone else is told the letter does not exist (404), so a draft's title never leaks.
"""

from __future__ import annotations

import enum
from typing import Any

import sqlalchemy as sa
from flask import abort

from app.extensions import db
from app.letters import slugs
from app.models import Collaborator, CollaboratorRole, Letter


class Access(enum.IntEnum):
    none = 0
    view = 1
    edit = 2
    lead = 3


def access_level(letter: Letter, user: Any) -> Access:
    """The most `user` may do with `letter` (anonymous users: nothing)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Access.none
    if user.role_in(letter.organization_id) is not None:
        return Access.lead
    role = db.session.scalar(
        sa.select(Collaborator.role).where(
            Collaborator.letter_id == letter.id, Collaborator.user_id == user.id
        )
    )
    if role is CollaboratorRole.editor:
        return Access.edit
    if role is CollaboratorRole.viewer:
        return Access.view
    return Access.none


def can_view(letter: Letter, user: Any) -> bool:
    return access_level(letter, user) >= Access.view


def can_edit(letter: Letter, user: Any) -> bool:
    return access_level(letter, user) >= Access.edit


def can_lead(letter: Letter, user: Any) -> bool:
    return access_level(letter, user) >= Access.lead


def load_letter(slug: str, user: Any, need: Access = Access.view) -> tuple[Letter, Access]:
    """The letter at `slug` for a view: 404 when the user may not see it, 403 when they may
    see it but not do what they asked."""
    letter = slugs.letter_at(slug)
    if letter is None:
        abort(404)
    level = access_level(letter, user)
    if level < Access.view:
        abort(404)
    if level < need:
        abort(403)
    return letter, level


def visible_letters_query(user: Any) -> sa.Select:
    """Letters of the user's organizations and letters they collaborate on."""
    org_ids = [m.organization_id for m in user.memberships]
    shared = sa.select(Collaborator.letter_id).where(Collaborator.user_id == user.id)
    return sa.select(Letter).where(
        sa.or_(Letter.organization_id.in_(org_ids), Letter.id.in_(shared))
    )
