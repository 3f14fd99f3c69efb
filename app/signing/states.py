"""The signature's state machine: the one table that says which status may follow which.

    unverified → verified → approved        verified/approved/unverified → rejected (the lead)
    unverified → approved (moderation off)  unverified/verified/approved → withdrawn (the signer)
    rejected → approved (the lead undoes)   unverified → expired (never confirmed in time)
    approved → verified (a listed name changed while moderation is on: the lead looks again)

Every move is one conditional UPDATE (`… WHERE id = :id AND status IN (:allowed)`), so two
requests racing (a double click, a lead and a signer at once) cannot both move a signature:
the loser finds it already moved and either does nothing (it was the same move) or is told.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.errors import Refused
from app.extensions import db
from app.invitations import deadline
from app.models import (
    ArrivedVia,
    Letter,
    LetterStatus,
    Signature,
    SignatureStatus,
    SignerKind,
)

S = SignatureStatus

# action: (statuses it starts from, statuses it may end in, statuses in which it is done)
TRANSITIONS: dict[str, tuple[frozenset[S], frozenset[S], frozenset[S]]] = {
    "verify": (
        frozenset({S.unverified}),
        frozenset({S.verified, S.approved}),
        frozenset({S.verified, S.approved}),
    ),
    "approve": (
        frozenset({S.verified, S.rejected}),
        frozenset({S.approved}),
        frozenset({S.approved}),
    ),
    "reject": (
        frozenset({S.unverified, S.verified, S.approved}),
        frozenset({S.rejected}),
        frozenset({S.rejected}),
    ),
    "withdraw": (
        frozenset({S.unverified, S.verified, S.approved}),
        frozenset({S.withdrawn}),
        frozenset({S.withdrawn}),
    ),
    "hold": (frozenset({S.approved}), frozenset({S.verified}), frozenset({S.verified})),
    "expire": (frozenset({S.unverified}), frozenset({S.expired}), frozenset({S.expired})),
}

REFUSALS = {
    "verify": "This sign-on can no longer be confirmed: it was {status}.",
    "approve": "This sign-on cannot be approved: it was {status}.",
    "reject": "This sign-on cannot be rejected: it was {status}.",
    "withdraw": "This signature cannot be withdrawn: it was {status}.",
    "hold": "This sign-on is no longer listed: it was {status}.",
    "expire": "This sign-on is {status}.",
}

FINAL_MESSAGE = "This letter is final: its list of signatories can no longer change."


def ensure_list_can_change(letter: Letter) -> None:
    if letter.status is LetterStatus.final:
        raise Refused(FINAL_MESSAGE)


def move(signature: Signature, action: str, target: S, **values: Any) -> bool:
    """Move `signature` by `action` to `target`; True if this call moved it.

    False when it was already there (the action is idempotent); Refused when it is in a
    status the action cannot start from.
    """
    sources, targets, done = TRANSITIONS[action]
    if target not in targets:
        raise ValueError(f"{action} cannot end in {target}")
    ensure_list_can_change(signature.letter)
    result = db.session.execute(
        sa.update(Signature)
        .where(Signature.id == signature.id, Signature.status.in_(sources))
        .values(status=target, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(signature)
    if result.rowcount == 1:
        return True
    if signature.status in done:
        return False
    raise Refused(REFUSALS[action].format(status=signature.status.value))


def sign_on_refusal(
    letter: Letter,
    *,
    now: datetime,
    via: ArrivedVia,
    kind: SignerKind = SignerKind.organization,
) -> str | None:
    """Why nobody can sign `letter` this way now, in words for the would-be signer; or None.

    A passed deadline closes sign-on at once, even before a command moves the letter to
    "closed" (the invitations feature owns the deadline and its wording).
    """
    if closed := deadline.signing_closed(letter, now):
        return closed

    def contact() -> str:  # looked up only when a refusal needs it
        return deadline.lead_contact(letter).sentence()

    if via is ArrivedVia.open_link and not letter.open_link:
        return f"This letter is signed by invitation only. If you would like to sign, please {contact()}."
    if kind is SignerKind.individual and not letter.individuals_allowed:
        return f"This letter is signed by organizations only. If you have a question, please {contact()}."
    return None
