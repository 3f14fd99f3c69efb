"""Publishing, confirmed: the page the lead sees before the letter goes public."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.actor import actor_from_request
from app.errors import Refused
from app.extensions import db
from app.letters import lifecycle
from app.letters.lifecycle import Transition
from app.letters.permissions import Access, load_letter
from app.publishing import publication
from app.publishing.store import load_final_letter
from app.publishing.views.public import letter_fragment
from app.urls import external_url


@login_required
def confirm(slug: str) -> ResponseReturnValue:
    """GET: what the public page will show, and where. POST: publish."""
    letter, _ = load_letter(slug, current_user, Access.lead)
    form = FlaskForm()  # the button and its CSRF token
    error = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            told = publication.publish(letter, actor=actor_from_request())
        except Refused as refusal:
            db.session.rollback()
            error = refusal.message
        else:
            db.session.commit()
            address = external_url("publishing.public_letter", slug=letter.slug)
            note = f" {told} signator{'y was' if told == 1 else 'ies were'} told." if told else ""
            flash(f"The letter is published at {address}.{note}", "success")
            return redirect(url_for("letters.overview", slug=letter.slug))
    blocker = error or lifecycle.refusal(letter, Transition.publish)
    fl = load_final_letter(letter)
    return render_template(
        "publishing/publish.html", letter=letter, fl=fl, letter_html=letter_fragment(fl),
        form=form, blocker=blocker, error=error,
        page_url=external_url("publishing.public_letter", slug=letter.slug),
    ), (409 if error else 200)  # fmt: skip
