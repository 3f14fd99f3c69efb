"""The invitations blueprint: every URL of the feature, in one table."""

from __future__ import annotations

from flask import Blueprint, request

# Imported for its effect too: it registers the mail worker hook that makes an invitation
# follow its email (sent, failed).
from app.invitations import glance, tracking  # noqa: F401
from app.invitations.views import adding, decline, letter, partners

bp = Blueprint("invitations", __name__, template_folder="templates")

GET, POST, BOTH = ["GET"], ["POST"], ["GET", "POST"]
LETTER = "/letters/<slug>/invitations"
BOOK = "/orgs/<int:org_id>/partners"

RULES = (
    (LETTER, "index", letter.index, GET),
    (f"{LETTER}/new", "new", adding.new, BOTH),
    (f"{LETTER}/check", "check", adding.check, POST),
    (f"{LETTER}/send", "send", adding.send, POST),
    (f"{LETTER}/preview", "repreview", adding.repreview, POST),
    (f"{LETTER}/remind", "remind", letter.remind, BOTH),
    (f"{LETTER}/reminder-setting", "reminder_setting", letter.reminder_setting, POST),
    (f"{LETTER}/<int:invitation_id>/resend", "resend", letter.resend, POST),
    (f"{LETTER}/<int:invitation_id>/withdraw", "withdraw", letter.withdraw, POST),
    ("/letters/<slug>/sign-ons.svg", "chart", letter.chart_svg, GET),
    ("/s/<token>/decline", "decline", decline.decline, BOTH),
    (BOOK, "partners", partners.index, GET),
    (f"{BOOK}/picked", "act", partners.act, POST),
    (f"{BOOK}/from-signatures", "add_signatories", partners.add_signatories, POST),
    (f"{BOOK}/<int:partner_id>", "partner", partners.partner, BOTH),
    (f"{BOOK}/contacts/<int:contact_id>", "contact", partners.contact, BOTH),
    (f"{BOOK}/contacts/<int:contact_id>/remove", "remove_contact", partners.remove_contact, POST),
    (
        f"{BOOK}/contacts/<int:contact_id>/restore",
        "restore_contact",
        partners.restore_contact,
        POST,
    ),
    (f"{BOOK}/groups/<int:group_id>/delete", "delete_group", partners.delete_group, POST),
)

for rule, endpoint, view, methods in RULES:
    bp.add_url_rule(rule, endpoint, view, methods=methods)


@bp.url_value_preprocessor
def _room_for_long_lists(endpoint: str | None, values: dict | None) -> None:
    # A pasted list of 5,000 lines can pass Werkzeug's 500 kB limit for one form field. The
    # limit must be raised before CSRFProtect reads the form in its before_request, and URL
    # value preprocessors are what Flask runs before that.
    if endpoint in ("invitations.new", "invitations.send", "invitations.repreview"):
        request.max_form_memory_size = adding.MAX_PASTE_BYTES
    elif endpoint == "invitations.check":
        # Typed as the lead goes: a paste of one list, never a file (a 413 beyond it).
        request.max_content_length = adding.MAX_PASTE_BYTES + 64 * 1024
        request.max_form_memory_size = adding.MAX_PASTE_BYTES


# The letter overview includes "invitations/_at_a_glance.html", which calls this.
bp.add_app_template_global(glance.glance, "invitation_glance")


@bp.app_template_filter("short_time")
def _short_time(moment, time_zone: str = "UTC") -> str:  # noqa: ANN001
    """ "Nov 27, 3:49 PM" at the letter's place, for tables (the zone is said once above)."""
    from zoneinfo import ZoneInfo

    from babel.dates import format_datetime

    if moment is None:
        return ""
    return format_datetime(moment, "MMM d, h:mm a", tzinfo=ZoneInfo(time_zone), locale="en_US")
