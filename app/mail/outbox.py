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
) -> OutboxMessage:
    """Render `<template>.txt` and `<template>.html` and add the message to the outbox.

    `cc` adds copy recipients, `headers` extra headers (List-Unsubscribe), `attachments`
    files, and `message_id` a Message-ID chosen by the caller (who keeps it).

    Nothing is sent here: `flask mail work` sends it once the caller has committed, so a
    slow or broken SMTP server never fails the request, and a rolled-back change sends nothing.
    """
    ctx = {"site_name": current_app.config["SITE_NAME"], "subject": subject, **(context or {})}
    message = OutboxMessage(
        kind=kind,
        to_addr=to,
        reply_to=reply_to,
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
