"""Emails of the delivery feature: the cover email to the recipients, and what signatories
are told afterwards (delivered, a response, an update), each with a one-click opt-out.

Signatories told are the listed ones: approved, in the frozen list, with contact data (not
erased), and not opted out of this letter's updates. Everything is queued in the caller's
transaction.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from babel.dates import format_date
from werkzeug.routing import BuildError

from app.extensions import db
from app.letters.text import LetterText
from app.mail.outbox import queue_email
from app.models import (
    Delivery,
    Letter,
    LetterResponse,
    LetterUpdate,
    Signature,
    SignatureStatus,
    UpdateOptOutLink,
    utcnow,
)
from app.publishing.store import load_final_letter, text_version
from app.signing.notify import lead_contact
from app.tokens import new_token
from app.urls import external_url

OPT_OUT_DAYS = 730  # an opt-out link works for two years: updates come for months
KIND_DELIVERED = "delivery.signatories"
KIND_RESPONSE = "delivery.response"
KIND_UPDATE = "delivery.update"


def recipients_label(letter: Letter) -> str:
    """Who the letter is addressed to, as printed: names and titles, never addresses."""
    text = LetterText.from_version(text_version(letter))
    people = []
    for address in text.recipients:
        parts = [p for p in (address.name_line, address.title) if p]
        if parts:
            people.append(", ".join(parts))
    return "; ".join(people)


def public_links(letter: Letter) -> dict[str, str | None]:
    """The public page and PDF, once published."""
    if not letter.published:
        return {"public_url": None, "pdf_url": None}
    try:
        return {
            "public_url": external_url("publishing.public_letter", slug=letter.slug),
            "pdf_url": external_url("publishing.public_pdf", slug=letter.slug),
        }
    except BuildError:
        return {"public_url": None, "pdf_url": None}


def listed_signatories(letter: Letter, *, opted_out_too: bool = False) -> list[Signature]:
    """Signatures in the frozen list that can be written to and (unless `opted_out_too`)
    did not opt out of this letter's updates."""
    fl = load_final_letter(letter)
    refs = {e.ref for e in (*fl.organizations, *fl.individuals) if e.ref is not None}
    refs |= set(fl.unnamed_refs)
    if not refs:
        return []
    query = sa.select(Signature).where(
        Signature.letter_id == letter.id,
        Signature.id.in_(sorted(refs)),
        Signature.status == SignatureStatus.approved,
        Signature.email.is_not(None),
    )
    if not opted_out_too:
        query = query.where(Signature.updates_opted_out_at.is_(None))
    return list(db.session.scalars(query.order_by(Signature.id)))


def opt_out_url(signature: Signature) -> str:
    """A fresh single-purpose link that stops this letter's updates for this signature."""
    raw, digest = new_token()
    db.session.add(
        UpdateOptOutLink(
            signature_id=signature.id,
            token_hash=digest,
            expires_at=utcnow() + timedelta(days=OPT_OUT_DAYS),
        )
    )
    return external_url("delivery.opt_out", token=raw)


def _tell(letter: Letter, *, kind: str, subject: str, template: str, ref: Any, **context) -> int:
    reply_to = lead_contact(letter)
    context |= public_links(letter)
    sent = 0
    for signature in listed_signatories(letter):
        url = opt_out_url(signature)
        queue_email(
            kind=kind,
            to=signature.email or "",
            subject=subject,
            template=f"delivery/emails/{template}",
            context={
                "letter": letter,
                "signature": signature,
                "lead_name": letter.organization.name,
                "opt_out_url": url,
                **context,
            },
            reply_to=reply_to,
            ref=signature,
            # RFC 8058: mail programs offer a one-click "unsubscribe" that POSTs to the link.
            headers={
                "List-Unsubscribe": f"<{url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        sent += 1
    return sent


def day(letter: Letter, value) -> str:  # noqa: ANN001 - a date
    return format_date(value, "long", locale=letter.locale or "en_US")


def tell_delivered(letter: Letter, delivery: Delivery) -> int:
    return _tell(
        letter,
        kind=KIND_DELIVERED,
        subject=f"Delivered: “{letter.title}”"[:300],
        template="delivered",
        ref=delivery,
        delivery=delivery,
        delivered_on=day(letter, delivery.delivered_on),
    )


def tell_response(letter: Letter, response: LetterResponse) -> int:
    return _tell(
        letter,
        kind=KIND_RESPONSE,
        subject=f"A response to “{letter.title}”"[:300],
        template="response",
        ref=response,
        response=response,
        received_on=day(letter, response.received_on),
    )


def tell_update(letter: Letter, update: LetterUpdate) -> int:
    return _tell(
        letter,
        kind=KIND_UPDATE,
        subject=f"{update.subject} — “{letter.title}”"[:300],
        template="update",
        ref=update,
        update=update,
    )
