"""Inviting on a letter that is still a draft: open it and send in one step, or keep the
invitations (held, with the lead's message) until it opens.

An invitation's link leads straight to the sign page, so nothing is emailed while the
letter is a draft. Neither function commits; a refusal leaves the transaction for the caller
to roll back, so opening and inviting happen together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from app.actor import Actor
from app.audit import record
from app.errors import Refused
from app.invitations import addressbook, operations
from app.invitations.deadline import deadline_passed
from app.invitations.held import hold_invitations
from app.invitations.parsing import Row
from app.models import Letter, LetterStatus, User, utcnow
from app.workflow import open_letter


def ensure_can_hold(letter: Letter, now: datetime) -> None:
    if letter.archived:
        raise Refused("This letter is archived. Unarchive it before inviting partners.")
    if letter.status is not LetterStatus.draft:
        raise Refused(
            f"This letter is {letter.status.value}, not a draft: invitations are no longer "
            "kept for its opening."
        )
    if deadline_passed(letter, now):
        raise Refused(
            "The sign-on deadline has passed. Set a later deadline in the letter's settings "
            "before inviting partners."
        )


def hold(letter: Letter, rows: Sequence[Row], *, message: str, actor: Actor) -> int:
    """Keep invitations for `rows` until the draft opens; returns how many were kept.

    They are sent, with `message`, by `release_held_invitations` when the letter opens.
    """
    ensure_can_hold(letter, utcnow())
    people = [
        addressbook.Person(r.organization, r.contact, r.email, r.canonical) for r in rows if r.ok
    ]
    count = hold_invitations(letter, people, actor=actor, message=message)
    if count:
        record(
            "invitations.held",
            actor,
            letter,
            count=count,
            custom_message=bool(message.strip()) or None,
        )
    return count


def open_and_invite(
    letter: Letter, rows: Sequence[Row], *, message: str, inviter: User, actor: Actor
) -> int:
    """Open the draft (the lead is listed, held invitations go) and invite `rows`; returns
    how many were invited now. Refused (nothing done) when the letter cannot open."""
    if letter.archived:
        raise Refused("This letter is archived. Unarchive it before opening it.")
    if deadline_passed(letter, utcnow()):
        raise Refused(
            "The sign-on deadline has passed. Set a later deadline in the letter's settings "
            "before opening the letter."
        )
    open_letter(letter, actor=actor)
    return operations.invite(letter, rows, message=message, inviter=inviter, actor=actor)
