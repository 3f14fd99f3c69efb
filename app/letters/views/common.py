"""Small helpers shared by the letters views."""

from __future__ import annotations

from flask import flash
from sqlalchemy.exc import IntegrityError

from app.extensions import db


def commit(
    failure: str = "Someone changed the same thing at the same moment. Please try again.",
) -> bool:
    """Commit the request's one transaction; on a constraint race, roll back and say so."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(failure, "error")
        return False
    return True


def refuse(message: str) -> None:
    """Undo whatever the refused operation started and show its message."""
    db.session.rollback()
    flash(message, "error")
