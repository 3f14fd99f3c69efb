"""Readable letter addresses: /letters/<slug> for staff, /l/<slug> for the public."""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa

from app.core.params import LIKE_ESCAPE, like_literal
from app.extensions import db
from app.models import Letter

# Words that are routes under /letters/ and so can never be a letter's address.
RESERVED = frozenset({"new", "join", "book", "recipients", "static"})
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_LENGTH = 80


def slugify(title: str, limit: int = 60) -> str:
    """ "Étude: Freeze the Assets!" → "etude-freeze-the-assets"."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0] or slug[:limit]
    if not slug or slug in RESERVED:
        slug = f"letter-{slug}" if slug else "letter"
    return slug


def unique_slug(title: str) -> str:
    """A slug for `title` that no letter has yet (base, base-2, base-3, …)."""
    base = slugify(title)
    taken = set(
        db.session.scalars(
            sa.select(Letter.slug).where(
                sa.or_(
                    Letter.slug == base,
                    Letter.slug.like(like_literal(base) + "-%", escape=LIKE_ESCAPE),
                )
            )
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def letter_at(slug: str) -> Letter | None:
    """The letter whose address is `slug`. Text that cannot be an address (a NUL, which
    PostgreSQL refuses in a query, or any other character) finds none without a query."""
    if len(slug) > MAX_LENGTH or not SLUG_RE.fullmatch(slug):
        return None
    return db.session.scalar(sa.select(Letter).where(Letter.slug == slug))


def slug_problem(slug: str, *, letter_id: int | None = None) -> str | None:
    """Why `slug` cannot be used for the letter `letter_id`, or None when it can."""
    if not SLUG_RE.match(slug) or len(slug) > MAX_LENGTH:
        return (
            "Use lower-case letters, digits and single hyphens "
            f"(at most {MAX_LENGTH} characters), e.g. free-the-journalists."
        )
    if slug in RESERVED:
        return f"“{slug}” is reserved; please choose another address."
    owner = db.session.scalar(sa.select(Letter.id).where(Letter.slug == slug))
    if owner is not None and owner != letter_id:
        return "Another letter already uses this address."
    return None
