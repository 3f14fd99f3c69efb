"""Numbers and search words from URLs and forms, read so that a value the database cannot hold
never reaches a query.

A hand-made request can carry "²" (which `str.isdigit()` accepts and `int()` refuses), a
number larger than any database integer (SQLite raises OverflowError, PostgreSQL "integer out
of range"), or a NUL character (PostgreSQL refuses it in any text parameter). Each of these
would be a 500; read through these helpers they are simply "no such thing".
"""

from __future__ import annotations

import unicodedata

from werkzeug.routing import IntegerConverter

# Ids, version numbers and page numbers are PostgreSQL `integer` columns (or fit in one).
DB_INT_MAX = 2**31 - 1
SEARCH_LIMIT = 200


def db_int(value: object) -> int:
    """`value` as a whole number from 0 to DB_INT_MAX, written in ASCII digits.

    Raises ValueError otherwise, which Werkzeug's `type=` reads as "not given" and WTForms'
    `coerce=` as an invalid choice.
    """
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int):
        number = value
    else:
        text = str(value)
        if not (text.isascii() and text.isdigit()) or len(text) > len(str(DB_INT_MAX)):
            raise ValueError("not a number")
        number = int(text)
    if not 0 <= number <= DB_INT_MAX:
        raise ValueError("out of range")
    return number


def search_words(value: str | None, limit: int = SEARCH_LIMIT) -> str:
    """What to search for: trimmed, at most `limit` characters, without control characters
    (no saved text contains them, and PostgreSQL refuses a NUL in a query)."""
    text = "".join(ch for ch in (value or "") if unicodedata.category(ch) != "Cc")
    return text.strip()[:limit]


LIKE_ESCAPE = "\\"


def like_literal(text: str) -> str:
    """`text` for a LIKE pattern, its `%`, `_` and escape character taken as themselves (use
    with `escape=LIKE_ESCAPE`): a search for "_" must not match everything."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains_pattern(words: str) -> str:
    """A LIKE pattern matching `words` anywhere (see like_literal)."""
    return f"%{like_literal(words)}%"


class DatabaseIntConverter(IntegerConverter):
    """The `<int:…>` of every URL: ASCII digits up to DB_INT_MAX, so a longer number is a
    404 like any unknown id (Werkzeug's own accepts any Unicode digit and any size)."""

    regex = r"[0-9]+"

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002, ANN001 - Werkzeug's signature
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)
