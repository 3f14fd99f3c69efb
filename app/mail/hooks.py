"""Callbacks for features that follow their emails' fate (an invitation becomes "sent" or
"failed" with its email).

The worker calls `notify` when it records that a message was sent or finally failed, in the
same transaction as the outbox row's result, so the two are committed together. Each callback
runs in a SAVEPOINT: one that raises is logged and undone, and never costs the worker the
record of a message it has already handed to the SMTP server.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.extensions import db
from app.models import OutboxStatus

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    message_id: int
    kind: str
    ref_type: str | None
    ref_id: int | None
    status: OutboxStatus  # sent or failed
    error: str | None
    at: datetime


Callback = Callable[[Outcome], None]
_CALLBACKS: dict[str, list[Callback]] = {}


def on_outcome(ref_type: str) -> Callable[[Callback], Callback]:
    """Register a callback for messages whose `ref_type` (the table name of `ref=`) matches."""

    def register(callback: Callback) -> Callback:
        callbacks = _CALLBACKS.setdefault(ref_type, [])
        if callback not in callbacks:
            callbacks.append(callback)
        return callback

    return register


def follows(ref_type: str | None) -> bool:
    """Whether a feature registered a callback for messages about `ref_type`."""
    return bool(_CALLBACKS.get(ref_type or ""))


def notify(outcome: Outcome) -> None:
    for callback in _CALLBACKS.get(outcome.ref_type or "", ()):
        try:
            with db.session.begin_nested():
                callback(outcome)
        except Exception:
            logger.exception("outbox %s: %s callback failed", outcome.message_id, callback)
