from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.actor import actor_from_request
from app.auth.forms import ConfirmForm
from app.auth.two_factor_forms import RequireTwoFactorForm
from app.core.zones import label as zone_label
from app.core.zones import time_zone_choices
from app.errors import NotAllowed, Refused
from app.extensions import db
from app.models import Role
from app.orgs import letterhead, policy
from app.orgs import operations as ops
from app.orgs.forms import InviteColleagueForm, LetterheadForm, RetentionForm

T = TypeVar("T")
bp = Blueprint("orgs", __name__, url_prefix="/orgs", template_folder="templates")


def _forbidden(org_id: int) -> NoReturn:
    """A stranger learns nothing of the organization (404); a member who is not admin, 403."""
    abort(404 if ops.membership_of(current_user, org_id) is None else 403)


def _admin_change(org_id: int, change: Callable[[], T]) -> tuple[bool, T | None]:
    """Run an admin's change of the organization and commit it: (True, its result), or
    (False, None) when it was refused, with the reason flashed for the organization page."""
    try:
        result = change()
    except NotAllowed:
        _forbidden(org_id)
    except Refused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return False, None
    db.session.commit()
    return True, result


def _flash_errors(form, what: str) -> None:  # noqa: ANN001 - any form
    for errors in form.errors.values():
        for error in errors:
            flash(f"{what}: {error}", "error")


@bp.get("/")
@login_required
def home():
    organizations = [
        (m, ops.pending_invitations(m.organization_id) if m.role is Role.admin else [])
        for m in current_user.memberships
    ]
    return render_template(
        "orgs/home.html",
        organizations=organizations,
        invite_form=InviteColleagueForm(),
        time_zone_choices=time_zone_choices,
        zone_label=zone_label,
    )


@bp.post("/<int:org_id>/invite")
@login_required
def invite(org_id: int):
    form = InviteColleagueForm()
    if not form.validate_on_submit():
        _flash_errors(form, "Invitation not sent")
        return redirect(url_for("orgs.home"))
    done, _ = _admin_change(org_id, lambda: ops.invite_colleague(
        org_id, form.email.data, Role(form.role.data), current_user, actor_from_request()
    ))  # fmt: skip
    if done:
        flash(f"Invitation sent to {form.email.data}.", "success")
    return redirect(url_for("orgs.home"))


@bp.post("/<int:org_id>/time-zone")
@login_required
def time_zone(org_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    done, changed = _admin_change(org_id, lambda: ops.set_time_zone(
        org_id, request.form.get("time_zone", ""), current_user, actor_from_request()
    ))  # fmt: skip
    if done and changed:
        flash("Saved: new letters start in this time zone.", "success")
    return redirect(url_for("orgs.home"))


@bp.post("/<int:org_id>/members/<int:membership_id>/remove")
@login_required
def remove_member(org_id: int, membership_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    done, _ = _admin_change(org_id, lambda: ops.remove_member(
        org_id, membership_id, current_user, actor_from_request()
    ))  # fmt: skip
    if done:
        flash("The colleague was removed.", "success")
    return redirect(url_for("orgs.home"))


@bp.route("/<int:org_id>/letterhead", methods=["GET", "POST"], endpoint="letterhead")
@login_required
def letterhead_page(org_id: int):
    """The letterhead printed on the organization's letters: logo, address, contact lines."""
    try:
        organization = ops.require_admin(current_user, org_id)
    except NotAllowed:
        _forbidden(org_id)
    form = LetterheadForm(data={"lines": organization.letterhead_lines})
    status = 200
    if form.validate_on_submit():
        upload = form.logo.data
        try:
            changed = letterhead.update_letterhead(
                organization, lines=form.lines.data or "",
                logo=upload.read(letterhead.MAX_LOGO_BYTES + 1) if upload else None,
                remove_logo=form.remove_logo.data, actor=actor_from_request(),
            )  # fmt: skip
        except Refused as refusal:
            db.session.rollback()
            form.logo.errors = [*form.logo.errors, str(refusal)]
            status = 422
        else:
            db.session.commit()
            flash("Letterhead saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("orgs.letterhead", org_id=org_id))
    elif form.errors:
        status = 422
    logo = letterhead.logo_of(organization)
    return render_template(
        "orgs/letterhead.html", organization=organization, form=form,
        logo_uri=logo.data_uri() if logo else None,
    ), status  # fmt: skip


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


@bp.post("/<int:org_id>/two-factor")
@login_required
def two_factor_policy(org_id: int):
    form = RequireTwoFactorForm()
    if not form.validate_on_submit():
        abort(400)
    done, organization = _admin_change(org_id, lambda: policy.set_two_factor_requirement(
        org_id, bool(form.required.data), current_user, actor_from_request()
    ))  # fmt: skip
    if not done:
        return redirect(url_for("orgs.home"))
    if organization.require_two_factor:
        flash("Every member now needs a second factor to use their account.", "success")
    else:
        flash("A second factor is now optional for members.", "success")
    return redirect(url_for("orgs.home"))


@bp.post("/<int:org_id>/retention")
@login_required
def retention(org_id: int):
    form = RetentionForm()
    if not form.validate_on_submit():
        _flash_errors(form, "Retention period not changed")
        return redirect(url_for("orgs.home"))
    done, _ = _admin_change(org_id, lambda: ops.set_retention(
        org_id, form.days.data, current_user, actor_from_request()
    ))  # fmt: skip
    if done:
        flash(f"Contact data of final letters is now kept {form.days.data} days.", "success")
    return redirect(url_for("orgs.home"))
