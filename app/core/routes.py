from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from app.extensions import db

bp = Blueprint("core", __name__, template_folder="templates")


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("letters.dashboard"))
    return render_template("core/index.html")


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
