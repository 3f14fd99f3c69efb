"""A signature's consent history: every step (signed, confirmed the address, reconfirmed
version N, changed the listing, withdrew, signed as the lead organization, imported) with
its time, the version it refers to and the channel it came through.

`record_event` is the only writer of `ConsentEvent` rows. It refuses an event whose version
was saved after the event's time: nobody can agree to a text that did not exist yet, so a
history can never say "signed version 4 at 3:25" when version 4 was saved at 3:29.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import ConsentEvent, ConsentKind, LetterVersion, Signature, utcnow

# Channels, as the lead reads them in the history and the CSV.
INVITATION_LINK = "invitation link"
OPEN_LINK = "open link"
EMAIL_LINK = "email link"
LEAD_ORGANIZATION = "lead organization"
CO_LEAD_ORGANIZATION = "co-lead organization"
LEAD_ON_BEHALF = "lead on behalf"

LABELS = {
    ConsentKind.signed: "Signed version {n}",
    ConsentKind.confirmed_address: "Confirmed the email address (version {n})",
    ConsentKind.reconfirmed: "Reconfirmed: agreed to version {n}",
    ConsentKind.listing_changed: "Changed the listing (version {n})",
    ConsentKind.withdrew: "Withdrew (version {n})",
    ConsentKind.lead_organization: "Signed version {n} for its own organization",
    ConsentKind.imported: "Imported, signed version {n}",
}


def record_event(
    signature: Signature,
    kind: ConsentKind,
    *,
    version_number: int,
    channel: str,
    at: datetime | None = None,
    detail: dict[str, Any] | None = None,
) -> ConsentEvent:
    """Add one event to the signature's history (the caller commits).

    Raises ValueError when version `version_number` does not exist or was saved after `at`.
    """
    at = at or utcnow()
    saved = db.session.scalar(
        sa.select(LetterVersion.created_at).where(
            LetterVersion.letter_id == signature.letter_id,
            LetterVersion.number == version_number,
        )
    )
    if saved is None:
        raise ValueError(f"the letter has no version {version_number}")
    if saved > at:
        raise ValueError(
            f"version {version_number} was saved at {saved.isoformat()}, after this "
            f"{kind.value} event ({at.isoformat()})"
        )
    event = ConsentEvent(
        signature_id=signature.id, kind=kind, version_number=version_number, channel=channel,
        at=at, detail=detail or None,
    )  # fmt: skip
    db.session.add(event)
    return event


def history(signature: Signature) -> list[ConsentEvent]:
    """The signature's events, oldest first."""
    return histories([signature.id]).get(signature.id, [])


def histories(signature_ids: Iterable[int]) -> dict[int, list[ConsentEvent]]:
    """Events of many signatures in one query, by signature id, oldest first."""
    ids = list(signature_ids)
    if not ids:
        return {}
    db.session.flush()
    found: dict[int, list[ConsentEvent]] = {}
    rows = db.session.scalars(
        sa.select(ConsentEvent)
        .where(ConsentEvent.signature_id.in_(ids))
        .order_by(ConsentEvent.signature_id, ConsentEvent.at, ConsentEvent.id)
    )
    for event in rows:
        found.setdefault(event.signature_id, []).append(event)
    return found


def describe(event: ConsentEvent) -> str:
    return LABELS[event.kind].format(n=event.version_number)


def summary(events: list[ConsentEvent]) -> dict[str, Any]:
    """The CSV's consent columns: when it signed, confirmed and last reconfirmed, and the
    whole history as one cell."""

    def first(*kinds: ConsentKind) -> ConsentEvent | None:
        return next((e for e in events if e.kind in kinds), None)

    signed = first(ConsentKind.signed, ConsentKind.lead_organization, ConsentKind.imported)
    confirmed = first(ConsentKind.confirmed_address)
    if confirmed is None and signed is not None and signed.kind is ConsentKind.lead_organization:
        confirmed = signed  # a member signing from their account needs no email link
    reconfirmed = [e for e in events if e.kind is ConsentKind.reconfirmed]
    return {
        "signed_at": signed.at if signed else None,
        "confirmed_at": confirmed.at if confirmed else None,
        "reconfirmed_at": reconfirmed[-1].at if reconfirmed else None,
        "consent_history": "; ".join(
            f"{e.at.strftime('%Y-%m-%d %H:%M:%S')} UTC {e.kind.value} v{e.version_number} "
            f"({e.channel})"
            for e in events
        ),
    }
