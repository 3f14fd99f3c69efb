"""The share panel's downloads: the QR code of the open sign link as PNG and SVG."""

from __future__ import annotations

from flask import Response, abort
from flask_login import current_user, login_required

from app.letters.permissions import Access, load_letter
from app.publishing.share import qr_file, share_links

_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


@login_required
def qr_code(slug: str, kind: str) -> Response:
    letter, _ = load_letter(slug, current_user, Access.lead)
    share = share_links(letter)
    if share is None or kind not in _TYPES:
        abort(404)
    response = Response(qr_file(share.sign_url, kind), mimetype=_TYPES[kind])
    filename = f"{letter.slug}-sign-qr.{kind}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
