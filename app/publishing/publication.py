"""Publishing a letter: its public page, and telling its listed signatories where it is.

The public page goes up through the letter's state machine; once the letter is both final and
published (in whichever order that happened), every listed signatory with contact data is
told its public address and where to download the PDF, once.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.actor import Actor
from app.audit import record
from app.extensions import db
from app.invitations.deadline import lead_contact
from app.letters import operations
from app.letters.lifecycle import Transition
from app.mail.outbox import queue_email
from app.models import Letter, LetterStatus, Signature, utcnow
from app.publishing.freezing import listing_descriptions
from app.publishing.store import load_final_letter
from app.urls import external_url


def publish(letter: Letter, *, actor: Actor) -> int:
    """Give the letter its public page; returns how many signatories were told of it."""
    operations.transition(letter, Transition.publish, actor=actor)
    return tell_signers_published(letter, actor=actor)


def tell_signers_published(letter: Letter, *, actor: Actor) -> int:
    """Email each listed signatory the public address and the PDF, once the letter is final
    and published; nothing before, nothing twice (a conditional UPDATE claims the notice)."""
    if letter.status is not LetterStatus.final or not letter.published:
        return 0
    claimed = db.session.execute(
        sa.update(Letter)
        .where(Letter.id == letter.id, Letter.published_notice_at.is_(None))
        .values(published_notice_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        return 0
    final = load_final_letter(letter)
    listings = listing_descriptions(final)
    listed_ids = {*listings, *final.unnamed_refs}
    signatures = db.session.scalars(
        sa.select(Signature).where(Signature.id.in_(listed_ids), Signature.email.is_not(None))
    ).all()
    page_url = external_url("publishing.public_letter", slug=letter.slug)
    pdf_url = external_url("publishing.public_pdf", slug=letter.slug)
    reply_to = lead_contact(letter).email
    for signature in signatures:
        queue_email(
            kind="letter_published",
            to=signature.email,
            subject=f"“{final.title}” is published",
            template="publishing/emails/letter_published",
            context={
                "final": final,
                "signature": signature,
                "page_url": page_url,
                "pdf_url": pdf_url,
                "listing": listings.get(signature.id),
            },  # fmt: skip
            reply_to=reply_to,
            ref=signature,
        )
    record("letter.signatories_told_published", actor, letter, signatories=len(signatures))
    return len(signatures)
