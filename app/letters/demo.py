"""The demo's draft letter (`flask demo` calls `create_demo_letters`).

Every name here is invented: the coalition, the officials and the country.
"""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa

from app.actor import Actor
from app.extensions import db
from app.letters import operations
from app.letters.recipients import SEED_ADDRESSES
from app.letters.text import LetterText
from app.models import Letter, Organization, User

DEMO_SLUG = "demo-draft"

# As a lead would do it: two offices from the recipient book, with the office-holders' names.
RECIPIENTS = (
    replace(
        SEED_ADDRESSES[0],
        name="Helen Ardent",
        delivery_to="secretary.ardent@treasury.example.org",
        delivery_cc="correspondence@treasury.example.org",
    ),
    replace(
        SEED_ADDRESSES[1], name="Marcus Okonjo", delivery_to="secretary.okonjo@state.example.org"
    ),
)

OPENING = (
    "We, the undersigned organizations, write to ask that the United States impose "
    "targeted sanctions on the officials who ordered the forced evictions along the "
    "Marrow Bay waterfront in Estavia."
)
EVIDENCE = (
    "Since March, more than four thousand fishing families have lost their homes without "
    "notice or compensation. Local monitors have documented beatings during the clearances "
    "and the detention of residents who [spoke to the press](https://example.org/marrow-bay)."
)
ASKS = (
    "We urge you to:\n\n"
    "1. designate the responsible port authority officials under existing human rights "
    "sanctions programs;\n"
    "2. review U.S. financing linked to the port expansion; and\n"
    "3. press the Estavian government to allow *independent* observers into the area."
)
CLOSING_PARAGRAPH = (
    "Accountability for these abuses would show that the United States stands with "
    "communities who are pushed aside in the name of development."
)


def _text(opening: str, *paragraphs: str) -> LetterText:
    return LetterText(
        recipients=RECIPIENTS,
        salutation="Dear Secretary Ardent and Secretary Okonjo:",
        body="\n\n".join((opening, *paragraphs)),
        closing="Sincerely,",
    )


def create_demo_letters(organization: Organization, user: User) -> None:
    """Create the letter `demo-draft` with four versions, once. The caller commits."""
    exists = db.session.scalar(sa.select(Letter.id).where(Letter.slug == DEMO_SLUG))
    if exists is not None:
        return
    actor = Actor(user_id=user.id, label="demo")
    letter = operations.create_letter(
        organization=organization,
        title="Sanctions for the Marrow Bay evictions",
        actor=actor,
        slug=DEMO_SLUG,
    )
    letter.time_zone = "America/New_York"
    drafts = (
        (_text(OPENING, EVIDENCE, CLOSING_PARAGRAPH), "First draft"),
        (_text(OPENING, EVIDENCE, ASKS, CLOSING_PARAGRAPH), "Added our three requests"),
        (
            _text(
                OPENING.replace("write to ask", "write to urge"),
                EVIDENCE.replace("more than four thousand", "over 4,000"),
                ASKS,
                CLOSING_PARAGRAPH,
            ),
            "Stronger opening, exact figure",
        ),
    )
    for number, (text, note) in enumerate(drafts, start=1):
        operations.save_text(letter, base_number=number, text=text, actor=actor, note=note)
    db.session.flush()
