from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from app.actor import actor_from_request
from app.auth import operations as ops
from app.auth import pending_login, two_factor
from app.auth.forms import (
    ChangePasswordForm,
    ConfirmForm,
    EmailOnlyForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)
from app.extensions import db, limiter
from app.models import TokenPurpose

bp = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")


def _auth_limit() -> str:
    return current_app.config["RATELIMIT_AUTH"]


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host, never a scheme."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def _home() -> str:
    return url_for("letters.dashboard")


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def register():
    form = RegisterForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        ops.register(
            form.name.data,
            form.email.data,
            form.password.data,
            form.organization.data,
            actor_from_request(),
            time_zone=form.time_zone.data,
        )
        db.session.commit()
        # The same page whether or not the address already had an account.
        return render_template("auth/check_email.html", email=form.email.data, purpose="register")
    return render_template("auth/register.html", form=form)


@bp.route("/verify/<token>", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def verify_email(token: str):
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        result = ops.verify_email(token, actor_from_request())
        db.session.commit()
        if result.user is not None:
            flash("Your email address is confirmed. You can log in now.", "success")
            return redirect(url_for("auth.login"))
        return render_template("auth/verify.html", form=None, problem=result.problem), 400
    # Opening the link changes nothing (mail scanners follow links); the button does.
    result = ops.check_token(token, TokenPurpose.verify_email)
    if result.user is not None and result.user.is_verified:
        flash("This address is already confirmed. You can log in.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/verify.html", form=form, problem=result.problem, user=result.user)


@bp.route("/verify/resend", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def resend_verification():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        ops.resend_verification(form.email.data, actor_from_request())
        db.session.commit()
        return render_template("auth/check_email.html", email=form.email.data, purpose="verify")
    return render_template("auth/resend.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or _home())
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        actor = actor_from_request()
        try:
            user = ops.authenticate(form.email.data, form.password.data, actor)
        except ops.AuthError as refusal:
            db.session.commit()  # keeps the audit event of a failed attempt
            form.form_errors.append(str(refusal))
            return render_template("auth/login.html", form=form), 200
        if two_factor.has_second_factor(user):
            # Not logged in yet: the second step finishes the login (two_factor_routes).
            pending_login.begin(user, safe_next(form.next.data))
            db.session.commit()
            return redirect(url_for("two_factor.second_step"))
        # A new session at every login: nothing from before it (fixation) carries over.
        session.clear()
        ops.log_in(user, actor)
        db.session.commit()
        login_user(user)
        return redirect(safe_next(form.next.data) or _home())
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        ops.log_out(current_user, current_user.session_token, actor_from_request())
        db.session.commit()
        logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def forgot_password():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        ops.request_password_reset(form.email.data, actor_from_request())
        db.session.commit()
        return render_template("auth/check_email.html", email=form.email.data, purpose="reset")
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def reset_password(token: str):
    form = ResetPasswordForm()
    check = ops.check_token(token, TokenPurpose.reset_password)
    if check.user is None:
        return render_template("auth/reset.html", form=None, problem=check.problem), 400
    if form.validate_on_submit():
        result = ops.reset_password(token, form.password.data, actor_from_request())
        db.session.commit()
        if result.user is None:
            return render_template("auth/reset.html", form=None, problem=result.problem), 400
        logout_user()
        session.clear()
        flash("Your password is changed. Log in with the new one.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, problem=None)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            ops.change_password(
                current_user, form.current.data, form.password.data, actor_from_request()
            )
        except ops.AuthError as refusal:
            form.current.errors = [*form.current.errors, str(refusal)]
        else:
            db.session.commit()
            flash("Your password is changed.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form)
