"""The lead's exports: every format of the letter, and a page that lists them."""

from __future__ import annotations

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app.letters.permissions import Access, load_letter
from app.publishing import exports
from app.publishing.store import all_signatures, load_final_letter
from app.publishing.views.common import send_export
from app.urls import external_url


def export(slug: str, fmt: str) -> ResponseReturnValue:
    """`/letters/<slug>/export.<fmt>`; `?lead=1` on the CSV adds contact and consent columns.

    Anyone who may see the letter gets the public formats; the contact columns need the
    lead. Everyone else is told the letter does not exist (404), drafts included.
    """
    if exports.export_format(fmt) is None:
        abort(404)
    lead = request.args.get("lead") == "1"
    if lead and fmt != "csv":
        abort(404)
    letter, _ = load_letter(slug, current_user, Access.lead if lead else Access.view)
    fl = load_final_letter(letter)
    return send_export(letter, fl, fmt, contacts=all_signatures(letter) if lead else None)


@login_required
def index(slug: str) -> ResponseReturnValue:
    letter, level = load_letter(slug, current_user)
    fl = load_final_letter(letter)
    return render_template(
        "publishing/exports.html",
        letter=letter,
        fl=fl,
        level=level,
        formats=exports.FORMATS,
        slow={fmt: exports.is_slow(fl, fmt) for fmt in exports.FORMATS},
        public_url=external_url("publishing.public_letter", slug=letter.slug),
        count_url=external_url("publishing.count_svg", slug=letter.slug),
    )
