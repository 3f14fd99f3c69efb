"""The one helper every state-changing operation uses to leave an audit event."""

from __future__ import annotations

from typing import Any

from app.actor import Actor
from app.extensions import db
from app.models import AuditEvent


def record(
    action: str,
    actor: Actor,
    obj: Any | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the session; the caller's commit makes it permanent.

    `obj` is any model instance with an `id`; its table name becomes the object type.
    """
    event = AuditEvent(
        action=action,
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        ip=actor.ip,
        user_agent=actor.user_agent,
        object_type=getattr(obj, "__tablename__", None) if obj is not None else None,
        object_id=getattr(obj, "id", None) if obj is not None else None,
        details={k: v for k, v in details.items() if v is not None},
    )
    db.session.add(event)
    return event
