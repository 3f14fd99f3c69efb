"""The lead's decisions about a sign-on that can be taken back: reject (with an optional
reason and an optional email to the signer), merge and keep-both, and `undo`.

A decision remembers what it changed (`Signature.undo_state`) so that, until the letter is
final, `undo` puts every row back as it was, if nothing has moved it since. Signers are told
the truth once per change: a decision's email waits a few minutes in the outbox
(SIGNING_DECISION_EMAIL_DELAY_MINUTES), an undo before it left cancels it (the signer's
listing never changed, as far as they know), and an undo after it left tells them so.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.actor import Actor
from app.audit import record
from app.errors import Refused
from app.extensions import db
from app.models import OutboxMessage, OutboxStatus, Signature, SignatureStatus, utcnow
from app.signing import notify, states

S = SignatureStatus
# The columns a decision may change, and so the ones an undo restores.
DECISION_COLUMNS = (
    "status", "approved_at", "rejected_at", "decided_by_id", "duplicate_kept_at",
    "possible_duplicate_of_id", "own_organization_id", "reject_reason",
)  # fmt: skip
REASON_LIMIT = 500
# The reason a merge gives the sign-on it drops; it also marks those merged into another.
MERGED = "Merged, as the same organization, into the sign-on of"


def snapshot(signature: Signature) -> dict:
    """The decision columns of a signature as JSON (times as ISO strings)."""
    values = {}
    for column in DECISION_COLUMNS:
        value = getattr(signature, column)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, S):
            value = value.value
        values[column] = value
    return values


def _restore(before: dict) -> dict:
    values = dict(before)
    values["status"] = S(values["status"])
    for column in ("approved_at", "rejected_at", "duplicate_kept_at"):
        if values[column] is not None:
            values[column] = datetime.fromisoformat(values[column])
    return values


def remember(subject: Signature, action: str, changed: list[tuple[Signature, dict]]) -> None:
    """Record on `subject` what `action` changed: each row's columns before, and its status
    after (an undo checks that nothing has moved it since)."""
    rows = [{"id": s.id, "before": before, "after": s.status.value} for s, before in changed]
    subject.undo_state = {"action": action, "rows": rows, "emails": []}


def delay_and_remember(subject: Signature, message: OutboxMessage | None, now: datetime) -> None:
    """Hold a decision's email for the grace period, and remember it so an undo can stop it."""
    if message is None:
        return
    minutes = int(current_app.config.get("SIGNING_DECISION_EMAIL_DELAY_MINUTES", 10))
    message.next_attempt_at = now + timedelta(minutes=minutes)
    db.session.flush()
    state = dict(subject.undo_state or {})
    state["emails"] = [*state.get("emails", []), message.id]
    subject.undo_state = state


def reject(
    signature: Signature,
    *,
    actor: Actor,
    note: str | None = None,
    reason: str = "",
    tell_signer: bool = False,
    now: datetime | None = None,
) -> bool:
    """The lead does not list a sign-on. `reason` is kept with it (and is the email's, when
    the lead chooses to tell the signer); signers merged into this one hear it has gone."""
    now = now or utcnow()
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_LIMIT:
        raise Refused(f"The reason can be at most {REASON_LIMIT} characters.")
    before = snapshot(signature)
    values = {"rejected_at": now, "decided_by_id": actor.user_id, "reject_reason": reason}
    moved = states.move(signature, "reject", S.rejected, **values)
    if moved:
        remember(signature, "reject", [(signature, before)])
        record("signature.rejected", actor, signature, letter=signature.letter_id, note=note,
               reason=reason or None, told_signer=tell_signer)  # fmt: skip
        if tell_signer:
            delay_and_remember(signature, notify.send_rejected(signature, reason=reason), now)
        if before["status"] == S.approved.value:
            for message in tell_merged_into(signature):
                delay_and_remember(signature, message, now)
    return moved


def tell_merged_into(gone: Signature) -> list[OutboxMessage]:
    """Signers whose sign-on was merged into `gone` were told their organization is listed
    through it: now that it has left the list, they are told that is no longer so."""
    merged = db.session.scalars(
        sa.select(Signature).where(
            Signature.possible_duplicate_of_id == gone.id,
            Signature.status == S.rejected,
            Signature.duplicate_kept_at.is_(None),
            Signature.reject_reason.startswith(MERGED, autoescape=True),
        )
    )
    return [m for s in merged if (m := notify.send_merged_gone(s, gone=gone)) is not None]


def undo(signature: Signature, *, actor: Actor, now: datetime | None = None) -> str:
    """Take back the lead's last decision about `signature` (reject, merge or keep-both) and
    return what it was. Refused, changing nothing, when there is none or a row has moved."""
    now = now or utcnow()
    states.ensure_list_can_change(signature.letter)
    state = signature.undo_state
    if not state:
        raise Refused("There is no decision to undo for this sign-on.")
    for n, row in enumerate(state["rows"]):
        # The first row is the decision's own: a second undo of it (a double click) finds
        # its record gone and changes nothing.
        pending = Signature.undo_state.is_not(None) if n == 0 else sa.true()
        result = db.session.execute(
            sa.update(Signature)
            .where(Signature.id == row["id"], Signature.status == S(row["after"]), pending)
            .values(**_restore(row["before"]), undo_state=None)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise Refused(
                "This sign-on has changed since that decision, so it cannot be undone. "
                "Decide again from its current state."
            )
    for row in state["rows"]:
        if (changed := db.session.get(Signature, row["id"])) is not None:
            db.session.refresh(changed)
    _stop_or_correct(state.get("emails", []))
    record("signature.decision_undone", actor, signature, letter=signature.letter_id,
           decision=state["action"], rows=[row["id"] for row in state["rows"]])  # fmt: skip
    return state["action"]


def _stop_or_correct(message_ids: list[int]) -> None:
    """An email about the undone decision that has not left is cancelled; one that has left
    is followed by the truth: the signer's sign-on stands as it did before."""
    for message_id in message_ids:
        message = db.session.get(OutboxMessage, message_id)
        if message is None or message.ref_type != "signatures" or message.ref_id is None:
            continue
        if message.status is OutboxStatus.queued and message.attempts == 0:
            db.session.delete(message)
            continue
        if (signature := db.session.get(Signature, message.ref_id)) is None:
            continue
        kept = signature.possible_duplicate_of_id and db.session.get(
            Signature, signature.possible_duplicate_of_id
        )
        if message.kind == "signature_merged_gone" and kept:
            notify.send_merged(signature, kept=kept)  # listed through the other one again
        else:
            notify.send_decision_undone(signature)
