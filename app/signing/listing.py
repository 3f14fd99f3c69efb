"""How a signatory is listed, and what the lead decides about possible duplicates.

Like every operation: plain values and an actor in, one audit event, emails queued, no commit.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from app.actor import Actor
from app.audit import record
from app.errors import Refused
from app.extensions import db
from app.models import ACTIVE_STATUSES, ConsentKind, Signature, SignatureStatus, utcnow
from app.signing import consent, decisions, naming, notify, rules, states

S = SignatureStatus
LISTING_FIELDS = (
    "organization_name", "acronym", "signer_name", "signer_title", "affiliation", "country",
    "listed_publicly",
)  # fmt: skip
_NAME_FIELDS = ("organization_name", "acronym", "signer_name")


def _describe(signature: Signature) -> str:
    hidden = "" if signature.listed_publicly else " (not named publicly)"
    return signature.display_name + hidden


def update_listing(
    signature: Signature,
    *,
    actor: Actor,
    by_lead: bool = False,
    **changes: str | bool | None,
) -> list[str]:
    """Correct how a signatory is listed; returns the names of the fields that changed.

    The lead's change is emailed to the signer; the lead cannot name a signatory who asked
    not to be named, only ask them (`naming`). A signer renaming a listed organization
    while moderation is on goes back to the lead before the new name is listed.
    """
    states.ensure_list_can_change(signature.letter)
    if signature.status in (S.withdrawn, S.expired):
        raise Refused(f"This signature was {signature.status.value}; its listing cannot change.")
    unknown = set(changes) - set(LISTING_FIELDS)
    if unknown:
        raise ValueError(f"not listing fields: {sorted(unknown)}")
    wanted = {k: v for k, v in changes.items() if v is not None}
    for name, value in wanted.items():
        if isinstance(value, str):
            if problem := rules.length_problem(name, value) or rules.name_problem(value):
                raise Refused(problem)
    if wanted.get("organization_name") == "" or wanted.get("signer_name") == "":
        raise Refused("A name cannot be empty.")
    if by_lead and wanted.get("listed_publicly") is True and not signature.listed_publicly:
        # Only the signer can agree to be named: the lead's change is a request to them.
        del wanted["listed_publicly"]
        naming.request_naming(signature, actor=actor)
    changed = [k for k, v in wanted.items() if getattr(signature, k) != v]
    if not changed:
        return []
    before = _describe(signature)
    for name in changed:
        setattr(signature, name, wanted[name])
    db.session.flush()
    renamed = any(name in _NAME_FIELDS for name in changed)
    held = False
    if by_lead:
        notify.send_listing_changed(signature, before=before, after=_describe(signature))
    elif renamed and signature.letter.moderation and signature.status is S.approved:
        held = states.move(signature, "hold", S.verified)
    record("signature.listing_changed", actor, signature, letter=signature.letter_id,
           fields=changed, before=before, after=_describe(signature), by_lead=by_lead,
           back_to_lead=held or None)  # fmt: skip
    consent.record_event(
        signature, ConsentKind.listing_changed, version_number=signature.version_number,
        channel=consent.LEAD_ON_BEHALF if by_lead else consent.EMAIL_LINK,
        detail={"fields": changed, "before": before, "after": _describe(signature)},
    )  # fmt: skip
    return changed


def is_held_duplicate(signature: Signature) -> bool:
    """Flagged for the lead as a possible duplicate (of a sign-on, or of the lead's or a
    co-lead's own organization) and not yet decided. With moderation off it is listed all
    the same: the flag is for the lead only."""
    return (
        (
            signature.possible_duplicate_of_id is not None
            or signature.own_organization_id is not None
        )
        and signature.duplicate_kept_at is None
        and signature.status in ACTIVE_STATUSES
    )


def _release(signature: Signature, now: datetime, actor: Actor) -> None:
    """A kept duplicate stops waiting; with moderation off that means it is listed."""
    db.session.execute(
        sa.update(Signature)
        .where(Signature.id == signature.id, Signature.duplicate_kept_at.is_(None))
        .values(duplicate_kept_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(signature)
    if signature.status is S.verified and not signature.letter.moderation:
        values = {"approved_at": now, "decided_by_id": actor.user_id}
        if states.move(signature, "approve", S.approved, **values):
            notify.send_approved(signature)


def keep_duplicate(signature: Signature, *, actor: Actor, now: datetime | None = None) -> bool:
    """The lead says the two are different organizations: both stay."""
    if not is_held_duplicate(signature):
        return False
    states.ensure_list_can_change(signature.letter)
    before = decisions.snapshot(signature)
    _release(signature, now or utcnow(), actor)
    decisions.remember(signature, "keep", [(signature, before)])
    record("signature.duplicate_kept", actor, signature, letter=signature.letter_id,
           other=signature.possible_duplicate_of_id)  # fmt: skip
    return True


def merge_duplicate(
    signature: Signature, *, keep_id: int, actor: Actor, now: datetime | None = None
) -> Signature:
    """The lead says the two are one organization: `keep_id` stays, the other is rejected
    (pointing at the one kept) and its signer is told. Returns the signature kept."""
    now = now or utcnow()
    states.ensure_list_can_change(signature.letter)
    other_id = signature.possible_duplicate_of_id
    if not is_held_duplicate(signature) or other_id is None:
        raise Refused("This sign-on is not waiting as a possible duplicate.")
    if keep_id not in (signature.id, other_id):
        raise Refused("Choose one of the two sign-ons to keep.")
    other = db.session.get(Signature, other_id)
    assert other is not None
    keep, drop = (signature, other) if keep_id == signature.id else (other, signature)
    before = [(signature, decisions.snapshot(signature)), (other, decisions.snapshot(other))]
    dropped_active = drop.status in ACTIVE_STATUSES
    if dropped_active:
        states.move(
            drop, "reject", S.rejected, rejected_at=now, decided_by_id=actor.user_id,
            possible_duplicate_of_id=keep.id, duplicate_kept_at=None,
            reject_reason=f"{decisions.MERGED} {keep.display_name}"[:500],
        )  # fmt: skip
    if keep is signature:
        _release(signature, now, actor)
    decisions.remember(signature, "merge", before)
    record("signature.merged", actor, keep, letter=keep.letter_id, kept=keep.id,
           dropped=drop.id, note=f"Merged into sign-on {keep.id} ({keep.display_name})")  # fmt: skip
    if dropped_active:
        decisions.delay_and_remember(signature, notify.send_merged(drop, kept=keep), now)
        if before[0 if drop is signature else 1][1]["status"] == S.approved.value:
            decisions.tell_merged_into(drop)
    return keep
