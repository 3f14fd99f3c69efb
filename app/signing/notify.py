"""Emails to signers. Each is queued in the caller's transaction (sent after its commit), has
a text and an HTML template under signing/emails/, and carries the signer's manage link.
Replies go to the lead organization, not to us.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.extensions import db
from app.invitations import deadline
from app.mail.outbox import queue_email, via_name
from app.models import Letter, OutboxMessage, Signature, SignatureStatus
from app.signing import links


def lead_contact(letter: Letter) -> str | None:
    """The address that answers for the letter (its author while on staff, else an admin).

    Read without flushing: signing never changes users or memberships, and a flush here
    would send the pending audit event in a round trip of its own instead of with the email.
    """
    with db.session.no_autoflush:
        return deadline.lead_contact(letter).email


def _queue(
    signature: Signature,
    kind: str,
    subject: str,
    template: str,
    manage_raw: str | None = None,
    **context: Any,
) -> OutboxMessage | None:
    if not signature.email:  # contact data erased after the campaign: nobody to write to
        return None
    letter = signature.letter
    raw = manage_raw or links.reissue_manage_token(signature)
    return queue_email(
        kind=kind,
        to=signature.email,
        subject=subject.format(title=letter.title),
        template=f"signing/emails/{template}",
        context={
            "letter": letter,
            "signature": signature,
            "lead_name": letter.organization.name,
            "manage_url": links.manage_url(raw),
            **context,
        },
        reply_to=lead_contact(letter),
        ref=signature,
        from_name=via_name(letter.organization.name),
    )


def send_verification(signature: Signature, *, verify_url: str, manage_raw: str) -> None:
    _queue(
        signature,
        "signature_verify",
        "Please confirm your signature on “{title}”",
        "verify",
        manage_raw,
        verify_url=verify_url,
        hours=links.verify_hours(),
    )


def send_signed(signature: Signature, *, manage_raw: str) -> None:
    _queue(
        signature,
        "signature_signed",
        "You signed “{title}”",
        "signed",
        manage_raw,
        listed=signature.status is SignatureStatus.approved,
    )


def send_again(signature: Signature, *, now: datetime) -> None:
    """Someone submitted an address that already has a signature on this letter.

    The page they see says nothing about it; the address's owner gets this email instead,
    with a fresh confirmation link when the earlier one was never used.
    """
    if signature.status is SignatureStatus.unverified:
        verify = links.reissue_verify_link(signature, now)
        _queue(
            signature,
            "signature_verify",
            "Please confirm your signature on “{title}”",
            "verify",
            verify_url=verify,
            hours=links.verify_hours(),
        )
        return
    _queue(signature, "signature_already_signed", "Your signature on “{title}”", "already_signed")


def send_reconfirm(
    signature: Signature, *, old_number: int, new_number: int, sections: list, plain: str
) -> None:
    raw = links.reissue_manage_token(signature)
    _queue(
        signature,
        "signature_reconfirm",
        "The text of “{title}” has changed: do you still sign?",
        "reconfirm",
        raw,
        reconfirm_url=links.reconfirm_url(raw),
        old_number=old_number,
        new_number=new_number,
        sections=sections,
        plain_diff=plain,
    )


def send_listing_changed(signature: Signature, *, before: str, after: str) -> None:
    _queue(
        signature,
        "signature_listing_changed",
        "How you are listed on “{title}”",
        "listing_changed",
        before=before,
        after=after,
    )


def send_approved(signature: Signature) -> None:
    _queue(signature, "signature_approved", "You are listed on “{title}”", "approved")


def send_merged(signature: Signature, *, kept: Signature) -> OutboxMessage | None:
    """Only what is true now: whether the kept sign-on is listed, or still waiting."""
    return _queue(
        signature, "signature_merged", "Your sign-on to “{title}”", "merged", kept=kept,
        kept_listed=kept.status is SignatureStatus.approved,
    )  # fmt: skip


def send_merged_gone(signature: Signature, *, gone: Signature) -> OutboxMessage | None:
    return _queue(signature, "signature_merged_gone", "Your sign-on to “{title}”", "merged_gone",
           gone=gone)  # fmt: skip


def send_rejected(signature: Signature, *, reason: str) -> OutboxMessage | None:
    return _queue(signature, "signature_rejected", "Your sign-on to “{title}”", "rejected",
                  reason=reason)  # fmt: skip


def send_decision_undone(signature: Signature) -> None:
    _queue(signature, "signature_undone", "Your sign-on to “{title}”", "undone")


def send_naming_request(signature: Signature, *, naming_url: str, days: int) -> None:
    _queue(
        signature, "signature_naming_request", "May we name you on “{title}”?",
        "naming_request", naming_url=naming_url, days=days,
    )  # fmt: skip
