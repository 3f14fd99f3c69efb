"""Rate limits on signing and confirming, per client address and per letter.

The counters live in the limiter's storage (RATELIMIT_STORAGE_URI: Redis in production), so
every worker on every machine counts together. The per-letter bucket is shared by the open
link, the individual form and every personal invitation of the same letter.
"""

from __future__ import annotations

from flask import current_app, g, request

from app.extensions import limiter
from app.invitations import tracking
from app.signing import identity, links, queries

# Defaults; config.py may set them (testing sets them high, and a test lowers them).
DEFAULTS = {
    "RATELIMIT_SIGN": "20 per minute;200 per hour",
    "RATELIMIT_SIGN_PER_LETTER": "300 per minute",
    "RATELIMIT_RESEND": "3 per hour",
}
TESTING = {
    "RATELIMIT_SIGN": "10000 per minute",
    "RATELIMIT_SIGN_PER_LETTER": "10000 per minute",
    "RATELIMIT_RESEND": "10000 per minute",
}


def _config(key: str) -> str:
    return current_app.config.get(key) or DEFAULTS[key]


def _letter_key() -> str:
    """The letter a signing request is about, whichever link it came through."""
    if "signing_letter_key" not in g:
        args = request.view_args or {}
        letter_id = None
        if "slug" in args:
            letter = queries.letter_by_slug(args["slug"])
            letter_id = letter.id if letter else None
        elif request.endpoint == "signing.invitation":
            invitation = tracking.find_by_token(args.get("token"))
            letter_id = invitation.letter_id if invitation else None
        elif request.endpoint == "signing.verify":
            signature = links.signature_by_verify_token(args.get("token"))
            letter_id = signature.letter_id if signature else None
        g.signing_letter_key = f"letter-{letter_id}"
    return g.signing_letter_key


def _address_key() -> str:
    """One bucket per letter and mailbox, for resending confirmation emails."""
    email = identity.canonical_email(request.form.get("email", ""))
    return f"{_letter_key()}:{email}"


sign_per_client = limiter.shared_limit(
    lambda: _config("RATELIMIT_SIGN"), scope="sign-client", methods=["POST"]
)
sign_per_letter = limiter.shared_limit(
    lambda: _config("RATELIMIT_SIGN_PER_LETTER"),
    scope="sign-letter",
    key_func=_letter_key,
    methods=["POST"],
)
verify_per_client = limiter.shared_limit(
    lambda: _config("RATELIMIT_SIGN"), scope="verify-client", methods=["POST"]
)
verify_per_letter = limiter.shared_limit(
    lambda: _config("RATELIMIT_SIGN_PER_LETTER"),
    scope="verify-letter",
    key_func=_letter_key,
    methods=["POST"],
)
resend_per_address = limiter.shared_limit(
    lambda: _config("RATELIMIT_RESEND"),
    scope="resend-address",
    key_func=_address_key,
    methods=["POST"],
)
