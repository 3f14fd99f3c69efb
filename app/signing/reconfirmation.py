"""Consent to the exact text: when a change marked material is saved while the letter is open,
everyone who confirmed an earlier version is asked, with the word diff, to reconfirm or withdraw.

Unconfirmed sign-ons are not emailed: their confirm page shows the changes since they signed,
and confirming there agrees to the current text.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.actor import Actor
from app.audit import record
from app.extensions import db
from app.letters.diff import SectionDiff
from app.letters.operations import latest_version
from app.letters.reader_diff import reader_diff_versions
from app.models import Letter, LetterVersion, Signature, SignatureStatus
from app.signing import notify

CONFIRMED = (SignatureStatus.verified, SignatureStatus.approved)


def latest_material_number(letter: Letter) -> int | None:
    """The newest version whose change was marked material (None: no such change yet)."""
    return db.session.scalar(
        sa.select(sa.func.max(LetterVersion.number)).where(
            LetterVersion.letter_id == letter.id, LetterVersion.material.is_(True)
        )
    )


def needs_reconfirmation(signature: Signature, latest_material: int | None) -> bool:
    return latest_material is not None and signature.version_number < latest_material


def changes_since(signature: Signature, version: LetterVersion | None = None) -> list[SectionDiff]:
    """The sections that changed between the version signed and `version` (default: latest)."""
    version = version or latest_version(signature.letter)
    return [s for s in reader_diff_versions(signature.version, version) if s.changed]


def plain_diff(sections: list[SectionDiff]) -> str:
    """The diff for a plain-text email: [-removed words-] and {+added words+}."""
    blocks = []
    for section in sections:
        parts = []
        for seg in section.segments:
            if seg.op == "delete":
                parts.append(f"[-{seg.text}-]")
            elif seg.op == "insert":
                parts.append(f"{{+{seg.text}+}}")
            else:
                parts.append(seg.text)
        blocks.append(f"{section.label}:\n{''.join(parts)}")
    return "\n\n".join(blocks)


def request_reconfirmation(
    letter: Letter,
    new_version: LetterVersion,
    actor: Actor,
    *,
    signed_before: int | None = None,
) -> int:
    """Email every confirmed signer of a version before `signed_before` (default: before
    `new_version`) the changes up to `new_version`; returns how many were asked.

    Called by `app.workflow` when a material change is saved (or a version is marked
    material later), inside that transaction: the emails go out only if the change is kept.
    """
    below = signed_before if signed_before is not None else new_version.number
    signatures = db.session.scalars(
        sa.select(Signature)
        .where(
            Signature.letter_id == letter.id,
            Signature.status.in_(CONFIRMED),
            Signature.version_number < below,
        )
        .order_by(Signature.id)
    ).all()
    diffs: dict[int, list[SectionDiff]] = {}  # one diff per earlier version, not per signer
    for signature in signatures:
        if signature.version_id not in diffs:
            pair = reader_diff_versions(signature.version, new_version)
            diffs[signature.version_id] = [s for s in pair if s.changed]
        sections = diffs[signature.version_id]
        notify.send_reconfirm(
            signature,
            old_number=signature.version_number,
            new_number=new_version.number,
            sections=sections,
            plain=plain_diff(sections),
        )
    if signatures:
        record("signatures.reconfirmation_requested", actor, letter,
               version=new_version.number, signers=len(signatures))  # fmt: skip
    return len(signatures)


def unconfirmed_signatures(letter: Letter) -> list[Signature]:
    """Approved signatures that have not agreed to the latest material change.

    At finalization the lead may choose to list only the others.
    """
    material = latest_material_number(letter)
    if material is None:
        return []
    return list(
        db.session.scalars(
            sa.select(Signature)
            .where(
                Signature.letter_id == letter.id,
                Signature.status == SignatureStatus.approved,
                Signature.version_number < material,
            )
            .order_by(Signature.created_at, Signature.id)
        )
    )
