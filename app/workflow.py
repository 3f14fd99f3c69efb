"""What happens when a letter moves on, composed above the features.

The letter's state machine (`letters.lifecycle`, through `letters.operations`) only checks
and moves the state; the consequences in other features are composed here, so every import
points down and each consequence reads in one function:

- opening lists the lead organization (unless it said it does not sign) and sends the
  invitations kept for it;
- saving a changed text on a letter with sign-ons needs an explicit answer: a material
  change asks the earlier signers to reconfirm, a correction does not;
- finalizing freezes the list (by default only those who agreed to the final text) and
  tells every signer, listed or not, why; a letter already published also tells its listed
  signatories where the final letter is;
- the finalize page's one submission may close an open letter first and publish it after
  (`close_finalize_publish`), each move still through the state machine.

Views, commands, demo builders and test factories call these functions; like every
operation they never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.actor import Actor
from app.audit import record
from app.errors import Refused
from app.extensions import db
from app.invitations.held import release_held_invitations
from app.letters import lifecycle, operations
from app.letters.lifecycle import Transition
from app.letters.text import LetterText
from app.models import (
    ACTIVE_STATUSES,
    Letter,
    LetterStatus,
    LetterVersion,
    Signature,
    SignerKind,
    utcnow,
)
from app.publishing.freezing import freeze_final_letter
from app.publishing.publication import publish, tell_signers_published
from app.signing import organization as org_signing
from app.signing.reconfirmation import request_reconfirmation

# Sign-on continues while a letter is open or closed; a change of text can matter to them.
_SIGNING_STATUSES = (LetterStatus.open, LetterStatus.closed)


class MaterialAnswerNeeded(Refused):
    """A changed text on a letter with sign-ons was saved without saying whether the change
    is material. Nothing was saved; `question` is what to ask."""

    def __init__(self, signers: int, organizations_only: bool) -> None:
        who = "organization" if organizations_only else "signator"
        plural = {"organization": "organizations", "signator": "signatories"}[who]
        noun = (who + ("y" if who == "signator" else "")) if signers == 1 else plural
        self.signers = signers
        self.question = f"{signers} {noun} signed an earlier text. Ask them to confirm the new one?"
        super().__init__(self.question)


@dataclass(frozen=True)
class Saved:
    version: LetterVersion | None  # None: nothing changed, nothing saved
    reconfirmations: int = 0  # how many reconfirmation emails were queued


# Opening, finalizing and the other moves -----------------------------------------------------


def open_letter(letter: Letter, *, actor: Actor) -> None:
    """Open a draft for sign-on; the lead organization is listed unless it does not sign."""
    operations.transition(letter, Transition.open, actor=actor)
    if letter.lead_signs:
        org_signing.sign_for_organization(letter, letter.organization, actor=actor)
    # Invitations kept for the opening (a follow-up letter's) go now that their link leads
    # to an open letter.
    release_held_invitations(letter, actor)


def finalize_letter(
    letter: Letter, *, actor: Actor, confirmed: bool = False, include_unconfirmed: bool = False
) -> None:
    """Finalize: the lead agrees to the final text, the state moves, the list is frozen
    (without those who never agreed to the final text, unless `include_unconfirmed`) and
    every signer is told how they are listed, or why not."""
    now = utcnow()
    latest = operations.latest_version(letter)
    lifecycle.check(
        letter,
        Transition.finalize,
        text=LetterText.from_version(latest),
        now=now,
        confirmed=confirmed,
    )
    org_signing.follow_text(letter, actor=actor, at=now)
    operations.transition(letter, Transition.finalize, actor=actor, confirmed=confirmed)
    freeze_final_letter(letter, actor=actor, now=now, include_unconfirmed=include_unconfirmed)
    # Published while open: the signatories learn the public page of the final letter now.
    tell_signers_published(letter, actor=actor)


@dataclass(frozen=True)
class Finalized:
    closed: bool = False  # sign-on was open and was closed first
    published: bool = False  # the public page went up with it
    told_published: int = 0  # signatories emailed the public address


def close_finalize_publish(
    letter: Letter,
    *,
    actor: Actor,
    confirmed: bool = False,
    include_unconfirmed: bool = False,
    publish_it: bool = False,
) -> Finalized:
    """The finalize page's one submission: close sign-on if it is still open, finalize,
    and publish the public page if asked. The state machine still only moves open → closed
    → final; in one transaction, so a refusal at any step leaves the letter as it was (the
    caller rolls back)."""
    closed = letter.status is LetterStatus.open
    if closed:
        operations.transition(letter, Transition.close, actor=actor)
    finalize_letter(
        letter, actor=actor, confirmed=confirmed, include_unconfirmed=include_unconfirmed
    )
    if not publish_it or letter.published:
        return Finalized(closed=closed)
    return Finalized(closed=closed, published=True, told_published=publish(letter, actor=actor))


def move(
    letter: Letter,
    which: Transition,
    *,
    actor: Actor,
    confirmed: bool = False,
    include_unconfirmed: bool = False,
) -> None:
    """Any lifecycle move, with its consequences."""
    if which is Transition.open:
        open_letter(letter, actor=actor)
    elif which is Transition.finalize:
        finalize_letter(
            letter, actor=actor, confirmed=confirmed, include_unconfirmed=include_unconfirmed
        )
    else:
        operations.transition(letter, which, actor=actor, confirmed=confirmed)


# The text and its consent --------------------------------------------------------------------


def sign_ons_to_ask(letter: Letter) -> list[Signature]:
    """Active sign-ons other than the lead organization's own: those a change may concern."""
    lead = org_signing.lead_signature(letter)
    return list(
        db.session.scalars(
            sa.select(Signature)
            .where(
                Signature.letter_id == letter.id,
                Signature.status.in_(ACTIVE_STATUSES),
                Signature.id != (lead.id if lead else -1),
            )
            .order_by(Signature.id)
        )
    )


def question_for(letter: Letter) -> MaterialAnswerNeeded | None:
    """The question a changed text needs on this letter, or None when nobody signed yet."""
    if letter.status not in _SIGNING_STATUSES:
        return None
    others = sign_ons_to_ask(letter)
    if not others:
        return None
    return MaterialAnswerNeeded(len(others), all(s.kind is SignerKind.organization for s in others))


def printed_change(old: LetterText, new: LetterText) -> bool:
    """Whether what is printed changes (a recipient's delivery address never is)."""
    return old.sections() != new.sections()


def save_text(
    letter: Letter,
    *,
    base_number: int,
    text: LetterText,
    actor: Actor,
    note: str | None = None,
    material: bool | None = None,
    restored_from: int | None = None,
) -> Saved:
    """Save the text. On a letter with sign-ons a printed change needs `material` answered
    (True: ask the earlier signers to reconfirm; False: a correction); without an answer
    MaterialAnswerNeeded is raised and nothing is saved."""
    latest = operations.latest_version(letter)
    changed = printed_change(LetterText.from_version(latest), text)
    if changed and material is None and (question := question_for(letter)) is not None:
        raise question
    version = operations.save_text(
        letter, base_number=base_number, text=text, actor=actor, note=note,
        material=bool(material and changed), restored_from=restored_from,
    )  # fmt: skip
    if version is None or not version.material or letter.status not in _SIGNING_STATUSES:
        return Saved(version)
    return Saved(version, _ask_to_reconfirm(letter, version, actor=actor))


def _ask_to_reconfirm(
    letter: Letter, version: LetterVersion, *, actor: Actor, signed_before: int | None = None
) -> int:
    # The lead wrote the change: its own signature agrees to it when it is saved, and so is
    # never asked. Everyone else who confirmed an earlier text is emailed the diff.
    latest = operations.latest_version(letter)
    org_signing.follow_text(letter, actor=actor, at=max(latest.created_at, utcnow()))
    return request_reconfirmation(letter, latest, actor, signed_before=signed_before)


def restore_version(
    letter: Letter, number: int, *, base_number: int, actor: Actor, material: bool | None = None
) -> Saved:
    """Make the text of version `number` the newest version (history is never rewritten)."""
    old = operations.get_version(letter, number)
    if old is None:
        raise Refused(f"There is no version {number}.")
    saved = save_text(
        letter, base_number=base_number, text=LetterText.from_version(old), actor=actor,
        note=f"Restored version {number}", material=material, restored_from=number,
    )  # fmt: skip
    if saved.version is None:
        raise Refused(f"Version {number} is the same as the current text.")
    return saved


def mark_material(letter: Letter, number: int, *, actor: Actor) -> int:
    """Mark a saved version as a material change afterwards: whoever signed an earlier
    version is asked to confirm the current text. Returns how many emails were queued."""
    lifecycle.ensure_text_editable(letter)
    version = operations.get_version(letter, number)
    if version is None:
        raise Refused(f"There is no version {number}.")
    if number == 1:
        raise Refused("Version 1 is where the letter started; there is nothing before it.")
    if version.material:
        raise Refused(f"Version {number} is already marked as a material change.")
    # The text of a version never changes; whether its change matters is the lead's
    # judgement about it, kept on the row (a Core UPDATE: the ORM refuses to touch versions).
    db.session.execute(
        sa.update(LetterVersion)
        .where(LetterVersion.id == version.id)
        .values(material=True)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(version)
    record("letter.version_marked_material", actor, letter, version=number)
    if letter.status not in _SIGNING_STATUSES:
        return 0
    return _ask_to_reconfirm(letter, version, actor=actor, signed_before=number)


# Settings --------------------------------------------------------------------------------------


def update_settings(letter: Letter, values: dict[str, Any], *, actor: Actor) -> list[str]:
    """Apply changed settings. Switching "Our organization signs this letter" on lists the
    lead organization at once on an open or closed letter; off takes its signature off."""
    changed = operations.update_settings(letter, values, actor=actor)
    if "lead_signs" in changed and letter.status in _SIGNING_STATUSES:
        if letter.lead_signs:
            org_signing.sign_for_organization(letter, letter.organization, actor=actor)
        else:
            org_signing.unsign_for_organization(letter, letter.organization, actor=actor)
    return changed
