from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.actor import actor_from_request
from app.auth.forms import ConfirmForm
from app.errors import NotAllowed, Refused
from app.extensions import db
from app.models import Role
from app.orgs import operations as ops
from app.orgs.forms import InviteColleagueForm

bp = Blueprint("orgs", __name__, url_prefix="/orgs", template_folder="templates")


@bp.get("/")
@login_required
def home():
    organizations = [
        (m, ops.pending_invitations(m.organization_id) if m.role is Role.admin else [])
        for m in current_user.memberships
    ]
    return render_template(
        "orgs/home.html", organizations=organizations, invite_form=InviteColleagueForm()
    )


@bp.post("/<int:org_id>/invite")
@login_required
def invite(org_id: int):
    form = InviteColleagueForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(f"Invitation not sent: {error}", "error")
        return redirect(url_for("orgs.home"))
    try:
        ops.invite_colleague(
            org_id, form.email.data, Role(form.role.data), current_user, actor_from_request()
        )
    except NotAllowed:
        abort(404 if ops.membership_of(current_user, org_id) is None else 403)
    except Refused as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("orgs.home"))
    db.session.commit()
    flash(f"Invitation sent to {form.email.data}.", "success")
    return redirect(url_for("orgs.home"))


@bp.post("/<int:org_id>/members/<int:membership_id>/remove")
@login_required
def remove_member(org_id: int, membership_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        ops.remove_member(org_id, membership_id, current_user, actor_from_request())
    except NotAllowed:
        abort(404 if ops.membership_of(current_user, org_id) is None else 403)
    except Refused as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("orgs.home"))
    db.session.commit()
    flash("The colleague was removed.", "success")
    return redirect(url_for("orgs.home"))


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token: str):
    check = ops.check_invitation(token)
    if check.invitation is None:
        return render_template("orgs/join.html", problem=check.problem, form=None), 400
    if not current_user.is_authenticated:
        return render_template(
            "orgs/join.html",
            invitation=check.invitation,
            problem=None,
            form=None,
            next=request.path,
        )
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            organization = ops.accept_invitation(token, current_user, actor_from_request())
        except Refused as refusal:
            db.session.commit()  # keeps the audit event of a refused attempt
            return render_template("orgs/join.html", problem=str(refusal), form=None), 403
        db.session.commit()
        flash(f"You joined {organization.name}.", "success")
        return redirect(url_for("orgs.home"))
    mismatch = ops.wrong_account(check.invitation, current_user)
    if mismatch is not None:
        return render_template(
            "orgs/join.html", invitation=check.invitation, problem=None, mismatch=mismatch
        )
    return render_template("orgs/join.html", invitation=check.invitation, problem=None, form=form)
