"""Which letters the public may see, and through what."""

from __future__ import annotations

from flask import url_for
from werkzeug.routing import BuildError

from app.models import Letter, LetterStatus


def listed_in_api(letter: Letter) -> bool:
    """The API and the count badge answer for letters past draft (open, closed, final) and
    for published ones; a draft is a 404, as if it did not exist."""
    return letter.published or letter.status is not LetterStatus.draft


def sign_url(letter: Letter) -> str | None:
    """The open sign link, while sign-on is open through it and the signing feature is on."""
    if letter.status is not LetterStatus.open or not letter.open_link:
        return None
    try:
        return url_for("signing.sign_open", slug=letter.slug)
    except BuildError:  # the signing blueprint is not registered
        return None
