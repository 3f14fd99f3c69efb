"""Pages of the second factor: set-up at /auth/two-factor, the second login step, turning it
off, and the list of signed-in browsers. Passkey endpoints are in passkey_routes."""

from __future__ import annotations

from dataclasses import replace

from flask import (
    Blueprint,
    abort,
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
from app.auth import browsers, passkeys, pending_login, sessions
from app.auth import operations as auth_ops
from app.auth import two_factor as tf
from app.auth.forms import ConfirmForm
from app.auth.routes import safe_next
from app.auth.two_factor_forms import CodeForm, DisableForm, PasskeyNameForm
from app.errors import NotAllowed, Refused
from app.extensions import db, limiter

bp = Blueprint("two_factor", __name__, url_prefix="/auth", template_folder="templates")

# What a member who must set up a second factor can still reach.
SETUP_ENDPOINTS = {
    "static",
    "auth.logout",
    "two_factor.setup",
    "two_factor.confirm",
    "two_factor.recovery_codes",
    "passkeys.register_options",
    "passkeys.register",
    "core.healthz",
}


def two_factor_limit() -> str:
    return current_app.config.get("RATELIMIT_TWO_FACTOR") or current_app.config["RATELIMIT_AUTH"]


@bp.before_app_request
def _signed_in_browser_checks():
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    if sessions.touch(current_user.session_token, current_user.session_last_seen):
        db.session.commit()  # bookkeeping only, before the view starts its own work
    if request.endpoint in SETUP_ENDPOINTS:
        return None
    if tf.required_for(current_user) and not tf.has_second_factor(current_user):
        flash("Your organization requires a second factor. Set one up to continue.", "info")
        return redirect(url_for("two_factor.setup"))
    return None


@bp.app_context_processor
def _two_factor_status():
    def two_factor_enabled() -> bool:
        return current_user.is_authenticated and tf.has_second_factor(current_user)

    return {"two_factor_enabled": two_factor_enabled, "has_second_factor": tf.has_second_factor}


def _setup_page(form: CodeForm | None = None, status: int = 200):
    user = current_user
    context = {
        "totp_enabled": tf.has_totp(user),
        "passkeys": tf.passkeys_of(user),
        "recovery_left": tf.unused_recovery_codes(user),
        "required": tf.required_for(user),
        "passkey_form": PasskeyNameForm(),
        "passkeys_available": passkeys.available(),
    }
    if not context["totp_enabled"]:
        secret = tf.begin_totp_setup(user)
        db.session.commit()  # the same secret on every visit until it is confirmed
        uri = tf.provisioning_uri(user, secret)
        context.update(secret=secret, qr=tf.qr_svg(uri), form=form or CodeForm())
    response = current_app.make_response(
        (render_template("auth/two_factor.html", **context), status)
    )
    response.headers["Cache-Control"] = "no-store"  # the page shows a secret
    return response


@bp.get("/two-factor")
@login_required
def setup():
    return _setup_page()


@bp.post("/two-factor")
@login_required
@limiter.limit(two_factor_limit)
def confirm():
    form = CodeForm()
    if not form.validate_on_submit():
        return _setup_page(form, 400)
    try:
        codes = tf.confirm_totp(current_user, form.code.data, actor_from_request())
    except Refused as refusal:
        form.code.errors = [*form.code.errors, refusal.message]
        return _setup_page(form, 400)
    db.session.commit()
    return _recovery_page(codes, "Your authenticator app is set up.")


def _recovery_page(codes: list[str], heading: str):
    resp = current_app.make_response(
        render_template("auth/recovery_codes.html", codes=codes, heading=heading)
    )
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.post("/two-factor/recovery-codes")
@login_required
def recovery_codes():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not tf.has_second_factor(current_user):
        flash("Set up an authenticator app or a passkey first.", "error")
        return redirect(url_for("two_factor.setup"))
    codes = tf.new_recovery_codes(current_user, actor_from_request())
    db.session.commit()
    return _recovery_page(codes, "New recovery codes")


@bp.post("/two-factor/disable")
@login_required
@limiter.limit(two_factor_limit)
def disable():
    form = DisableForm()
    if not form.validate_on_submit():
        flash("Enter your password or a code to turn off the second factor.", "error")
        return redirect(url_for("auth.account"))
    try:
        tf.disable(current_user, form.proof.data, actor_from_request())
    except Refused as refusal:
        db.session.commit()  # keeps the audit event of a wrong code
        flash(refusal.message, "error")
        return redirect(url_for("auth.account"))
    db.session.commit()
    flash("The second factor is turned off for your account.", "success")
    return redirect(url_for("auth.account"))


@bp.route("/login/second-step", methods=["GET", "POST"])
@limiter.limit(two_factor_limit, methods=["POST"])
def second_step():
    user = pending_login.pending_user()
    if user is None:
        flash(pending_login.expired_message(), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        actor = replace(actor_from_request(), user_id=user.id)
        try:
            tf.verify_code(user, form.code.data, actor)
        except Refused as refusal:
            db.session.commit()  # the failed attempt counts towards the account's limit
            form.code.errors = [*form.code.errors, refusal.message]
        else:
            return finish_login(user)
    has_passkeys = bool(tf.passkeys_of(user)) and passkeys.available()
    status = 400 if form.errors else 200
    return render_template(
        "auth/second_step.html", form=form, has_passkeys=has_passkeys, has_totp=tf.has_totp(user)
    ), status


def finish_login(user):
    """The second factor is proven: start the real session, as the password login does."""
    target = pending_login.next_url()
    session.clear()
    auth_ops.log_in(user, actor_from_request())
    db.session.commit()
    login_user(user)
    return redirect(safe_next(target) or url_for("letters.dashboard"))


@bp.get("/sessions")
@login_required
def browser_sessions():
    rows = sessions.sessions_of(current_user.id)
    return render_template(
        "auth/sessions.html",
        rows=[(row, sessions.is_current(row, current_user.session_token)) for row in rows],
    )


@bp.post("/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        was_this_one = browsers.end_browser_session(current_user, session_id, actor_from_request())
    except NotAllowed:
        abort(404)
    db.session.commit()
    if was_this_one:
        logout_user()
        session.clear()
        flash("This browser is logged out.", "info")
        return redirect(url_for("auth.login"))
    flash("That browser is logged out.", "success")
    return redirect(url_for("two_factor.browser_sessions"))
