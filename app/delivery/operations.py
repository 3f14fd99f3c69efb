"""Changing what happens after the letter: each function checks, changes rows, writes one
audit event, queues its emails in the same transaction, and never commits."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from app.actor import Actor
from app.audit import record
from app.delivery import compose, notifications
from app.delivery.files import Upload
from app.delivery.pdf import frozen_pdf, sha256
from app.errors import Refused
from app.extensions import db
from app.letters.text import bad_addresses
from app.mail.outbox import queue_email
from app.models import (
    Delivery,
    DeliveryMethod,
    DeliveryStatus,
    Letter,
    LetterResponse,
    LetterStatus,
    LetterUpdate,
    Signature,
    utcnow,
)
from app.publishing.store import load_final_letter
from app.signing.notify import lead_contact

KIND_COVER = "delivery"
MAX_NOTE = 5_000
MAX_UPDATE = 2_000


def ensure_final(letter: Letter) -> None:
    if letter.status is not LetterStatus.final:
        raise Refused(
            "Only a final letter can be delivered, answered or followed up: its text and its "
            f"list must be frozen first. This letter is {letter.status.value}."
        )


def local_today(letter: Letter, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(ZoneInfo(letter.time_zone)).date()


def _check_day(letter: Letter, day: date, what: str) -> None:
    if day > local_today(letter):
        raise Refused(f"The {what} date is in the future. Record it once it has happened.")
    if letter.finalized_at is not None and day < local_today(letter, letter.finalized_at):
        raise Refused(f"The {what} date is before the letter was finalized.")


def _check_addresses(to: list[str], cc: list[str]) -> None:
    if not to:
        raise Refused(
            "Give at least one delivery address (to). Add the recipients' addresses to the "
            "letter's recipients, or type them here."
        )
    bad = bad_addresses(", ".join([*to, *cc]))
    if bad:
        raise Refused(f"Not an email address: {', '.join(bad[:3])}.")


def deliver(
    letter: Letter, cover: compose.CoverEmail, *, actor: Actor, now: datetime | None = None
) -> Delivery:
    """Queue the cover email with the frozen PDF attached, and its delivery record."""
    ensure_final(letter)
    _check_addresses(cover.to, cover.cc)
    subject = " ".join(cover.subject.split())[:300]
    if not subject:
        raise Refused("Give the email a subject.")
    if len(cover.note) > MAX_NOTE:
        raise Refused(f"Keep the note under {MAX_NOTE:,} characters.")
    now = now or utcnow()
    pdf = frozen_pdf(letter)
    fl = load_final_letter(letter)
    delivery = Delivery(
        letter_id=letter.id, method=DeliveryMethod.email, status=DeliveryStatus.queued,
        to_addrs=", ".join(cover.to), cc_addrs=", ".join(cover.cc),
        recipients_label=notifications.recipients_label(letter), subject=subject,
        note=cover.note, delivered_on=local_today(letter, now), content_hash=fl.content_hash,
        pdf_sha256=sha256(pdf.content), created_by_id=actor.user_id, created_at=now,
    )  # fmt: skip
    db.session.add(delivery)
    db.session.flush()
    domain = str(current_app.config["MAIL_DEFAULT_SENDER"]).rpartition("@")[2].strip("> ")
    delivery.message_id = f"<delivery.{delivery.id}.{int(now.timestamp())}@{domain or 'localhost'}>"
    message = queue_email(
        kind=KIND_COVER,
        to=cover.to[0],
        cc=[*cover.to[1:], *cover.cc],
        subject=subject,
        template=compose.TEMPLATE,
        context=compose.context(
            letter, cover, public_url=notifications.public_links(letter)["public_url"]
        ),
        reply_to=lead_contact(letter),
        ref=delivery,
        attachments=[pdf],
        message_id=delivery.message_id,
    )
    db.session.flush()
    delivery.outbox_id = message.id
    record(
        "letter.delivery_queued", actor, letter, delivery_id=delivery.id,
        to=delivery.to_addrs, cc=delivery.cc_addrs or None, pdf_sha256=delivery.pdf_sha256,
    )  # fmt: skip
    return delivery


def record_delivery(
    letter: Letter,
    *,
    method: DeliveryMethod,
    delivered_on: date,
    note: str,
    proof: Upload | None,
    actor: Actor,
    tell: bool = True,
) -> Delivery:
    """A delivery made elsewhere (by hand, a web form, fax, a meeting); signatories are told."""
    ensure_final(letter)
    if method is DeliveryMethod.email:
        raise Refused("Emails are sent from the Deliver page; record another way here.")
    _check_day(letter, delivered_on, "delivery")
    fl = load_final_letter(letter)
    delivery = Delivery(
        letter_id=letter.id, method=method, status=DeliveryStatus.recorded,
        recipients_label=notifications.recipients_label(letter), note=note.strip()[:MAX_NOTE],
        delivered_on=delivered_on, content_hash=fl.content_hash, created_by_id=actor.user_id,
        proof_filename=proof.filename if proof else None,
        proof_mimetype=proof.mimetype if proof else None,
        proof_content=proof.content if proof else None,
    )  # fmt: skip
    db.session.add(delivery)
    db.session.flush()
    if tell:  # the demo tells nobody: its signatories are invented
        tell_signatories_once(letter, delivery)
    record(
        "letter.delivery_recorded", actor, letter, delivery_id=delivery.id,
        method=method.value, with_proof=bool(proof) or None,
    )  # fmt: skip
    return delivery


def tell_signatories_once(letter: Letter, delivery: Delivery) -> int:
    """The signatories hear of a delivery once, when it is made (or accepted by SMTP)."""
    if delivery.signatories_told_at is not None:
        return 0
    delivery.signatories_told_at = utcnow()
    return notifications.tell_delivered(letter, delivery)


def mark_bounced(delivery: Delivery, *, reason: str, actor: Actor) -> None:
    """The recipients' server accepted the email, then sent a bounce back (to the lead)."""
    if (
        delivery.method is not DeliveryMethod.email
        or delivery.status is not DeliveryStatus.accepted
    ):
        raise Refused("Only an email that was accepted can be marked as bounced.")
    delivery.status = DeliveryStatus.bounced
    delivery.smtp_answer = (reason.strip() or "Bounced (reported by the lead).")[:2000]
    delivery.answered_at = utcnow()
    record("letter.delivery_bounced", actor, delivery, letter_id=delivery.letter_id)


def record_response(
    letter: Letter,
    *,
    received_on: date,
    from_name: str,
    summary: str,
    upload: Upload | None,
    actor: Actor,
    tell: bool = True,
) -> LetterResponse:
    """The recipients answered: shown on the public page, and signatories are told."""
    ensure_final(letter)
    from_name, summary = " ".join(from_name.split()), summary.strip()
    if not from_name or not summary:
        raise Refused("Say who responded and summarize the response.")
    _check_day(letter, received_on, "response")
    response = LetterResponse(
        letter_id=letter.id, received_on=received_on, from_name=from_name[:300],
        summary=summary[:MAX_NOTE], created_by_id=actor.user_id,
        file_name=upload.filename if upload else None,
        file_mimetype=upload.mimetype if upload else None,
        file_content=upload.content if upload else None,
    )  # fmt: skip
    db.session.add(response)
    db.session.flush()
    told = notifications.tell_response(letter, response) if tell else 0
    record("letter.response_recorded", actor, response, letter_id=letter.id, told=told)
    return response


def update_refusal(letter: Letter, now: datetime | None = None) -> str | None:
    """Why no update can be sent today, or None."""
    if letter.status is not LetterStatus.final:
        return "Updates go to the signatories of a final letter."
    today = (now or utcnow()).date()
    sent = db.session.scalar(
        sa.select(LetterUpdate.id).where(
            LetterUpdate.letter_id == letter.id, LetterUpdate.sent_on == today
        )
    )
    if sent is not None:
        return "An update was already sent today: one a day at most. Send this one tomorrow."
    return None


def send_update(
    letter: Letter, *, subject: str, body: str, actor: Actor, now: datetime | None = None
) -> LetterUpdate:
    """A short update to the signatories, at most one a day per letter (in UTC)."""
    now = now or utcnow()
    problem = update_refusal(letter, now)
    if problem:
        raise Refused(problem)
    subject, body = " ".join(subject.split()), body.strip()
    if not subject or not body:
        raise Refused("Give the update a subject and a few lines.")
    if len(body) > MAX_UPDATE or len(subject) > 200:
        raise Refused(f"Keep an update short: {MAX_UPDATE:,} characters at most.")
    update = LetterUpdate(
        letter_id=letter.id, sent_on=now.date(), subject=subject, body=body,
        created_by_id=actor.user_id, created_at=now,
    )  # fmt: skip
    db.session.add(update)
    db.session.flush()  # the unique (letter, day) catches a second update sent at once
    told = notifications.tell_update(letter, update)
    record("letter.update_sent", actor, update, letter_id=letter.id, told=told)
    return update


def opt_out(signature: Signature, *, actor: Actor) -> bool:
    """Stop updates about this letter for this signature; False if already stopped."""
    result = db.session.execute(
        sa.update(Signature)
        .where(Signature.id == signature.id, Signature.updates_opted_out_at.is_(None))
        .values(updates_opted_out_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    db.session.refresh(signature)
    record("signature.updates_stopped", actor, signature, letter_id=signature.letter_id)
    return True
