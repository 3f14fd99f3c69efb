"""Sending an export: at once when it is quick, through a background job when it is not."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from flask import Response, current_app, render_template
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import ExportStatus, Letter
from app.publishing import exports, jobs
from app.publishing.final_letter import FinalLetter
from app.publishing.render_html import style_csp_source

CACHED_FORMATS = ("pdf", "docx")


def file_response(
    fl: FinalLetter, fmt: str, content: bytes, *, lead: bool = False, public: bool = False
) -> Response:
    kind = exports.export_format(fmt)
    assert kind is not None
    response = Response(content, mimetype=kind.mimetype)
    name = exports.filename(fl, fmt, lead=lead)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{name.encode("ascii", "replace").decode()}"; '
        f"filename*=UTF-8''{quote(name)}"
    )
    response.headers["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    response.headers["X-Content-Hash"] = fl.content_hash
    if fmt == "html":
        # Opened in a browser straight from here, the document may use only its own
        # embedded stylesheet: no script, no other source.
        response.headers["Content-Security-Policy"] = (
            f"default-src 'none'; style-src {style_csp_source(fl)}; img-src 'self' data:; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        )
    return response


def send_export(
    letter: Letter,
    fl: FinalLetter,
    fmt: str,
    *,
    contacts: Mapping[int, Any] | None = None,
    public: bool = False,
) -> Response | tuple[str, int]:
    """The file, or (for a large letter not rendered yet) a page that follows its progress.

    A PDF or DOCX is rendered once per content hash, live letters included: asked again,
    the stored file is sent; a large one is queued for `flask jobs work`, never rendered
    here, and never queued twice."""
    lead = contacts is not None
    if fmt in CACHED_FORMATS:
        job = jobs.find_job(letter, fmt, fl.content_hash)
        if job is not None and job.status is ExportStatus.done and job.content is not None:
            return file_response(fl, fmt, job.content, public=public)
        if exports.is_slow(fl, fmt):
            user_id = current_user.id if current_user.is_authenticated else None
            job = job or jobs.request_job(letter, fl, fmt, user_id)
            jobs.launch(job)
            if job.status is ExportStatus.done and job.content is not None:
                return file_response(fl, fmt, job.content, public=public)
            page = render_template("publishing/preparing.html", job=job, fl=fl, fmt=fmt)
            return page, 202
    content = exports.render(fl, fmt, contacts=contacts, base_url=current_app.config["BASE_URL"])
    if fmt in CACHED_FORMATS:
        jobs.store_result(letter, fl, fmt, content)
        try:
            db.session.commit()
        except IntegrityError:  # another request cached the same file meanwhile
            db.session.rollback()
    return file_response(fl, fmt, content, lead=lead, public=public)
