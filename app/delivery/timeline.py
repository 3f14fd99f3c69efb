"""The story of a letter after it opened, for its public page and its JSON API: opened,
final, delivered (to whom, when), each response and each update, oldest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import defer

from app.extensions import db
from app.models import Delivery, DeliveryStatus, Letter, LetterResponse, LetterUpdate

REACHED = (DeliveryStatus.accepted, DeliveryStatus.recorded)
METHODS = {
    "email": "by email",
    "by_hand": "by hand",
    "web_form": "through a web form",
    "fax": "by fax",
    "meeting": "in a meeting",
    "other": "",
}


@dataclass(frozen=True)
class Event:
    kind: str  # opened, final, delivered, response, update
    on: date
    title: str
    detail: str = ""
    response_id: int | None = None  # a response with its file, downloadable
    has_file: bool = False

    def as_json(self) -> dict:
        data = {"event": self.kind, "date": self.on.isoformat(), "title": self.title}
        if self.detail:
            data["detail"] = self.detail
        return data


def _day(moment: datetime, letter: Letter) -> date:
    return moment.astimezone(ZoneInfo(letter.time_zone)).date()


def events(letter: Letter, *, public: bool = True) -> list[Event]:
    """What happened, oldest first. `public`: only what a stranger may read (deliveries that
    reached the recipients, never an address or who at the lead did it)."""
    found: list[Event] = []
    if letter.opened_at is not None:
        found.append(Event("opened", _day(letter.opened_at, letter), "Opened for sign-on"))
    if letter.finalized_at is not None:
        found.append(Event("final", _day(letter.finalized_at, letter), "Finalized"))
    if letter.status.value == "final":
        found += _after(letter, public=public)
    order = {"opened": 0, "final": 1, "delivered": 2, "response": 3, "update": 4}
    return sorted(found, key=lambda e: (e.on, order[e.kind]))


def _after(letter: Letter, *, public: bool) -> list[Event]:
    found = []
    deliveries = sa.select(Delivery).where(Delivery.letter_id == letter.id)
    if public:
        deliveries = deliveries.where(Delivery.status.in_(REACHED))
    for d in db.session.scalars(deliveries.options(defer(Delivery.proof_content))):
        how = METHODS.get(d.method.value, "")
        to = f" to {d.recipients_label}" if d.recipients_label else ""
        found.append(Event("delivered", d.delivered_on, f"Delivered{to} {how}".strip()))
    responses = sa.select(LetterResponse).where(LetterResponse.letter_id == letter.id)
    for r in db.session.scalars(responses.options(defer(LetterResponse.file_content))):
        found.append(
            Event(
                "response", r.received_on, f"Response from {r.from_name}", r.summary,
                response_id=r.id, has_file=r.file_name is not None,
            )
        )  # fmt: skip
    updates = sa.select(LetterUpdate).where(LetterUpdate.letter_id == letter.id)
    for u in db.session.scalars(updates):
        found.append(Event("update", u.sent_on, u.subject, u.body))
    return found


def as_json(letter: Letter) -> list[dict]:
    """The API's `timeline` (of a published letter): the same events as its public page."""
    return [e.as_json() for e in events(letter)]
