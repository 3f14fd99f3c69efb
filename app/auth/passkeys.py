"""Passkeys (WebAuthn) as a second factor: register one, and use it at the second login step.

The server makes the options and checks the answers (the `webauthn` package); challenges are
kept in the database, each for one ceremony of one account, used once and expiring after a
few minutes. The relying party is the host of BASE_URL, and only BASE_URL's origin is
accepted, so a passkey answer made for another site is refused.
"""

from __future__ import annotations

import ipaddress
import json
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from app.actor import Actor
from app.audit import record
from app.auth.two_factor import has_totp, notify, passkeys_of, required_for
from app.errors import NotAllowed, Refused
from app.extensions import db
from app.models import (
    ChallengePurpose,
    Passkey,
    RecoveryCode,
    User,
    WebAuthnChallenge,
    utcnow,
)

CHALLENGE_SECONDS = 300
NOT_ACCEPTED = "The passkey's answer was not accepted. Please try again."


def relying_party() -> tuple[str, str]:
    """(rp_id, origin) from BASE_URL: the host name, and scheme://host[:port]."""
    parts = urlsplit(current_app.config["BASE_URL"])
    return parts.hostname or "localhost", f"{parts.scheme}://{parts.netloc}"


def available() -> bool:
    """Browsers accept only a host name as a passkey's site, never an IP address."""
    host = urlsplit(current_app.config["BASE_URL"]).hostname or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return bool(host)
    return False


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    descriptors = []
    for passkey in passkeys_of(user):
        transports = []
        for name in (passkey.transports or "").split(","):
            try:
                transports.append(AuthenticatorTransport(name))
            except ValueError:
                continue
        descriptors.append(
            PublicKeyCredentialDescriptor(
                id=base64url_to_bytes(passkey.credential_id), transports=transports or None
            )
        )
    return descriptors


def _store_challenge(user: User, purpose: ChallengePurpose, challenge: bytes) -> None:
    now = utcnow()
    db.session.execute(
        sa.delete(WebAuthnChallenge).where(
            WebAuthnChallenge.user_id == user.id, WebAuthnChallenge.expires_at < now
        )
    )
    db.session.add(
        WebAuthnChallenge(
            user_id=user.id,
            purpose=purpose,
            challenge=bytes_to_base64url(challenge),
            expires_at=now + timedelta(seconds=CHALLENGE_SECONDS),
        )
    )


def _parse(credential_json: str) -> tuple[dict, str]:
    """The credential as a dict, and the challenge its clientDataJSON carries."""
    try:
        credential = json.loads(credential_json)
        client_data = json.loads(base64url_to_bytes(credential["response"]["clientDataJSON"]))
        challenge = client_data["challenge"]
    except (ValueError, TypeError, KeyError) as exc:
        raise Refused(NOT_ACCEPTED) from exc
    if not isinstance(challenge, str) or not isinstance(credential, dict):
        raise Refused(NOT_ACCEPTED)
    return credential, challenge


def _claim_challenge(user: User, purpose: ChallengePurpose, challenge: str) -> bytes:
    """Use up the challenge: it must be this account's, for this ceremony, and unexpired."""
    claimed = db.session.execute(
        sa.delete(WebAuthnChallenge).where(
            WebAuthnChallenge.user_id == user.id,
            WebAuthnChallenge.purpose == purpose,
            WebAuthnChallenge.challenge == challenge,
            WebAuthnChallenge.expires_at > utcnow(),
        )
    ).rowcount
    if not claimed:
        raise Refused("This passkey request has expired or was already used. Please try again.")
    return base64url_to_bytes(challenge)


UNAVAILABLE = "Passkeys work only when this site is reached by a host name (BASE_URL)."


def registration_options(user: User) -> str:
    if not available():
        raise Refused(UNAVAILABLE)
    rp_id, _ = relying_party()
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=current_app.config["SITE_NAME"],
        # An opaque handle, never the email or a sequential id.
        user_id=f"undersigned-user-{user.id}".encode(),
        user_name=user.email,
        user_display_name=user.name,
        timeout=CHALLENGE_SECONDS * 1000,
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    _store_challenge(user, ChallengePurpose.register, options.challenge)
    return options_to_json(options)


def register(user: User, credential_json: str, name: str, actor: Actor) -> Passkey:
    credential, challenge = _parse(credential_json)
    expected = _claim_challenge(user, ChallengePurpose.register, challenge)
    rp_id, origin = relying_party()
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=expected,
            expected_rp_id=rp_id,
            expected_origin=origin,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        raise Refused(NOT_ACCEPTED) from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    if db.session.execute(
        sa.select(Passkey.id).where(Passkey.credential_id == credential_id)
    ).first():
        raise Refused("This passkey is already registered.")
    transports = credential.get("response", {}).get("transports") or []
    passkey = Passkey(
        user_id=user.id,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=",".join(t for t in transports if isinstance(t, str))[:200] or None,
        name=(name or "").strip()[:100] or "Passkey",
    )
    first_factor = not has_totp(user) and not passkeys_of(user)
    db.session.add(passkey)
    db.session.flush()
    record("auth.passkey_added", actor, passkey, user_id=user.id, name=passkey.name)
    if first_factor:
        record("auth.two_factor_enabled", actor, user, method="passkey")
    notify(
        user,
        "A passkey was added to your account",
        f"The passkey “{passkey.name}” was added to your account: it can now stand in for "
        "the second step of logging in.",
    )
    return passkey


def authentication_options(user: User) -> str:
    if not available():
        raise Refused(UNAVAILABLE)
    descriptors = _descriptors(user)
    if not descriptors:
        raise Refused("Your account has no passkey. Use a code instead.")
    rp_id, _ = relying_party()
    options = generate_authentication_options(
        rp_id=rp_id,
        timeout=CHALLENGE_SECONDS * 1000,
        allow_credentials=descriptors,
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    _store_challenge(user, ChallengePurpose.authenticate, options.challenge)
    return options_to_json(options)


def authenticate(user: User, credential_json: str, actor: Actor) -> Passkey:
    """Check a passkey's answer for this account's second step; refuses anything else."""
    credential, challenge = _parse(credential_json)
    expected = _claim_challenge(user, ChallengePurpose.authenticate, challenge)
    passkey = db.session.execute(
        sa.select(Passkey).where(
            Passkey.user_id == user.id, Passkey.credential_id == str(credential.get("rawId"))
        )
    ).scalar_one_or_none()
    if passkey is None:
        raise Refused("This passkey is not registered for your account.")
    rp_id, origin = relying_party()
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=expected,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        raise Refused(NOT_ACCEPTED) from exc
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = utcnow()
    record("auth.passkey_used", actor, passkey, user_id=user.id)
    return passkey


def remove(user: User, passkey_id: int, actor: Actor) -> None:
    passkey = db.session.get(Passkey, passkey_id)
    if passkey is None or passkey.user_id != user.id:
        raise NotAllowed
    if required_for(user) and not has_totp(user) and len(passkeys_of(user)) <= 1:
        raise Refused(
            "Your organization requires a second factor: add another one before removing "
            "your last passkey."
        )
    name = passkey.name
    record("auth.passkey_removed", actor, passkey, user_id=user.id, name=name)
    db.session.delete(passkey)
    db.session.flush()
    if not has_totp(user) and not passkeys_of(user):
        # The last factor is gone: recovery codes would otherwise stand in for nothing.
        db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        record("auth.two_factor_disabled", actor, user)
    notify(
        user,
        "A passkey was removed from your account",
        f"The passkey “{name}” was removed from your account.",
    )
