"""Freezing the final letter, called once by `app.workflow.finalize_letter`.

The list and the text are written into a FinalLetterRecord with their content hash, in the
same transaction as the status change, and every listed signer is told, by an email queued
in that transaction, that the letter is final and how they are listed. By default the list
holds only those who agreed to the final text; a signer left out is told why.
"""

from __future__ import annotations

from datetime import datetime

from app.actor import Actor
from app.audit import record
from app.extensions import db
from app.letters.collaborators import co_lead_organizations
from app.mail.outbox import queue_email, via_name
from app.models import FinalLetterRecord, Letter, Signature, SignerKind, utcnow
from app.publishing.final_letter import FinalLetter, build_final_letter, unnamed_phrase
from app.publishing.store import approved_signatures, final_record, text_version


def frozen_signatures(
    letter: Letter, *, include_unconfirmed: bool = False
) -> tuple[list[Signature], list[Signature]]:
    """(listed, left out): the approved signatures the final list holds, and those it leaves
    out because they never agreed to the latest material change (unless included)."""
    from app.signing.reconfirmation import unconfirmed_signatures

    signatures = approved_signatures(letter)
    if include_unconfirmed:
        return signatures, []
    left_out = unconfirmed_signatures(letter)
    ids = {s.id for s in left_out}
    return [s for s in signatures if s.id not in ids], left_out


def freeze_final_letter(
    letter: Letter,
    *,
    actor: Actor,
    now: datetime | None = None,
    notify: bool = True,
    include_unconfirmed: bool = False,
) -> FinalLetterRecord:
    """Write the frozen FinalLetter of a letter that has just become final (idempotent).

    Signatories who have not agreed to the latest material change stay approved but are
    left out of the frozen list, and told why, unless `include_unconfirmed`.
    """
    existing = final_record(letter)
    if existing is not None:
        return existing
    version = text_version(letter)
    signatures, excluded = frozen_signatures(letter, include_unconfirmed=include_unconfirmed)
    left_out = sorted(s.id for s in excluded)
    co_leads = [org.name for org in co_lead_organizations(letter)] if letter.show_co_leads else []
    final = build_final_letter(letter, version, signatures, co_leads, now or utcnow())
    frozen = FinalLetterRecord(
        letter_id=letter.id,
        version_id=version.id,
        content_hash=final.content_hash,
        data=final.to_dict(),
    )
    db.session.add(frozen)
    record(
        "letter.final_frozen",
        actor,
        letter,
        content_hash=final.content_hash,
        organizations=len(final.organizations),
        individuals=len(final.individuals),
        unnamed=final.unnamed_organizations + final.unnamed_individuals,
        left_out_unconfirmed=left_out or None,
    )
    if notify:
        notify_signers(letter, final, signatures)
        notify_left_out(letter, final, excluded)
    return frozen


def listing_descriptions(final: FinalLetter) -> dict[int, str]:
    """How each named signer appears in the final letter, by signature id, as a sentence."""
    found: dict[int, str] = {}
    for entry in final.organizations:
        if entry.ref is not None:
            place = f"as number {entry.number}" if entry.number is not None else "by name"
            found[entry.ref] = f"Your organization is listed {place}: “{entry.name}”."
    for person in final.individuals:
        if person.ref is not None:
            where = (
                f", {person.affiliation} (for identification only)" if person.affiliation else ""
            )
            found[person.ref] = (
                f"You are listed among the individual signatories: “{person.name}{where}”."
            )
    return found


def _unnamed_description(final: FinalLetter, signature: Signature) -> str:
    if signature.kind is SignerKind.individual:
        phrase = unnamed_phrase(0, final.unnamed_individuals)
    else:
        phrase = unnamed_phrase(final.unnamed_organizations)
    return f"As you asked, you are not named: the letter counts you in the line “{phrase}”."


def _manage_link(signature: Signature) -> str | None:
    """A fresh manage link when the signing feature offers one (it reissues the token)."""
    try:
        from app.signing import links
    except ImportError:  # publishing works without the signing package
        return None
    return links.manage_url(links.reissue_manage_token(signature))


def _reply_to(letter: Letter) -> str | None:
    try:
        from app.signing.notify import lead_contact
    except ImportError:
        return None
    return lead_contact(letter)


def left_out_description(signature: Signature, final: FinalLetter) -> str:
    who = "You are" if signature.kind is SignerKind.individual else "Your organization is"
    return (
        f"{who} not listed: you signed version {signature.version_number} of the text, and "
        f"you never confirmed the final text (version {final.version}) after it was changed, "
        "so the final letter does not carry your name."
    )


def notify_left_out(letter: Letter, final: FinalLetter, signatures: list[Signature]) -> int:
    """Tell each signer left out of the final list why; returns how many were emailed."""
    reasons = {s.id: left_out_description(s, final) for s in signatures}
    return notify_signers(letter, final, signatures, reasons=reasons)


def notify_signers(
    letter: Letter,
    final: FinalLetter,
    signatures: list[Signature],
    *,
    reasons: dict[int, str] | None = None,
) -> int:
    """Queue one "the letter is final" email per signer with an address (saying how they
    are listed, or the reason given in `reasons` they are not); returns how many."""
    reply_to = _reply_to(letter)
    listings = reasons if reasons is not None else listing_descriptions(final)
    sent = 0
    for signature in signatures:
        if not signature.email:  # contact data erased: nobody to tell
            continue
        queue_email(
            kind="letter_final",
            to=signature.email,
            subject=f"The letter “{final.title}” is final",
            template="publishing/emails/letter_final",
            context={
                "final": final,
                "signature": signature,
                "listing": listings.get(signature.id) or _unnamed_description(final, signature),
                "manage_url": _manage_link(signature),
            },
            reply_to=reply_to,
            ref=signature,
            from_name=via_name(letter.organization.name),
        )
        sent += 1
    return sent
