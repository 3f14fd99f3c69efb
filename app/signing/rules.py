"""What a sign-on may contain. The forms use these as validators and `operations.sign` checks
them again, so the CLI, the demo and the tests cannot store what a form would refuse.

Names are kept exactly as written (after Unicode NFC): "PA “Bir Duino-Kyrgyzstan”",
"StoptheDrugWar.org" and "FSI – Freedom Seekers International" are all fine. Refused are
what would turn a list of names into something else: spreadsheet formulas, links, and
invisible characters that reorder or hide text.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from app.text import unsafe_characters

# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@")
_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
# "javascript:…", "mailto:…": a scheme, but not "example.org:8080".
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*:(?!\d)", re.IGNORECASE)
_HOST = re.compile(
    r"^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?)+$"
)

LIMITS = {
    "organization_name": 300,
    "acronym": 40,
    "website": 300,
    "country": 100,
    "signer_name": 200,
    "signer_title": 200,
    "affiliation": 300,
    "email": 254,
    "note_to_lead": 2000,
}


def name_problem(value: str | None) -> str | None:
    """Why `value` cannot be a name on the letter, or None."""
    if not value:
        return None
    if unsafe_characters(value):
        return "Remove the invisible control characters from this name."
    if value.startswith(FORMULA_STARTS):
        return "A name cannot start with =, +, - or @ (spreadsheets would run it as a formula)."
    if _LINK.search(value):
        return "Write the name without a web address (put it in the Website field)."
    return None


def normalize_website(value: str | None) -> str:
    """ "example.org" → "https://example.org"; other schemes are left for `website_problem`."""
    value = (value or "").strip()
    if value and "://" not in value and not _SCHEME.match(value):
        value = "https://" + value
    return value


def website_problem(value: str | None) -> str | None:
    if not value:
        return None
    if unsafe_characters(value) or any(ch.isspace() for ch in value):
        return "A web address has no spaces or invisible characters."
    try:
        parts = urlsplit(normalize_website(value))
    except ValueError:  # e.g. an unclosed "[" reads as a broken IPv6 address
        return "This does not look like a web address; for example: example.org"
    if parts.scheme not in {"http", "https"}:
        return "Give a web address starting with http:// or https://, or just the domain."
    try:
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except UnicodeError:
        host = ""
    if not _HOST.match(host.lower()):
        return "This does not look like a web address; for example: example.org"
    return None


def length_problem(field: str, value: str | None) -> str | None:
    limit = LIMITS.get(field)
    if limit is not None and value and len(value) > limit:
        return f"Use at most {limit} characters."
    return None
