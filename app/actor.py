"""Who is acting: passed by views, commands and the worker into domain operations."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    label: str | None = None
    ip: str | None = None
    user_agent: str | None = None

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(label=label)


def actor_from_request() -> Actor:
    """The actor for the current request (views only)."""
    from flask import request
    from flask_login import current_user

    user_id = current_user.id if current_user.is_authenticated else None
    ua = (request.user_agent.string or "")[:400] or None
    return Actor(user_id=user_id, ip=request.remote_addr, user_agent=ua)
