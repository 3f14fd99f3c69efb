"""The letters blueprint: every URL of the drafting pages, in one table."""

from __future__ import annotations

from flask import Blueprint

from app.letters.views import book, letters, people, text

bp = Blueprint("letters", __name__, url_prefix="/letters", template_folder="templates")

GET, POST, BOTH = ["GET"], ["POST"], ["GET", "POST"]

RULES = (
    ("/", "dashboard", letters.dashboard, GET),
    ("/new", "new", letters.new, BOTH),
    ("/book", "book", book.index, BOTH),
    ("/book/<int:entry_id>/edit", "book_edit", book.edit, BOTH),
    ("/book/<int:entry_id>/delete", "book_delete", book.delete, POST),
    ("/join/<token>", "join", people.join, BOTH),
    ("/<slug>", "overview", letters.overview, GET),
    ("/<slug>/settings", "settings", letters.settings, BOTH),
    ("/<slug>/status/<action>", "transition", letters.transition, POST),
    ("/<slug>/finalize", "finalize", letters.finalize, BOTH),
    ("/<slug>/sign-for/<int:organization_id>", "sign_for", letters.sign_for, POST),
    ("/<slug>/preview", "preview", letters.preview, GET),
    ("/<slug>/edit", "edit", text.edit, BOTH),
    ("/<slug>/edit/preview", "body_preview", text.body_preview, POST),
    ("/<slug>/versions", "versions", text.versions, GET),
    ("/<slug>/versions/compare", "compare", text.compare, GET),
    ("/<slug>/versions/<int:number>", "version", text.version, GET),
    ("/<slug>/versions/<int:number>/restore", "restore", text.restore, POST),
    ("/<slug>/versions/<int:number>/material", "mark_material", text.mark_material, POST),
    ("/<slug>/collaborators", "collaborators", people.collaborators, BOTH),
    ("/<slug>/leave", "leave", people.leave, POST),
    (
        "/<slug>/collaborators/<int:collaborator_id>/remove",
        "remove_collaborator",
        people.remove,
        POST,
    ),
)

for rule, endpoint, view, methods in RULES:
    bp.add_url_rule(rule, endpoint, view, methods=methods)


@bp.app_context_processor
def _letter_helpers() -> dict:
    # App-wide: the letters layout, which the invitations, signing and publishing pages
    # extend, asks every page for these.
    from flask_login import current_user

    from app.letters.permissions import Access, access_level

    return {
        "letter_access": lambda letter: access_level(letter, current_user),
        "Access": Access,
    }


@bp.app_template_filter("letter_time")
def _letter_time(moment, time_zone: str = "UTC") -> str:
    """A moment as people at the letter's place read it: "Nov 27, 2026, 3:49 PM EST"."""
    from zoneinfo import ZoneInfo

    from babel.dates import format_datetime

    if moment is None:
        return ""
    return format_datetime(moment, "medium", tzinfo=ZoneInfo(time_zone), locale="en_US") + (
        f" ({time_zone.replace('_', ' ')})"
    )


@bp.app_template_filter("deadline_time")
def _deadline_time(moment, letter) -> str:  # noqa: ANN001
    """A deadline with its weekday, where the letter is: "Friday, December 4, 2026, 5:00 PM
    (America/New York)" (people write "Friday" in their invitations)."""
    from app.invitations.deadline import format_moment

    return format_moment(moment, letter) if moment is not None else ""
