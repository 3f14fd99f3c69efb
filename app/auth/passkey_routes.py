"""Passkey endpoints, called by app/static/js/passkeys.js with JSON (and the CSRF header)."""

from __future__ import annotations

import json
from dataclasses import replace

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, request, url_for
from flask_login import current_user, login_required

from app.actor import actor_from_request
from app.auth import passkeys, pending_login
from app.auth.forms import ConfirmForm
from app.auth.two_factor_routes import finish_login, two_factor_limit
from app.errors import NotAllowed, Refused
from app.extensions import db, limiter

bp = Blueprint("passkeys", __name__, url_prefix="/auth/passkeys")


def _json_options(options_json: str):
    response = current_app.response_class(options_json, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def _refused(message: str, status: int = 400):
    return jsonify(error=message), status


def _credential_text() -> str:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("credential"), dict):
        abort(400)
    return json.dumps(payload["credential"])


@bp.post("/register/options")
@login_required
def register_options():
    try:
        options = passkeys.registration_options(current_user)
    except Refused as refusal:
        return _refused(refusal.message)
    db.session.commit()
    return _json_options(options)


@bp.post("/register")
@login_required
@limiter.limit(two_factor_limit)
def register():
    payload = request.get_json(silent=True) or {}
    name = payload.get("name") if isinstance(payload.get("name"), str) else ""
    try:
        passkey = passkeys.register(current_user, _credential_text(), name, actor_from_request())
    except Refused as refusal:
        db.session.rollback()
        return _refused(refusal.message)
    db.session.commit()
    flash(f"The passkey “{passkey.name}” is added.", "success")
    return jsonify(redirect=url_for("two_factor.setup"))


@bp.post("/login/options")
@limiter.limit(two_factor_limit)
def login_options():
    user = pending_login.pending_user()
    if user is None:
        return _refused(pending_login.expired_message(), 401)
    try:
        options = passkeys.authentication_options(user)
    except Refused as refusal:
        return _refused(refusal.message)
    db.session.commit()
    return _json_options(options)


@bp.post("/login")
@limiter.limit(two_factor_limit)
def login():
    user = pending_login.pending_user()
    if user is None:
        return _refused(pending_login.expired_message(), 401)
    actor = replace(actor_from_request(), user_id=user.id)
    try:
        passkeys.authenticate(user, _credential_text(), actor)
    except Refused as refusal:
        db.session.commit()  # the challenge stays used
        return _refused(refusal.message)
    response = finish_login(user)
    return jsonify(redirect=response.headers["Location"])


@bp.post("/<int:passkey_id>/remove")
@login_required
def remove(passkey_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        passkeys.remove(current_user, passkey_id, actor_from_request())
    except NotAllowed:
        abort(404)
    except Refused as refusal:
        flash(refusal.message, "error")
        return redirect(url_for("two_factor.setup"))
    db.session.commit()
    flash("The passkey is removed.", "success")
    return redirect(url_for("two_factor.setup"))
