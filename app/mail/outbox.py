"""Queueing email: a message is a row written in the same transaction as its cause."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template

from app.extensions import db
from app.models import OutboxMessage


def queue_email(
    *,
    kind: str,
    to: str,
    subject: str,
    template: str,
    context: dict[str, Any] | None = None,
    reply_to: str | None = None,
    ref: Any | None = None,
) -> OutboxMessage:
    """Render `<template>.txt` and `<template>.html` and add the message to the outbox.

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
    )
    db.session.add(message)
    return message
