"""A delivery follows its cover email: "accepted" once the recipients' SMTP server took it
(and then the signatories are told), "failed" with the server's reason when it was refused.

The mail worker calls `_email_outcome` through `app.mail.hooks`, in the transaction that
records the outbox row's result. The conditional UPDATE makes a repeated outcome a no-op.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.actor import Actor
from app.audit import record
from app.extensions import db
from app.mail import hooks
from app.models import Delivery, DeliveryStatus, Letter, OutboxStatus

KIND_COVER = "delivery"
ACCEPTED = "Accepted by the recipients' mail server."
_WORKER = Actor.system("mail worker")


def _accepted(partial: str | None) -> str:
    # A server can take a message for some addresses and refuse others (a cc with a typo).
    return f"{ACCEPTED} {partial}"[:2000] if partial else ACCEPTED


@hooks.on_outcome(Delivery.__tablename__)
def _email_outcome(outcome: hooks.Outcome) -> None:
    if outcome.ref_id is None or outcome.kind != KIND_COVER:
        return
    accepted = outcome.status is OutboxStatus.sent
    values = {
        "status": DeliveryStatus.accepted if accepted else DeliveryStatus.failed,
        "smtp_answer": _accepted(outcome.error)
        if accepted
        else (outcome.error or "Refused.")[:2000],
        "answered_at": outcome.at,
    }
    result = db.session.execute(
        sa.update(Delivery)
        .where(Delivery.id == outcome.ref_id, Delivery.status == DeliveryStatus.queued)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return
    delivery = db.session.get(Delivery, outcome.ref_id)
    db.session.refresh(delivery)
    if accepted:
        from app.delivery.operations import local_today, tell_signatories_once

        letter = db.session.get(Letter, delivery.letter_id)
        delivery.delivered_on = local_today(letter, outcome.at)
        tell_signatories_once(letter, delivery)
    record(
        "letter.delivery_accepted" if accepted else "letter.delivery_failed",
        _WORKER,
        delivery,
        letter_id=delivery.letter_id,
        outbox_id=outcome.message_id,
        reason=None if accepted else values["smtp_answer"],
    )
