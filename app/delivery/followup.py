"""A follow-up letter: the same recipients, and every listed signatory invited in one step.

The new letter is a draft, and invitations are only sent on an open letter, so they are
held (app.invitations.held) and go out when the follow-up opens.
"""

from __future__ import annotations

from app.actor import Actor
from app.audit import record
from app.delivery.notifications import listed_signatories
from app.delivery.operations import ensure_final
from app.errors import Refused
from app.invitations.addressbook import Person
from app.invitations.held import hold_invitations
from app.letters import operations
from app.models import Letter, SignerKind


def start_follow_up(letter: Letter, *, title: str, actor: Actor) -> tuple[Letter, int]:
    """A draft copied from the final `letter` (recipients, text, settings), with a held
    invitation for each listed signatory with contact data; returns it and how many."""
    ensure_final(letter)
    title = " ".join(title.split())
    if not title:
        raise Refused("Give the follow-up letter a title.")
    follow_up = operations.create_letter(
        organization=letter.organization, title=title[:200], actor=actor, copy_from=letter
    )
    people = [
        Person(
            organization_name="" if s.kind is SignerKind.individual else s.organization_name,
            contact_name=s.signer_name,
            email=s.email or "",
            canonical=s.canonical_email,
        )
        for s in listed_signatories(letter, opted_out_too=True)
    ]
    held = hold_invitations(follow_up, people, actor=actor)
    record("letter.follow_up_started", actor, letter, follow_up_id=follow_up.id, invited=held)
    return follow_up, held
