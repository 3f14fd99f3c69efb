"""Second factor: authenticator-app codes (TOTP), recovery codes, and the check at login.

A TOTP secret is stored encrypted (app.auth.secretbox); recovery codes only as SHA-256
hashes. A code is accepted once: the TOTP time step of the last accepted code is kept and
only a later one is accepted, and a recovery code is marked used by a conditional UPDATE, so
two requests at once cannot both use it. Wrong codes are counted per account from the audit
trail, so the limit holds across browsers, workers and machines.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup
from werkzeug.security import check_password_hash

from app.actor import Actor
from app.audit import record
from app.auth.secretbox import UnreadableSecret, seal, unseal
from app.errors import Refused
from app.extensions import db
from app.mail.outbox import queue_email
from app.models import AuditEvent, Passkey, RecoveryCode, TotpCredential, User, utcnow
from app.tokens import hash_token, same_secret
from app.urls import external_url

RECOVERY_CODE_COUNT = 10
FAILED = "auth.two_factor_failed"
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud and typed


def totp_of(user: User) -> TotpCredential | None:
    return db.session.execute(
        sa.select(TotpCredential).where(TotpCredential.user_id == user.id)
    ).scalar_one_or_none()


def has_totp(user: User) -> bool:
    credential = totp_of(user)
    return credential is not None and credential.confirmed_at is not None


def passkeys_of(user: User) -> list[Passkey]:
    return list(
        db.session.execute(
            sa.select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.created_at)
        ).scalars()
    )


def has_second_factor(user: User) -> bool:
    return has_totp(user) or bool(passkeys_of(user))


def required_for(user: User) -> bool:
    """Whether any of the person's organizations requires a second factor."""
    return any(m.organization.require_two_factor for m in user.memberships)


def unused_recovery_codes(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def notify(user: User, subject: str, what: str) -> None:
    """Tell the account's owner of a change to how it logs in (a takeover shows up here)."""
    queue_email(
        kind="auth.security_notice",
        to=user.email,
        subject=subject,
        template="auth/emails/security_notice",
        context={
            "user": user,
            "what": what,
            "account_url": external_url("auth.account"),
            "sessions_url": external_url("two_factor.browser_sessions"),
        },
        ref=user,
    )


# --- setting up -------------------------------------------------------------------------


def begin_totp_setup(user: User) -> str:
    """The secret being set up: the same one on every visit until it is confirmed."""
    credential = totp_of(user)
    if credential is not None and credential.confirmed_at is not None:
        raise Refused("An authenticator app is already set up for your account.")
    if credential is not None:
        try:
            return unseal(credential.secret_encrypted)
        except UnreadableSecret:
            db.session.delete(credential)
            db.session.flush()
    secret = pyotp.random_base32(length=32)
    db.session.add(TotpCredential(user_id=user.id, secret_encrypted=seal(secret)))
    return secret


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["SITE_NAME"]
    )


def qr_svg(uri: str) -> Markup:
    """The otpauth URI as an inline SVG QR code, drawn here (no image from elsewhere)."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", svgclass="qr-code", lineclass=None, omitsize=False
    )
    label = "QR code for your authenticator app"
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S704 - segno's own SVG


def confirm_totp(user: User, code: str, actor: Actor) -> list[str]:
    """Turn the secret being set up on with a code from it; returns new recovery codes."""
    credential = totp_of(user)
    if credential is None or credential.confirmed_at is not None:
        raise Refused("Open this page again to start setting up an authenticator app.")
    try:
        secret = unseal(credential.secret_encrypted)
    except UnreadableSecret as exc:
        raise Refused("Open this page again to start setting up an authenticator app.") from exc
    timecode = _matching_timecode(secret, code)
    if timecode is None:
        raise Refused(
            "That code is not right. Check that the time on your phone is correct and "
            "enter the code the app shows now."
        )
    credential.confirmed_at = utcnow()
    credential.last_timecode = timecode
    record("auth.two_factor_enabled", actor, user, method="totp")
    notify(
        user,
        "An authenticator app now protects your account",
        "An authenticator app was set up as the second factor of your account. Logging in "
        "now needs a code from it as well as your password.",
    )
    return new_recovery_codes(user, actor)


def new_recovery_codes(user: User, actor: Actor) -> list[str]:
    """Ten fresh one-time codes (80 random bits each); earlier ones stop working."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(16))
        code = "-".join(raw[i : i + 4] for i in range(0, 16, 4))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=hash_token(_normalize(code))))
        codes.append(code)
    record("auth.recovery_codes_created", actor, user, count=RECOVERY_CODE_COUNT)
    return codes


# --- checking a code ------------------------------------------------------------------


def _normalize(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _matching_timecode(secret: str, code: str) -> int | None:
    """The time step a 6-digit code belongs to (now, or one step either side), or None."""
    code = _normalize(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(utcnow())
    match = None
    for step in (now - 1, now, now + 1):
        # Every step is compared (no early exit), each in constant time.
        if same_secret(totp.generate_otp(step), code):
            match = step
    return match


def _use_totp(user: User, code: str) -> bool:
    credential = totp_of(user)
    if credential is None or credential.confirmed_at is None:
        return False
    try:
        timecode = _matching_timecode(unseal(credential.secret_encrypted), code)
    except UnreadableSecret:
        return False
    if timecode is None:
        return False
    # Conditional: a code (or an earlier one) already used is refused, even by a request
    # running at the same moment.
    return bool(
        db.session.execute(
            sa.update(TotpCredential)
            .where(TotpCredential.id == credential.id, TotpCredential.last_timecode < timecode)
            .values(last_timecode=timecode)
        ).rowcount
    )


def _use_recovery_code(user: User, code: str) -> bool:
    normalized = _normalize(code)
    if len(normalized) != 16:
        return False
    return bool(
        db.session.execute(
            sa.update(RecoveryCode)
            .where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == hash_token(normalized),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=utcnow())
        ).rowcount
    )


def recent_failures(user: User) -> int:
    window = current_app.config.get("TWO_FACTOR_FAILURE_WINDOW_SECONDS", 900)
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.object_type == User.__tablename__,
            AuditEvent.object_id == user.id,
            AuditEvent.action == FAILED,
            AuditEvent.created_at > utcnow() - timedelta(seconds=window),
        )
    )


def check_limit(user: User) -> None:
    if recent_failures(user) >= current_app.config.get("TWO_FACTOR_MAX_FAILURES", 10):
        raise Refused(
            "Too many wrong codes for this account. Wait 15 minutes, then try again "
            "(a recovery code works too, once the wait is over)."
        )


def verify_code(user: User, code: str, actor: Actor) -> str:
    """Accept an authenticator code or an unused recovery code; returns which one it was.

    A refusal leaves an audit event that counts towards the account's limit: the caller
    commits it even when it shows the refusal.
    """
    check_limit(user)
    if _use_totp(user, code):
        return "totp"
    if _use_recovery_code(user, code):
        left = unused_recovery_codes(user)
        record("auth.recovery_code_used", actor, user, left=left)
        notify(
            user,
            "A recovery code was used on your account",
            f"A recovery code was used to log in to your account. You have {left} left; "
            "you can make new ones on the second factor page.",
        )
        return "recovery"
    record(FAILED, actor, user)
    raise Refused("That code is not right, or it has already been used.")


# --- turning it off -------------------------------------------------------------------


def disable(user: User, proof: str, actor: Actor) -> None:
    """Remove every second factor of the account, given its password or a current code."""
    if required_for(user):
        raise Refused(
            "Your organization requires a second factor, so it cannot be turned off. "
            "You can add a passkey or make new recovery codes instead."
        )
    if not has_second_factor(user):
        raise Refused("Your account has no second factor to turn off.")
    proven = check_password_hash(user.password_hash, proof or "")
    if not proven:
        try:
            verify_code(user, proof, actor)
        except Refused as refusal:
            raise Refused("That is neither your password nor a valid code.") from refusal
    for model in (TotpCredential, RecoveryCode, Passkey):
        db.session.execute(sa.delete(model).where(model.user_id == user.id))
    record("auth.two_factor_disabled", actor, user)
    notify(
        user,
        "The second factor of your account is turned off",
        "The second factor of your account was turned off: your password alone now logs in.",
    )
