"""Invitation and reminder emails, written to the outbox in bulk.

`app.mail.outbox.queue_email` adds one ORM object per message; sending 5,000 invitations in
one request needs a bulk insert instead (bulk.py). The rows are the ones queue_email would
write (same template context, `ref_type` "invitations"), so the worker and the dev mailbox
treat them alike.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import nh3
from flask import current_app, render_template
from markupsafe import escape
from werkzeug.routing import BuildError

from app.invitations import bulk
from app.invitations.deadline import format_deadline
from app.invitations.tracking import KIND_INVITATION, KIND_REMINDER
from app.letters.markdown import render_body
from app.letters.operations import latest_version
from app.mail.outbox import unsubscribe_headers, via_name
from app.models import Invitation, Letter, OutboxMessage
from app.urls import external_url

EXCERPT_CHARACTERS = 320
TEMPLATE = "invitations/emails/invitation"


@dataclass(frozen=True)
class Recipient:
    """One email to write: the invitation it is about and the raw token for its link."""

    invitation_id: int
    email: str
    organization_name: str
    contact_name: str
    raw_token: str


def sign_url(raw_token: str) -> str:
    """The personal link `/s/<token>`, served by the signing pages."""
    try:
        return external_url("signing.invitation", token=raw_token)
    except BuildError:  # the signing blueprint is not registered (yet)
        return current_app.config["BASE_URL"].rstrip("/") + "/s/" + raw_token


def decline_url(raw_token: str) -> str:
    return external_url("invitations.decline", token=raw_token)


def excerpt(letter: Letter, limit: int = EXCERPT_CHARACTERS) -> str:
    """The opening words of the current text, as plain text, cut at a word."""
    rendered = render_body(latest_version(letter).body or "").html
    # Block ends become spaces, so paragraphs do not run together once the tags are gone.
    text = html.unescape(nh3.clean(re.sub(r"</(p|li|h\d)>", " ", str(rendered)), tags=set()))
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def subject_for(letter: Letter, *, reminder: bool) -> str:
    if reminder:
        return f"Reminder: will you sign on to “{letter.title}”?"[:300]
    return f"Invitation to sign on: {letter.title}"[:300]


# Stand-ins for the personal parts, in Unicode's private use area: forms refuse those
# characters (app.text.unsafe_characters), so no title or message can contain them.
_PERSONAL = {
    "greeting_name": "\ue000greeting\ue000",
    "organization_name": "\ue000organization\ue000",
    "sign_url": "\ue000sign\ue000",
    "decline_url": "\ue000decline\ue000",
}
_TOKEN = "tokenplaceholder"  # noqa: S105 - URL-safe, so the URL builder keeps it as it is


def outbox_rows(
    letter: Letter,
    recipients: Iterable[Recipient],
    *,
    reply_to: str | None,
    inviter_name: str,
    message: str = "",
    reminder: bool = False,
) -> list[dict[str, Any]]:
    """The outbox rows for `recipients`, from the text and HTML templates.

    The templates are rendered once per batch with stand-ins for the personal parts, which
    are then filled in per recipient (escaped for the HTML part): 5,000 invitations cost two
    renders and string replacements instead of 10,000 renders.
    """
    subject = subject_for(letter, reminder=reminder)
    context = {
        "site_name": current_app.config["SITE_NAME"],
        "subject": subject,
        "letter_title": letter.title,
        "lead_name": letter.organization.name,
        "inviter_name": inviter_name,
        "deadline_text": format_deadline(letter),
        "excerpt": excerpt(letter),
        "message": message.strip(),
        "reminder": reminder,
        **_PERSONAL,
    }
    text_body = render_template(f"{TEMPLATE}.txt", **context)
    html_body = render_template(f"{TEMPLATE}.html", **context)
    # URLs are built once too; tokens are URL-safe, so they go in as they are.
    sign, decline = sign_url(_TOKEN).rpartition(_TOKEN), decline_url(_TOKEN).rpartition(_TOKEN)
    kind = KIND_REMINDER if reminder else KIND_INVITATION
    from_name = via_name(letter.organization.name)
    rows = []
    for person in recipients:
        personal = {
            "greeting_name": person.contact_name or "colleague",
            "organization_name": person.organization_name or "you",
            "sign_url": sign[0] + person.raw_token + sign[2],
            "decline_url": decline[0] + person.raw_token + decline[2],
        }
        rows.append(
            {
                "kind": kind,
                "to_addr": person.email,
                "reply_to": reply_to,
                "from_name": from_name,
                # A reminder's recipient can stop them: the decline page says no in one click.
                "headers": unsubscribe_headers(personal["decline_url"], one_click=True)
                if reminder
                else None,
                "subject": subject,
                "text_body": _fill(text_body, personal, html=False),
                "html_body": _fill(html_body, personal, html=True),
                "ref_type": Invitation.__tablename__,
                "ref_id": person.invitation_id,
            }
        )
    return rows


def _fill(body: str, personal: dict[str, str], *, html: bool) -> str:
    for key, marker in _PERSONAL.items():
        value = personal[key]
        body = body.replace(marker, str(escape(value)) if html else value)
    return body


def queue_rows(rows: list[dict[str, Any]]) -> None:
    """Add the rows to the outbox in one bulk insert (in the caller's transaction)."""
    bulk.insert_many(OutboxMessage, rows)
