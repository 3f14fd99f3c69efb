"""Queueing email: a message is a row written in the same transaction as its cause."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template

from app.extensions import db
from app.models import OutboxAttachment, OutboxMessage


@dataclass(frozen=True)
class Attachment:
    filename: str
    mimetype: str
    content: bytes


def queue_email(
    *,
    kind: str,
    to: str,
    subject: str,
    template: str,
    context: dict[str, Any] | None = None,
    reply_to: str | None = None,
    ref: Any | None = None,
    cc: Sequence[str] = (),
    headers: Mapping[str, str] | None = None,
    attachments: Sequence[Attachment] = (),
    message_id: str | None = None,
    from_name: str | None = None,
) -> OutboxMessage:
    """Render `<template>.txt` and `<template>.html` and add the message to the outbox.

    `cc` adds copy recipients, `headers` extra headers (List-Unsubscribe, checked when the
    message is built), `attachments` files, `message_id` a Message-ID chosen by the caller
    (who keeps it), and `from_name` the From display name (see `via_name`).

    Nothing is sent here: `flask mail work` sends it once the caller has committed, so a
    slow or broken SMTP server never fails the request, and a rolled-back change sends nothing.
    """
    ctx = {"site_name": current_app.config["SITE_NAME"], "subject": subject, **(context or {})}
    message = OutboxMessage(
        kind=kind,
        to_addr=to,
        reply_to=reply_to,
        from_name=from_name,
        subject=subject,
        text_body=render_template(f"{template}.txt", **ctx),
        html_body=render_template(f"{template}.html", **ctx),
        ref_type=getattr(ref, "__tablename__", None) if ref is not None else None,
        ref_id=getattr(ref, "id", None) if ref is not None else None,
        cc_addrs=", ".join(cc) or None,
        headers=dict(headers) if headers else None,
        message_id=message_id,
        has_attachments=bool(attachments),
    )
    db.session.add(message)
    if attachments:
        db.session.flush()
        for item in attachments:
            db.session.add(
                OutboxAttachment(
                    message_id=message.id,
                    filename=item.filename,
                    mimetype=item.mimetype,
                    content=item.content,
                )
            )
    return message


def via_name(organization_name: str) -> str:
    """The From display name of an email about a letter: "<Lead> via <site>", so partners
    recognize who writes while the address stays ours (SPF and DKIM pass)."""
    site = current_app.config["SITE_NAME"]
    name = " ".join((organization_name or "").split())  # no CR, LF or tab in a header
    return f"{name} via {site}"[:300] if name else site


def unsubscribe_headers(url: str, *, one_click: bool = False) -> dict[str, str]:
    """List-Unsubscribe (RFC 2369) pointing at a page; with `one_click`, the page also
    accepts the RFC 8058 POST without a login or a form token."""
    headers = {"List-Unsubscribe": f"<{url}>"}
    if one_click:
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers
