"""The sign-on deadline: closed at the moment it passes, whether or not any command ran.

`deadline_at` is stored as a UTC moment that the lead chose in the letter's time zone, so
comparing it with "now" is exact; the time zone only matters for how the moment is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import format_datetime

from app.actor import Actor
from app.extensions import db
from app.models import Letter, LetterStatus, Membership, Role, User


@dataclass(frozen=True)
class LeadContact:
    organization: str
    name: str
    email: str | None
    website: str | None = None

    def sentence(self) -> str:
        """ "contact the Coalition for Open Budgets (https://…)", for public pages.

        Never a staff member's name or address: these pages are read by anyone with the
        link, and staff of the organizations we serve are targets. Emails to signers carry
        the address as Reply-To instead.
        """
        if self.website:
            return f"contact {self.organization} ({self.website})"
        return f"contact {self.organization}"


def lead_contact(letter: Letter) -> LeadContact:
    """Who answers for the letter: its author while still in the lead organization, else the
    organization's first administrator."""
    organization = letter.organization
    members = sa.select(Membership.user_id).where(
        Membership.organization_id == letter.organization_id
    )
    # Name and address only: loading whole users would load their memberships too.
    contact = sa.select(User.name, User.email)
    user = None
    if letter.created_by_id is not None:
        user = db.session.execute(
            contact.where(User.id == letter.created_by_id, User.id.in_(members))
        ).first()
    if user is None:
        user = db.session.execute(
            contact.join(Membership, Membership.user_id == User.id)
            .where(Membership.organization_id == letter.organization_id)
            .order_by((Membership.role == Role.admin).desc(), Membership.id)
            .limit(1)
        ).first()
    website = organization.website or None
    if user is None:
        return LeadContact(organization.name, organization.name, None, website)
    return LeadContact(organization.name, user.name, user.email, website)


def format_moment(moment: datetime, letter: Letter) -> str:
    """ "Friday, December 4, 2026 at 5:00 PM (America/New York)", in the letter's place."""
    zone = letter.time_zone or "UTC"
    locale = letter.locale or "en_US"
    try:
        text = format_datetime(
            moment, "EEEE, MMMM d, y, h:mm a", tzinfo=ZoneInfo(zone), locale=locale
        )
    except (ValueError, LookupError):
        text = format_datetime(moment, "EEEE, MMMM d, y, h:mm a", tzinfo=ZoneInfo(zone))
    return f"{text} ({zone.replace('_', ' ')})"


def format_deadline(letter: Letter) -> str | None:
    return format_moment(letter.deadline_at, letter) if letter.deadline_at else None


def deadline_passed(letter: Letter, now: datetime) -> bool:
    return letter.deadline_at is not None and letter.deadline_at <= now


def signing_closed(letter: Letter, now: datetime) -> str | None:
    """Why nobody can sign `letter` now, politely and with whom to write to; None if open.

    The signing pages call this on every request, so a passed deadline closes sign-on at
    once even when `flask reminders send-due` has not yet moved the letter to "closed".
    """
    # Checked before the lead's contact is looked up: every sign-on asks, most are open.
    open_now = (
        letter.status is LetterStatus.open
        and not letter.archived
        and not deadline_passed(letter, now)
    )
    if open_now:
        return None
    contact = lead_contact(letter).sentence()
    title = f"“{letter.title}”"
    if letter.status is LetterStatus.draft or letter.archived:
        return f"The letter {title} is not open for sign-on. If you expected it to be, please {contact}."
    if letter.status is not LetterStatus.open:
        return (
            f"Sign-on to {title} has closed, and no more signatures can be added. Thank you "
            f"for your interest. If you have a question, please {contact}."
        )
    return (
        f"Sign-on to {title} closed on {format_deadline(letter)}. Thank you for your "
        f"interest. If you meant to sign, please {contact}."
    )


def close_overdue(now: datetime, actor: Actor) -> list[Letter]:
    """Move open letters whose deadline has passed to "closed", through the letters' own
    state machine (so the audit trail shows it). The caller commits."""
    from app.errors import Refused
    from app.letters import operations
    from app.letters.lifecycle import Transition

    overdue = db.session.scalars(
        sa.select(Letter).where(
            Letter.status == LetterStatus.open,
            Letter.deadline_at.is_not(None),
            Letter.deadline_at <= now,
        )
    ).all()
    closed = []
    for letter in overdue:
        try:
            operations.transition(letter, Transition.close, actor=actor)
        except Refused:
            continue  # someone closed or changed it meanwhile
        closed.append(letter)
    return closed
