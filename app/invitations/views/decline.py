"""`/s/<token>/decline`: the invitee says no. The link opens a page; only its button (a POST)
declines, so a mail scanner that follows the link changes nothing."""

from __future__ import annotations

import dataclasses

from flask import make_response, render_template, request

from app.actor import actor_from_request
from app.errors import Refused
from app.extensions import csrf, db, limiter
from app.invitations import operations, tracking
from app.invitations.deadline import lead_contact, signing_closed
from app.invitations.emails import sign_url
from app.invitations.forms import DeclineForm
from app.models import InvitationStatus, utcnow

SIGNED = (
    "You have already signed this letter: thank you. To take your signature back, use the "
    "link in the confirmation email you received when you signed."
)


def _one_click() -> bool:
    """A mail client's RFC 8058 unsubscribe from a reminder: a POST with no form token (the
    personal token in the URL is the secret). The page's own form keeps its CSRF check."""
    return request.method == "POST" and request.form.get("List-Unsubscribe") == "One-Click"


@csrf.exempt
@limiter.limit("60 per minute")
def decline(token: str):
    invitation = tracking.find_by_token(token)
    if invitation is None:
        return _page("invitations/link_unknown.html", 404)
    letter = invitation.letter
    now = utcnow()
    form = DeclineForm()
    declined = invitation.status is InvitationStatus.declined
    problem = tracking.link_refusal(invitation)
    if problem is None and invitation.status is InvitationStatus.signed:
        problem = SIGNED
    if problem is None and not declined:
        problem = signing_closed(letter, now)
    if not problem and not declined and (_one_click() or form.validate_on_submit()):
        actor = dataclasses.replace(actor_from_request(), label="invitee")
        try:
            operations.decline(invitation, reason=form.reason.data or "", actor=actor, now=now)
        except Refused as refusal:
            db.session.rollback()
            problem = str(refusal)
        else:
            db.session.commit()
            declined = True
    return _page(
        "invitations/decline.html",
        200,
        invitation=invitation,
        letter=letter,
        form=form,
        problem=problem,
        declined=declined,
        contact=lead_contact(letter),
        sign_url=sign_url(token),
    )


def _page(template: str, status: int, **context):  # noqa: ANN003
    response = make_response(render_template(template, **context), status)
    # A personal page: never kept by a shared cache or the browser's back-forward store.
    response.headers["Cache-Control"] = "no-store"
    return response
