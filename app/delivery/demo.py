"""The demo's story after the letter (`flask demo`): `demo-final` was handed over in a meeting
and answered, so its public page shows a timeline. Invented, like the rest of the demo."""

from __future__ import annotations

import sqlalchemy as sa

from app.actor import Actor
from app.delivery import operations
from app.extensions import db
from app.models import Delivery, DeliveryMethod, Letter, LetterStatus, Organization, User

DEMO_SLUG = "demo-final"


def create_demo_story(organization: Organization, user: User) -> None:
    """Record a delivery and a response on `demo-final`, once. The caller commits."""
    letter = db.session.scalar(sa.select(Letter).where(Letter.slug == DEMO_SLUG))
    if letter is None or letter.status is not LetterStatus.final:
        return
    if db.session.scalar(sa.select(Delivery.id).where(Delivery.letter_id == letter.id)):
        return
    actor = Actor(user_id=user.id, label="demo")
    today = operations.local_today(letter)
    operations.record_delivery(
        letter, method=DeliveryMethod.meeting, delivered_on=today, actor=actor, proof=None,
        tell=False, note="Handed to the Commissioner's chief of staff at the Council's open hearing.",
    )  # fmt: skip
    operations.record_response(
        letter, received_on=today, from_name="Office of the Commissioner for External Relations",
        summary="The Commissioner will hold a consultation in each district before the vote.",
        upload=None, actor=actor, tell=False,
    )  # fmt: skip
    db.session.flush()
