"""Collaborators of a letter, and the invitation link that lets one join."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app.actor import actor_from_request
from app.errors import Refused
from app.extensions import db
from app.letters import collaborators as collab
from app.letters.forms import CollaboratorForm
from app.letters.permissions import Access, load_letter
from app.letters.views.common import commit, refuse
from app.models import CollaboratorRole, Letter


@login_required
def collaborators(slug: str) -> ResponseReturnValue:
    letter, _ = load_letter(slug, current_user, Access.lead)
    form = CollaboratorForm()
    if form.validate_on_submit():
        try:
            added = collab.add_collaborator(
                letter, email=form.email.data, role=CollaboratorRole(form.role.data),
                actor=actor_from_request(),
            )  # fmt: skip
        except Refused as refusal:
            refuse(refusal.message)
        else:
            # The same words whether or not the address has an account (see add_collaborator).
            joined, email = added.joined, added.email
            if commit():
                if joined:
                    flash(f"{email} is now {_role_words(added.role)}; we emailed them.", "success")
                else:
                    flash(f"We emailed an invitation to {email}.", "success")
                return redirect(url_for(".collaborators", slug=letter.slug))
    return render_template(
        "letters/collaborators.html", letter=letter, form=form,
        people=collab.collaborators_of(letter), co_leads=collab.co_lead_organizations(letter),
    ), (422 if form.errors else 200)  # fmt: skip


def _role_words(role: CollaboratorRole) -> str:
    return "an editor" if role is CollaboratorRole.editor else "a viewer"


@login_required
def leave(slug: str) -> ResponseReturnValue:
    letter, _ = load_letter(slug, current_user)
    try:
        collab.leave_letter(letter, user=current_user, actor=actor_from_request())
    except Refused as refusal:
        refuse(refusal.message)
        return redirect(url_for(".overview", slug=letter.slug))
    if commit():
        flash(f"You have left “{letter.title}”.", "success")
        return redirect(url_for(".dashboard"))
    return redirect(url_for(".overview", slug=letter.slug))


@login_required
def remove(slug: str, collaborator_id: int) -> ResponseReturnValue:
    letter, _ = load_letter(slug, current_user, Access.lead)
    try:
        collab.remove_collaborator(letter, collaborator_id, actor=actor_from_request())
    except Refused as refusal:
        refuse(refusal.message)
    else:
        if commit():
            flash("Removed.", "success")
    return redirect(url_for(".collaborators", slug=letter.slug))


def join(token: str) -> ResponseReturnValue:
    """GET shows the invitation (a mail scanner opening it changes nothing); POST accepts."""
    invitation = collab.invitation_for(token)
    if request.method == "POST":
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.path))
        try:
            joined = collab.accept_invitation(
                token, user=current_user, actor=actor_from_request(),
                co_lead_organization_id=parse_co_lead(request.form.get("co_lead", "")),
            )  # fmt: skip
        except Refused as refusal:
            refuse(refusal.message)
            return redirect(url_for(".join", token=token))
        slug = db.session.get(Letter, joined.letter_id).slug
        if commit():
            flash("You have joined the letter.", "success")
            return redirect(url_for(".overview", slug=slug))
        return redirect(url_for(".join", token=token))
    # Not called `letter`: the invitee cannot see it yet, so no letter navigation is shown.
    invited_to = db.session.get(Letter, invitation.letter_id) if invitation else None
    choices = []
    if invitation and current_user.is_authenticated:
        choices = collab.co_lead_choices(current_user, invitation)
    return render_template(
        "letters/join.html", invitation=invitation, invited_to=invited_to, token=token,
        choices=choices,
    ), (200 if invitation else 404)  # fmt: skip


def parse_co_lead(value: str) -> int | None:
    """The co-lead choice of the accept form: an organization id, or none."""
    value = value.strip()
    if value.isdigit() and len(value) < 12:
        return int(value)
    if value in ("", "none"):
        return None
    raise Refused("Choose one of your own organizations, or none.")
