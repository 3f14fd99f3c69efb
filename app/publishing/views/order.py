"""The lead's manual order editor: move a signatory up or down (buttons that POST)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app.actor import actor_from_request
from app.errors import Refused
from app.extensions import db
from app.letters.permissions import Access, load_letter
from app.models import LetterStatus, SignatoryOrder, SignerKind
from app.publishing import operations
from app.publishing.store import load_final_letter


@login_required
def index(slug: str) -> ResponseReturnValue:
    letter, _ = load_letter(slug, current_user, Access.lead)
    editable = letter.status is not LetterStatus.final and not letter.archived
    manual = editable and letter.signatory_order is SignatoryOrder.manual
    # With buttons: the manual order of every approved signatory. Without: the list exactly
    # as the letter prints it (frozen once final).
    lists = operations.manual_lists(letter) if manual else None
    return render_template(
        "publishing/order.html",
        letter=letter,
        fl=None if manual else load_final_letter(letter),
        organizations=lists[SignerKind.organization] if lists else [],
        individuals=lists[SignerKind.individual] if lists else [],
        manual=manual,
        editable=editable,
    )


def _done(slug: str) -> ResponseReturnValue:
    return redirect(url_for("publishing.order", slug=slug))


@login_required
def start(slug: str) -> ResponseReturnValue:
    letter, _ = load_letter(slug, current_user, Access.lead)
    try:
        operations.start_manual_order(letter, actor=actor_from_request())
    except Refused as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
    else:
        db.session.commit()
        flash("The list is now in manual order, starting from its current order.", "success")
    return _done(letter.slug)


@login_required
def move(slug: str, signature_id: int, direction: str) -> ResponseReturnValue:
    letter, _ = load_letter(slug, current_user, Access.lead)
    if direction not in (operations.UP, operations.DOWN):
        abort(404)
    try:
        operations.move_signatory(letter, signature_id, direction, actor=actor_from_request())
    except Refused as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
    else:
        db.session.commit()
    return redirect(url_for("publishing.order", slug=letter.slug) + f"#sig-{signature_id}")
