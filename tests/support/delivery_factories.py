"""Builders for the delivery tests: a final letter whose recipients carry delivery addresses,
with listed signatories who can be written to."""

from __future__ import annotations

from dataclasses import replace

from app.extensions import db
from app.letters.text import LetterText
from app.models import Letter
from tests.letters_support import MINISTRY, TREASURY, make_letter
from tests.support.publishing_factories import add_signature, advance

MINISTER_TO = "minister@foreign.norland.example.org"
MINISTER_CC = "cabinet@foreign.norland.example.org"
TREASURY_TO = "secretary@treasury.example.org"
RECIPIENTS = (
    replace(MINISTRY, delivery_to=MINISTER_TO, delivery_cc=MINISTER_CC),
    replace(TREASURY, delivery_to=TREASURY_TO),
)
SIGNERS = (
    ("Alpha Org", "alpha@alpha.example.org"),
    ("Beta Org", "beta@beta.example.org"),
    ("Gamma Org", "gamma@gamma.example.org"),
)


def final_letter(
    user,  # noqa: ANN001 - a User
    *,
    status: str = "published",
    recipients=RECIPIENTS,  # noqa: ANN001
    signers=SIGNERS,  # noqa: ANN001
    title: str = "Free the river guides",
) -> Letter:
    """A letter with `signers` (name, email) approved, moved on to `status` (final or
    published)."""
    text = LetterText(
        recipients=tuple(recipients), salutation="Dear Minister Varga and Secretary Ortiz:",
        body="We ask for the release of the detained river guides.", closing="Sincerely,",
    )  # fmt: skip
    letter = make_letter(user, title=title, text=text, status="open")
    for name, email in signers:
        add_signature(letter, name, email=email, commit=False)
    db.session.commit()
    return advance(letter, user, status)
