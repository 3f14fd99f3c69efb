"""Builders for the letters tests: letters with text, in any state, with collaborators."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app import workflow
from app.actor import Actor
from app.extensions import db
from app.letters import operations
from app.letters.lifecycle import Transition
from app.letters.text import Address, LetterText
from app.models import Collaborator, CollaboratorRole, Letter, Organization, User, utcnow

MINISTRY = Address(
    honorific="The Honorable",
    name="Ilse Varga",
    title="Minister of Foreign Affairs",
    department="Ministry of Foreign Affairs",
    street=("12 Harbour Road",),
    locality="Port Selden 4410",
    country="Norland",
)
TREASURY = Address(
    honorific="The Honorable",
    name="Rafael Ortiz",
    title="Secretary of the Treasury",
    street=("1500 Pennsylvania Avenue N.W.",),
    locality="Washington, D.C. 20220",
)
READY = LetterText(
    recipients=(MINISTRY,),
    salutation="Dear Minister Varga:",
    body="We write to ask for the release of the detained river guides.",
    closing="Sincerely,",
)

# (path pattern, method) of every drafting route; {slug}, {n}, {cid}, {entry}, {token} filled in.
PATH_PARAM = re.compile(r"\{(\w+)\}")


def actor_for(user: User) -> Actor:
    return Actor(user_id=user.id, ip="127.0.0.1", user_agent="pytest")


def make_letter(
    user: User,
    *,
    title: str = "Release the river guides",
    text: LetterText | None = READY,
    status: str = "draft",
    slug: str | None = None,
    lead_signs: bool = False,
) -> Letter:
    """A letter of `user`'s first organization, moved to `status` ("draft", "open", "closed",
    "final", "archived") through `app.workflow`, committed.

    `lead_signs` is off unless asked for, so a test's list holds exactly the signatures it
    adds; with it on, opening lists the lead organization as the app does by default."""
    actor = actor_for(user)
    letter = operations.create_letter(
        organization=user.organizations[0], title=title, actor=actor, slug=slug
    )
    letter.lead_signs = lead_signs
    if text is not None:
        operations.save_text(letter, base_number=1, text=text, actor=actor, note="Text")
    path = {
        "draft": [],
        "open": [Transition.open],
        "closed": [Transition.open, Transition.close],
        "final": [Transition.open, Transition.close, Transition.finalize],
        "archived": [Transition.archive],
    }[status]
    for step in path:
        workflow.move(letter, step, actor=actor, confirmed=True)
    db.session.commit()
    return letter


def add_collaborator(
    letter: Letter, user: User, role: str, *, co_lead: Organization | None = None
) -> Collaborator:
    """A collaborator who has already accepted (naming `co_lead`, if given, as co-lead)."""
    collaborator = Collaborator(
        letter_id=letter.id,
        email=user.email,
        role=CollaboratorRole(role),
        user_id=user.id,
        accepted_at=utcnow(),
        co_lead_organization_id=co_lead.id if co_lead else None,
    )
    db.session.add(collaborator)
    db.session.commit()
    return collaborator


def reload(letter: Letter) -> Letter:
    db.session.expire_all()
    return db.session.scalar(sa.select(Letter).where(Letter.id == letter.id))


def version_numbers(letter: Letter) -> list[int]:
    from app.models import LetterVersion

    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(LetterVersion.number)
            .where(LetterVersion.letter_id == letter.id)
            .order_by(LetterVersion.number)
        )
    )


def text_form(text: LetterText, base: int, **extra: str) -> dict[str, str]:
    """The edit form's fields for `text`, as a browser posts them."""
    data: dict[str, str] = {
        "base_version": str(base),
        "salutation": text.salutation,
        "body": text.body,
        "closing": text.closing,
        "action": "save",
    }
    for i, r in enumerate(text.recipients):
        for key, value in r.to_dict().items():
            data[f"recipients-{i}-{key}"] = "\n".join(value) if isinstance(value, list) else value
    data.update(extra)
    return data
