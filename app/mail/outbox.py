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
    from_name: str | None = None,
    headers: dict[str, str] | None = None,
) -> OutboxMessage:
    """Render `<template>.txt` and `<template>.html` and add the message to the outbox.

    `from_name` is the From display name (see `via_name`); `headers` are extra headers such
    as List-Unsubscribe, checked when the message is built.

    Nothing is sent here: `flask mail work` sends it once the caller has committed, so a
    slow or broken SMTP server never fails the request, and a rolled-back change sends nothing.
    """
    ctx = {"site_name": current_app.config["SITE_NAME"], "subject": subject, **(context or {})}
    message = OutboxMessage(
        kind=kind,
        to_addr=to,
        reply_to=reply_to,
        from_name=from_name,
        headers=headers or None,
        subject=subject,
        text_body=render_template(f"{template}.txt", **ctx),
        html_body=render_template(f"{template}.html", **ctx),
        ref_type=getattr(ref, "__tablename__", None) if ref is not None else None,
        ref_id=getattr(ref, "id", None) if ref is not None else None,
    )
    db.session.add(message)
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
