"""Which letters the public may see, and through what."""

from __future__ import annotations

from flask import url_for
from werkzeug.routing import BuildError

from app.models import Letter, LetterStatus


def public_before_publication(letter: Letter) -> bool:
    """Whether strangers may learn of `letter` before it is published: only through its open
    sign link, once opened. An invitation-only letter is known only to those holding a
    personal link until it is published (its slug is easy to guess)."""
    return letter.open_link and letter.opened_at is not None


def listed_in_api(letter: Letter) -> bool:
    """The API and the count badge answer for published letters, and for letters past draft
    whose open sign link is on; anything else is a 404, as if it did not exist."""
    if letter.published:
        return True
    return letter.status is not LetterStatus.draft and public_before_publication(letter)


def sign_url(letter: Letter) -> str | None:
    """The open sign link, while sign-on is open through it and the signing feature is on."""
    if letter.status is not LetterStatus.open or not letter.open_link:
        return None
    try:
        return url_for("signing.sign_open", slug=letter.slug)
    except BuildError:  # the signing blueprint is not registered
        return None
