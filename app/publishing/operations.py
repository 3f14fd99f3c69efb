"""The lead's manual order of the list. Like every operation: checks, changes rows, one audit
event, no commit (the caller commits once)."""

from __future__ import annotations

import sqlalchemy as sa

from app.actor import Actor
from app.audit import record
from app.errors import Refused
from app.extensions import db
from app.letters import lifecycle
from app.letters.operations import update_settings
from app.models import Letter, SignatoryOrder, Signature, SignerKind
from app.publishing.ordering import order_signatures
from app.publishing.store import approved_signatures

UP, DOWN = "up", "down"


def _lock(letter: Letter) -> None:
    # Two leads moving names at once queue up on PostgreSQL instead of interleaving.
    db.session.execute(sa.select(Letter.id).where(Letter.id == letter.id).with_for_update())


def _place(signatures: list[Signature]) -> int:
    """Give `signatures` the positions 0..n-1 in their current order; returns how many moved."""
    changed = 0
    for position, signature in enumerate(signatures):
        if signature.manual_position != position:
            signature.manual_position = position
            changed += 1
    return changed


def manual_lists(letter: Letter) -> dict[SignerKind, list[Signature]]:
    """The approved organizations and individuals, each in manual order."""
    signatures = approved_signatures(letter)
    return {
        kind: order_signatures([s for s in signatures if s.kind is kind], SignatoryOrder.manual)
        for kind in SignerKind
    }


def start_manual_order(letter: Letter, *, actor: Actor) -> None:
    """Switch the letter to manual order, starting from the order the list has now."""
    lifecycle.ensure_settings_editable(letter)
    _lock(letter)
    signatures = approved_signatures(letter)
    for kind in SignerKind:
        current = order_signatures(
            [s for s in signatures if s.kind is kind], letter.signatory_order
        )
        _place(current)
    if letter.signatory_order is not SignatoryOrder.manual:
        update_settings(letter, {"signatory_order": SignatoryOrder.manual}, actor=actor)
    record("letter.order_started", actor, letter, signatories=len(signatures))


def move_signatory(letter: Letter, signature_id: int, direction: str, *, actor: Actor) -> bool:
    """Move one signatory a place up or down in the manual order; False when it cannot move.

    Signatories approved later have no position and come last; moving anything fixes the
    current order of everyone, so they keep their places when more arrive.
    """
    lifecycle.ensure_settings_editable(letter)
    if letter.signatory_order is not SignatoryOrder.manual:
        raise Refused("Switch the list to manual order first.")
    if direction not in (UP, DOWN):
        raise ValueError(direction)
    _lock(letter)
    for signatures in manual_lists(letter).values():
        index = next((i for i, s in enumerate(signatures) if s.id == signature_id), None)
        if index is None:
            continue
        target = index - 1 if direction == UP else index + 1
        if not 0 <= target < len(signatures):
            return False
        signatures[index], signatures[target] = signatures[target], signatures[index]
        _place(signatures)
        record(
            "letter.order_moved", actor, letter, signature=signature_id, direction=direction,
            position=target + 1,
        )  # fmt: skip
        return True
    raise Refused("That signatory is not on the list.")
