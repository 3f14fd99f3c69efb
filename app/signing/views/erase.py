"""The lead erases the signers' contact data of a final letter: a page, a box, a button."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app.actor import actor_from_request
from app.errors import Refused
from app.extensions import db
from app.letters.permissions import Access, load_letter
from app.signing import erasure
from app.signing.forms import EraseContactsForm


@login_required
def erase_contacts(slug: str) -> ResponseReturnValue:
    letter, _ = load_letter(slug, current_user, Access.lead)
    form = EraseContactsForm()
    refusal = erasure.refusal(letter)
    status = 200
    if form.is_submitted() and refusal is None:
        if form.validate():
            try:
                erasure.erase_contacts(letter, actor=actor_from_request())
            except Refused as refused:
                db.session.rollback()
                refusal = refused.message
            else:
                db.session.commit()
                flash("The signers' contact data is erased. The list did not change.", "success")
                return redirect(url_for("signing.signatures", slug=slug))
        status = 422
    elif form.is_submitted():
        status = 409
    return render_template(
        "signing/lead/erase.html", letter=letter, form=form, refusal=refusal,
        plan=erasure.plan(letter),
    ), status  # fmt: skip
