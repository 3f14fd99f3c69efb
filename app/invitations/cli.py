"""`flask reminders send-due`: automatic reminders, and closing letters past their deadline.

Safe to run from cron every few minutes, and twice at once: each reminder is claimed by a
unique row before its email is queued (see `reminders.py`).
"""

from __future__ import annotations

from datetime import datetime

import click
from flask import Flask
from flask.cli import AppGroup

from app.actor import Actor
from app.extensions import db
from app.invitations import operations, reminders
from app.invitations.deadline import close_overdue
from app.models import utcnow

reminders_cli = AppGroup("reminders", help="Reminders to invitees, and the sign-on deadline.")


def register(app: Flask) -> None:
    app.cli.add_command(reminders_cli)
    # `flask demo` gains invitations in every state and an address book, on `demo-open`
    # (which the signing demo, registered before us, creates).
    from app.demo import DEMO_PARTS
    from app.invitations.demo import create_demo_invitations

    if create_demo_invitations not in DEMO_PARTS:
        DEMO_PARTS.append(create_demo_invitations)


def send_due(now: datetime | None = None) -> tuple[int, int]:
    """Queue the due reminders, one letter per transaction; then close overdue letters.

    Returns (reminders queued, letters closed).
    """
    now = now or utcnow()
    actor = Actor.system("reminders send-due")
    queued = 0
    for letter in reminders.due_letters(now):
        queued += operations.remind_automatically(letter, now=now, actor=actor)
        db.session.commit()
    closed = close_overdue(now, actor)
    db.session.commit()
    return queued, len(closed)


@reminders_cli.command("send-due")
def send_due_command() -> None:
    """Send each due automatic reminder (at most once per invitee) and close letters whose
    sign-on deadline has passed."""
    queued, closed = send_due()
    click.echo(
        f"{queued} reminder{'s' if queued != 1 else ''} queued; {closed} letter{'s' if closed != 1 else ''} closed at their deadline."
    )
