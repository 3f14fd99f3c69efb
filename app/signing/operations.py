"""The functions that change a signature. Each takes plain values and an `actor`, checks the
state through `states.move` (one table, one conditional UPDATE), writes one audit event,
queues the emails it causes, and never commits: the view or command commits once.

The duplicate and listing operations live in `app.signing.listing`, and the sign-on's plain
values in `app.signing.details`; both are re-exported here.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, fields
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.actor import Actor
from app.audit import record
from app.errors import Refused
from app.extensions import db
from app.invitations import learning, tracking
from app.letters.operations import latest_version
from app.models import (
    ACTIVE_STATUSES,
    ArrivedVia,
    ConsentKind,
    Invitation,
    Letter,
    LetterStatus,
    LetterVersion,
    Signature,
    SignatureStatus,
    utcnow,
)
from app.signing import consent, decisions, identity, links, matching, notify, repeat, rules, states
from app.signing.decisions import reject, undo
from app.signing.details import SignOnClosed, SignOnDetails, SignOutcome, SignResult, TextChanged
from app.signing.listing import keep_duplicate, merge_duplicate, update_listing

__all__ = [
    "SignOnDetails", "SignResult", "SignOutcome", "SignOnClosed", "TextChanged", "sign",
    "verify", "approve", "reject", "withdraw", "reconfirm", "resend_verification",
    "expire_unverified", "update_listing", "merge_duplicate", "keep_duplicate", "undo",
]  # fmt: skip

S = SignatureStatus
_ACTIVE_WHERE = sa.text("status IN ('unverified', 'verified', 'approved')")


def sign(
    letter: Letter,
    details: SignOnDetails,
    *,
    actor: Actor,
    invitation: Invitation | None = None,
    seen_version: int | None = None,
    now: datetime | None = None,
) -> SignResult:
    """Record a sign-on. With the invited address it counts as confirmed at once; otherwise
    a confirmation link is emailed. An address that already has an active signature on the
    letter gets an email, and the caller the same answer as anyone."""
    given_now = now
    now = now or utcnow()
    via = ArrivedVia.invitation if invitation is not None else ArrivedVia.open_link
    if invitation is not None:
        if invitation.letter_id != letter.id:
            raise SignOnClosed("This invitation is for another letter.")
        if refusal := tracking.link_refusal(invitation):
            raise SignOnClosed(refusal)
    if refusal := states.sign_on_refusal(letter, now=now, via=via, kind=details.kind):
        raise SignOnClosed(refusal)
    if problem := details.problem():
        raise Refused(problem)
    canonical = identity.canonical_email(details.email)
    version_id, version_number = _lock_address_and_read_version(letter.id, canonical)
    if given_now is None:
        # The sign-on's moment is taken after reading the text it signs, so a version saved
        # meanwhile by another request is never newer than the consent given to it.
        now = utcnow()
    if seen_version is not None and seen_version != version_number:
        raise TextChanged(
            "The letter's text was updated while you were reading it. Please read the current "
            "text below and submit again."
        )
    confirmed = invitation is not None and invitation.canonical_email == canonical
    manage_raw, manage_hash = links.new_manage_token()
    # The confirmation link goes in with the row: one statement instead of an insert and an update.
    verify_link, verify_values = (None, {}) if confirmed else links.new_verify_link(now)
    values = {f.name: getattr(details, f.name) for f in fields(details)}
    values |= {
        "letter_id": letter.id,
        "email": details.email.strip(), "canonical_email": canonical,
        "website": rules.normalize_website(details.website), "via": via,
        "invitation_id": invitation.id if invitation else None, "version_id": version_id,
        "version_number": version_number, "ip": actor.ip, "user_agent": actor.user_agent,
        "created_at": now, "manage_token_hash": manage_hash, "status": S.unverified,
        **verify_values,
    }  # fmt: skip
    signature = _insert_unless_active(values)
    if signature is None:
        existing = db.session.scalar(
            sa.select(Signature).where(
                Signature.letter_id == letter.id,
                Signature.canonical_email == canonical,
                Signature.status.in_(ACTIVE_STATUSES),
            )
        )
        if existing is not None:  # a correction before confirming, or the owner is told
            repeat.signed_again(existing, values, actor=actor, now=now)
        return SignResult(SignOutcome.check_email)
    record("signature.created", actor, signature, letter=letter.id, via=via.value,
           version=version_number, kind=details.kind.value)  # fmt: skip
    channel = consent.INVITATION_LINK if invitation is not None else consent.OPEN_LINK
    consent.record_event(
        signature, ConsentKind.signed, version_number=version_number, channel=channel, at=now
    )
    if confirmed:
        verify(signature, actor=actor, now=now, channel=consent.INVITATION_LINK)
        notify.send_signed(signature, manage_raw=manage_raw)
        return SignResult(SignOutcome.signed, signature)
    notify.send_verification(signature, verify_url=verify_link, manage_raw=manage_raw)
    return SignResult(SignOutcome.check_email, signature)


def _lock_address_and_read_version(letter_id: int, canonical_email: str) -> tuple[int, int]:
    """The id and number of the letter's current text, read in the statement that (on
    PostgreSQL) takes the transaction's lock on this letter and mailbox.

    Sign-ons of the same letter and mailbox queue up at that lock until the first one's
    transaction ends. Without it, a repeat that updates the existing row (a new confirmation
    link) while another repeat probes the unique index can deadlock; other addresses never
    wait. One round trip does both because the sign-on is the busiest write there is.
    """
    params = {"letter_id": letter_id}
    postgres = db.session.get_bind().dialect.name == "postgresql"
    if postgres:
        digest = hashlib.sha256(f"{letter_id}:{canonical_email}".encode()).digest()
        params["key"] = int.from_bytes(digest[:8], "big", signed=True)
    version_id, number = db.session.execute(_version_statement(postgres), params).one()[:2]
    return version_id, number


@functools.cache
def _version_statement(with_lock: bool) -> sa.Select:
    columns = [LetterVersion.id, LetterVersion.number]
    if with_lock:
        columns.append(sa.func.pg_advisory_xact_lock(sa.bindparam("key", type_=sa.BigInteger)))
    return (
        sa.select(*columns)
        .where(LetterVersion.letter_id == sa.bindparam("letter_id"))
        .order_by(LetterVersion.number.desc())
        .limit(1)
    )


@functools.cache
def _insert_statement(dialect: str) -> sa.Insert:
    """Built once: the values go in at execution, so SQLAlchemy reuses the compiled form
    instead of deriving a cache key from some thirty bound values on every sign-on. The
    RETURNING clause gives the new row as a Signature, without reading it back."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(Signature)
        .on_conflict_do_nothing(
            index_elements=["letter_id", "canonical_email"], index_where=_ACTIVE_WHERE
        )
        .returning(Signature)
    )


def _insert_unless_active(values: dict) -> Signature | None:
    """Insert the signature; None if the address already holds an active one on the letter.

    `ON CONFLICT DO NOTHING` on the partial unique index: of fifty identical submissions at
    once, the database lets exactly one in and the others learn it without an error.
    """
    dialect = db.session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        return db.session.scalars(_insert_statement(dialect), [values]).first()
    from sqlalchemy.exc import IntegrityError  # other databases: a savepoint as the backstop

    try:
        with db.session.begin_nested():
            row = Signature(**values)
            db.session.add(row)
        return row
    except IntegrityError:
        return None


def verify(
    signature: Signature,
    *,
    actor: Actor,
    seen_version: int | None = None,
    now: datetime | None = None,
    channel: str = consent.EMAIL_LINK,
) -> bool:
    """Confirm the signer's address. With moderation off the sign-on is listed at once (a
    look-alike organization is listed too, and flagged for the lead). True if this call
    confirmed it."""
    now = now or utcnow()
    letter = signature.letter
    if signature.status is not S.unverified:
        return states.move(signature, "verify", S.verified)  # done, or refused with a reason
    if signature.verify_expires_at is not None and signature.verify_expires_at <= now:
        raise Refused("This confirmation link has expired. Please sign on again.")
    values: dict = {"verified_at": now}
    latest = latest_version(letter)
    # The confirm page shows what changed since the sign-on; confirming there agrees to it.
    if seen_version == latest.number and latest.number > signature.version_number:
        values |= {"version_id": latest.id, "version_number": latest.number}
    # A look-alike is only flagged for the lead: listing it as usual keeps a near-match with a
    # hidden signatory undetectable (the signer's pages and the count are the same).
    matches = matching.find_matches(signature)
    values |= matches.values()
    listed = not letter.moderation
    if listed:
        values["approved_at"] = now
    moved = states.move(signature, "verify", S.approved if listed else S.verified, **values)
    if moved:
        if (invitation := _invitation(signature)) is not None:
            tracking.mark_signed(invitation, signature, now, actor=actor)
        learning.learn_from_signature(signature)
        record("signature.verified", actor, signature, letter=letter.id, approved=listed,
               possible_duplicate_of=values["possible_duplicate_of_id"])  # fmt: skip
        consent.record_event(
            signature, ConsentKind.confirmed_address, version_number=signature.version_number,
            channel=channel, at=max(now, latest.created_at),
        )  # fmt: skip
    return moved


def _invitation(signature: Signature) -> Invitation | None:
    """The invitation this signature answers: the link it came through, or else one sent to
    the same mailbox (an invitee may sign through the open link)."""
    if signature.invitation_id is not None:
        return db.session.get(Invitation, signature.invitation_id)
    return db.session.scalar(
        sa.select(Invitation).where(
            Invitation.letter_id == signature.letter_id,
            Invitation.canonical_email == signature.canonical_email,
        )
    )


def approve(signature: Signature, *, actor: Actor, now: datetime | None = None) -> bool:
    """List a confirmed sign-on. Approving a possible duplicate keeps both."""
    now = now or utcnow()
    if signature.verified_at is None:
        raise Refused("This sign-on was never confirmed by email, so it cannot be listed.")
    waited = signature.status is S.verified
    if signature.status is S.rejected and _address_taken(signature):
        raise Refused("Another active sign-on uses this email address, so this one stays out.")
    # Approving is a new decision: an earlier reject (its reason, its undo) no longer applies.
    values: dict = {"approved_at": now, "decided_by_id": actor.user_id, "rejected_at": None,
                    "reject_reason": "", "undo_state": None}  # fmt: skip
    if signature.possible_duplicate_of_id is not None and signature.duplicate_kept_at is None:
        values["duplicate_kept_at"] = now
    moved = states.move(signature, "approve", S.approved, **values)
    if moved:
        record("signature.approved", actor, signature, letter=signature.letter_id,
               kept_duplicate="duplicate_kept_at" in values or None)  # fmt: skip
        if waited:
            notify.send_approved(signature)
    return moved


def _address_taken(signature: Signature) -> bool:
    return bool(
        db.session.scalar(
            sa.select(sa.func.count()).where(
                Signature.letter_id == signature.letter_id,
                Signature.canonical_email == signature.canonical_email,
                Signature.status.in_(ACTIVE_STATUSES),
                Signature.id != signature.id,
            )
        )
    )


def withdraw(
    signature: Signature,
    *,
    actor: Actor,
    now: datetime | None = None,
    channel: str = consent.EMAIL_LINK,
) -> bool:
    """The signer takes their signature back; the row stays as a record."""
    now = now or utcnow()
    moved = states.move(signature, "withdraw", S.withdrawn, withdrawn_at=now)
    if moved:
        if (invitation := _invitation(signature)) is not None:
            tracking.mark_signature_withdrawn(invitation, now, actor=actor)
        record("signature.withdrawn", actor, signature, letter=signature.letter_id)
        consent.record_event(
            signature, ConsentKind.withdrew, version_number=signature.version_number,
            channel=channel, at=now,
        )  # fmt: skip
        decisions.tell_merged_into(signature)
    return moved


def reconfirm(
    signature: Signature,
    *,
    version_number: int,
    actor: Actor,
    now: datetime | None = None,
    channel: str = consent.EMAIL_LINK,
) -> bool:
    """The signer agrees to version `version_number`, which must still be the current text.

    The signature then points at that version, and its history keeps when it agreed (the
    time it first signed stays as it was)."""
    letter = signature.letter
    states.ensure_list_can_change(letter)
    if signature.status not in ACTIVE_STATUSES:
        raise Refused(f"This signature was {signature.status.value}; there is nothing to confirm.")
    latest = latest_version(letter)
    if version_number != latest.number:
        raise TextChanged("The text has changed again since this page was loaded. Please read it.")
    now = now or utcnow()  # after reading the version it agrees to
    before = signature.version_number
    result = db.session.execute(
        sa.update(Signature)
        .where(
            Signature.id == signature.id,
            Signature.status.in_(ACTIVE_STATUSES),
            Signature.version_number < latest.number,
        )
        .values(version_id=latest.id, version_number=latest.number)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(signature)
    if result.rowcount != 1:
        return False
    record("signature.reconfirmed", actor, signature, letter=letter.id,
           version_before=before, version=latest.number)  # fmt: skip
    consent.record_event(
        signature, ConsentKind.reconfirmed, version_number=latest.number, channel=channel,
        at=now, detail={"version_before": before},
    )  # fmt: skip
    return True


def resend_verification(
    letter: Letter, email: str, *, actor: Actor, now: datetime | None = None
) -> bool:
    """Send a new confirmation link to an address with an unconfirmed sign-on (else nothing:
    the caller shows the same page either way)."""
    now = now or utcnow()
    signature = db.session.scalar(
        sa.select(Signature).where(
            Signature.letter_id == letter.id,
            Signature.canonical_email == identity.canonical_email(email),
            Signature.status == S.unverified,
        )
    )
    if signature is None or letter.status is LetterStatus.final:
        return False
    notify.send_again(signature, now=now)
    record("signature.verification_resent", actor, signature, letter=letter.id)
    return True


def expire_unverified(now: datetime | None = None, *, actor: Actor | None = None) -> int:
    """Expire sign-ons never confirmed in time (they free their address); returns how many."""
    now = now or utcnow()
    actor = actor or Actor.system("signatures expire")
    expired = db.session.execute(
        sa.update(Signature)
        .where(Signature.status == S.unverified, Signature.verify_expires_at <= now)
        .values(status=S.expired, verify_token_hash=None)
        .returning(Signature.id, Signature.letter_id)
        .execution_options(synchronize_session=False)
    ).all()
    for signature_id, letter_id in expired:
        record("signature.expired", actor, _Ref(signature_id), letter=letter_id)
    return len(expired)


@dataclass(frozen=True)
class _Ref:
    """A signature known only by id, for an audit event (the bulk UPDATE loaded no rows)."""

    id: int
    __tablename__ = "signatures"
