"""The notices blueprint: the member's preference page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.actor import actor_from_request
from app.extensions import db
from app.models import Letter, NoticeMode
from app.notices import preferences

bp = Blueprint("notices", __name__, template_folder="templates")


def _letters() -> list[Letter]:
    org_ids = [m.organization_id for m in current_user.memberships]
    return list(
        db.session.scalars(
            sa.select(Letter)
            .where(Letter.organization_id.in_(org_ids), Letter.archived_at.is_(None))
            .order_by(Letter.created_at.desc())
        )
    )


def _mode(value: str | None) -> NoticeMode | None:
    try:
        return NoticeMode(value) if value else None
    except ValueError:
        return None


@login_required
def preferences_page():
    letters = _letters()
    general, per_letter = preferences.choices(current_user.id)
    if request.method == "POST":
        chosen = _mode(request.form.get("all")) or general
        wanted = {letter: _mode(request.form.get(f"letter-{letter.id}")) for letter in letters}
        preferences.save(current_user, chosen, wanted, actor=actor_from_request())
        db.session.commit()
        flash("Your email preferences are saved.", "success")
        return redirect(url_for("notices.preferences"))
    return render_template(
        "notices/preferences.html",
        letters=letters,
        general=general,
        per_letter=per_letter,
        labels=preferences.LABELS,
        focus=request.args.get("letter", ""),
    )


bp.add_url_rule("/account/notices", "preferences", preferences_page, methods=["GET", "POST"])
