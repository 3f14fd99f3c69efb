"""What the lead sees on a final letter's overview: its deliveries, responses and updates."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import defer

from app.delivery.forms import BounceForm
from app.delivery.timeline import METHODS
from app.extensions import db
from app.models import Delivery, Letter, LetterResponse, LetterUpdate, User


@dataclass
class AfterTheLetter:
    deliveries: list[Delivery]
    responses: list[LetterResponse]
    updates: list[LetterUpdate]
    authors: dict[int, str]
    methods: dict[str, str]
    bounce_form: BounceForm


def after_the_letter(letter: Letter) -> AfterTheLetter:
    deliveries = list(
        db.session.scalars(
            sa.select(Delivery)
            .where(Delivery.letter_id == letter.id)
            .options(defer(Delivery.proof_content))
            .order_by(Delivery.created_at.desc(), Delivery.id.desc())
        )
    )
    responses = list(
        db.session.scalars(
            sa.select(LetterResponse)
            .where(LetterResponse.letter_id == letter.id)
            .options(defer(LetterResponse.file_content))
            .order_by(LetterResponse.received_on.desc(), LetterResponse.id.desc())
        )
    )
    updates = list(
        db.session.scalars(
            sa.select(LetterUpdate)
            .where(LetterUpdate.letter_id == letter.id)
            .order_by(LetterUpdate.sent_on.desc())
        )
    )
    ids = {d.created_by_id for d in deliveries if d.created_by_id}
    authors = (
        dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all())
        if ids
        else {}
    )
    return AfterTheLetter(
        deliveries, responses, updates, authors, METHODS, BounceForm(formdata=None)
    )
