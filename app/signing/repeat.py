"""An address that already has an active sign-on on the letter signs again.

Before confirming, the new details replace the pending ones (a corrected name, acronym,
country…) and a new confirmation link goes out with them; the older link then opens a page
saying it was replaced. After confirming, the address's owner is emailed the manage link to
change the listing. Either way the page the submitter sees is the usual "check your email":
nothing tells a stranger that the address had signed.
"""

from __future__ import annotations

from datetime import datetime

from app.actor import Actor
from app.audit import record
from app.models import Signature, SignatureStatus
from app.signing import links, notify

# What a corrected sign-on may replace: how it is listed and what the signer told the lead,
# and the text it was signed under (the one the signer just read).
CORRECTABLE = (
    "kind", "organization_name", "acronym", "website", "country", "signer_name",
    "signer_title", "affiliation", "note_to_lead", "attested_authorized", "listed_publicly",
    "email", "invitation_id", "version_id", "version_number", "ip", "user_agent",
)  # fmt: skip


def signed_again(existing: Signature, values: dict, *, actor: Actor, now: datetime) -> None:
    """`values` are the new sign-on's column values, as `operations.sign` built them."""
    letter_id, via = existing.letter_id, values["via"].value
    if existing.status is not SignatureStatus.unverified:
        notify.send_again(existing, now=now)
        record("signature.signed_again", actor, existing, letter=letter_id, via=via)
        return
    changed = [k for k in CORRECTABLE if getattr(existing, k) != values[k]]
    for name in changed:
        setattr(existing, name, values[name])
    verify_url = links.reissue_verify_link(existing, now)
    notify.send_verification(
        existing, verify_url=verify_url, manage_raw=links.reissue_manage_token(existing)
    )
    listing = [k for k in changed if k not in ("ip", "user_agent", "version_id")]
    record("signature.corrected" if listing else "signature.signed_again", actor, existing,
           letter=letter_id, via=via, fields=listing or None)  # fmt: skip
