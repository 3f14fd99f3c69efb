"""The dev mailbox: every outbox message, readable in the browser, in development only.

A new user without an SMTP server clicks their verification link here. The pages exist only
while DEV_MAILBOX is on (never in production); otherwise every /dev/mail URL is a 404.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Blueprint, Response, abort, render_template, request
from markupsafe import Markup, escape

from app.core.params import search_words
from app.extensions import db
from app.mail.transport import dev_mailbox_enabled
from app.models import OutboxMessage

bp = Blueprint("mail", __name__, template_folder="templates")

LIST_LIMIT = 200
# The email's own HTML runs in a sandbox with no scripts, forms or outside requests; only our
# own page may frame it.
RAW_HTML_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox"
)
_URL = re.compile(r"https?://[^\s<>\"']+")
_TRAILING = ".,;:!?)]'\""


@bp.before_request
def _only_in_development() -> None:
    if not dev_mailbox_enabled():
        abort(404)


@bp.get("/dev/mail")
def dev_mailbox():
    to = search_words(request.args.get("to"))
    query = sa.select(OutboxMessage).order_by(
        OutboxMessage.created_at.desc(), OutboxMessage.id.desc()
    )
    if to:
        query = query.where(OutboxMessage.to_addr.ilike(f"%{_like_escape(to)}%", escape="\\"))
    messages = db.session.scalars(query.limit(LIST_LIMIT)).all()
    return render_template("mail/dev_mailbox.html", messages=messages, to=to, limit=LIST_LIMIT)


@bp.get("/dev/mail/<int:id>")
def dev_message(id: int):
    message = db.get_or_404(OutboxMessage, id)
    return render_template(
        "mail/dev_message.html", message=message, text=linkify(message.text_body)
    )


@bp.get("/dev/mail/<int:id>/html")
def dev_message_html(id: int):
    message = db.get_or_404(OutboxMessage, id)
    response = Response(message.html_body, mimetype="text/html")
    response.headers["Content-Security-Policy"] = RAW_HTML_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def linkify(text: str) -> Markup:
    """Escape plain text and make its http(s) links clickable."""
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        start, end = match.start(), match.start() + len(url)
        parts.append(escape(text[position:start]))
        parts.append(Markup('<a href="{0}">{0}</a>').format(url))
        position = end
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
