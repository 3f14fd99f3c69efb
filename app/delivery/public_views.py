"""Pages for signatories (no account): stop updates about a letter, from a link in an email.

The link opens a page; the change is its POST button. Mail programs that offer one-click
unsubscribe (RFC 8058) POST `List-Unsubscribe=One-Click` to the same address, without our
CSRF token: the random single-purpose token in the address is what authorizes it.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template, request
from flask.typing import ResponseReturnValue

from app.actor import Actor
from app.delivery import operations
from app.extensions import csrf, db
from app.models import Signature, UpdateOptOutLink, utcnow
from app.tokens import hash_token

_MAX_TOKEN = 200


def _signature(token: str) -> Signature | None:
    if not token or len(token) > _MAX_TOKEN:
        return None
    link = db.session.scalar(
        sa.select(UpdateOptOutLink).where(UpdateOptOutLink.token_hash == hash_token(token))
    )
    if link is None or link.expires_at < utcnow():
        return None
    return db.session.get(Signature, link.signature_id)


@csrf.exempt
def opt_out(token: str) -> ResponseReturnValue:
    signature = _signature(token)
    if signature is None:
        return render_template("delivery/opt_out.html", signature=None), 404
    if request.method == "POST":
        # Stopping twice is still "stopped": the second POST changes nothing.
        operations.opt_out(signature, actor=Actor(label="signatory", ip=request.remote_addr))
        db.session.commit()
    return render_template(
        "delivery/opt_out.html",
        signature=signature,
        letter=signature.letter,
        stopped=signature.updates_opted_out_at is not None,
    )
