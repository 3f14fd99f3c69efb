"""Reading invitees from pasted lines or a CSV file, with every problem tied to its line.

Parsing is pure: no database. Checks against the letter ("already invited", "already
signed") are made in one query each by `preview.build_preview`, never per row.

Pasted lines may be any of:
    Friends of the Delta <maria@delta.example.org>
    Maria Ostrova <maria@delta.example.org>      (a person's name is read as the contact)
    Friends of the Delta, Maria Ostrova <maria@delta.example.org>
    maria@delta.example.org
    Friends of the Delta, Maria Ostrova, maria@delta.example.org
    (the same columns separated by semicolons, or by tabs as copied from a spreadsheet)
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

# One canonical form for the whole site: the signing pages judge duplicates by it, and
# "already signed" here compares against what they stored.
from app.signing.identity import canonical_email
from app.text import unsafe_characters

__all__ = [
    "Parsed",
    "Row",
    "canonical_email",
    "check_rows",
    "name_key",
    "parse_csv",
    "parse_pasted",
]

MAX_ROWS = 10_000
MAX_ORGANIZATION = 300
MAX_CONTACT = 200
# Longer than any organization, contact and address together: not one invitee (and Python's
# csv module refuses a field above 128 kB, which would otherwise stop the whole paste).
MAX_LINE = 2_000
# What a page may echo of a cell it could not use: enough to recognize it, never the 8 MB
# one-line "CSV" back as a 36 MB page.
SHOWN = 80
SHOWN_HEADERS = 10
# Spreadsheets run a cell that starts with one of these as a formula when the list is
# exported again, so such names are refused rather than stored.
FORMULA_START = ("=", "+", "-", "@")

COLUMN_NAMES = {
    "email": {"email", "e-mail", "email address", "e-mail address", "mail", "contact email"},
    "organization": {
        "organization", "organisation", "organization name", "organisation name", "org",
        "group", "company",
    },
    "contact": {"contact", "contact name", "name", "full name", "person", "signer"},
    "first": {"first name", "given name", "first"},
    "last": {"last name", "family name", "surname", "last"},
}  # fmt: skip
_ANGLE = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^<>]*)>\s*$")


@dataclass
class Row:
    """One invitee as read, with its line number and what is wrong with it (if anything)."""

    line: int
    organization: str
    contact: str
    email: str
    canonical: str = ""
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    # A problem with the whole input (no email column, not UTF-8): nothing can be imported.
    error: str | None = None


def name_key(name: str) -> str:
    """An organization name folded for comparison: NFC, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def parse_pasted(text: str) -> Parsed:
    rows = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        rows.append(_pasted_row(number, line))
        if len(rows) > MAX_ROWS:
            return Parsed(error=f"Paste at most {MAX_ROWS:,} lines at a time.")
    return check_rows(rows)


def _pasted_row(number: int, line: str) -> Row:
    if len(line) > MAX_LINE:
        problem = f"The line is longer than {MAX_LINE:,} characters, so it is not one invitee."
        return Row(number, "", "", "", problem=problem)
    match = _ANGLE.match(line)
    if match:
        names = [n for n in (_clean(f.strip("\"' ")) for f in _fields(match["name"])) if n]
        email = match["email"].strip()
        if len(names) > 1:
            return Row(number, names[0], ", ".join(names[1:]), email)
        if names and looks_like_person(names[0]):
            return Row(number, "", names[0], email)
        return Row(number, names[0] if names else "", "", email)
    fields = [f.strip() for f in _fields(line)]
    if len(fields) == 1:
        return Row(number, "", "", fields[0])
    # The address is the last field with an "@"; the others are names, organization first.
    at = max((i for i, f in enumerate(fields) if "@" in f), default=len(fields) - 1)
    names = [f for i, f in enumerate(fields) if i != at and f]
    organization = _clean(names[0]) if names else ""
    contact = _clean(", ".join(names[1:])) if len(names) > 1 else ""
    return Row(number, organization, contact, fields[at])


def _fields(line: str) -> list[str]:
    """A pasted line's columns: tabs (a spreadsheet), else semicolons when there are any
    outside quotes (commas are common in names), else commas; quotes as in CSV."""
    if not line.strip():
        return []
    if "\t" in line:
        return line.split("\t")
    delimiter = ";" if _unquoted_count(line, ";") else ","
    return next(csv.reader([line], delimiter=delimiter, skipinitialspace=True), [""])


# Words that make a name an organization's ("Friends of the Delta", "Harbour Trust").
_ORGANIZATION_WORDS = frozenset(
    """
    academy accountability action advocates affairs agency aid alliance and assembly
    association budget budgets bureau campaign care center centre children church citizens
    climate clinic club co coalition collective college committee communities community
    company council defenders democracy development earth education energy environment
    farmers federation for forest forum foundation freedom friends fund global green group
    health house hub human inc initiative institute integrity international justice lab
    labs land law lawyers league legal llc ltd media monitor movement national network
    news ngo observatory of office open org organisation organization partners partnership
    peace people platform policy press project radio relief research rights river school
    service services society solidarity studies support team the transparency trust union
    united university voice voices watch water women workers youth
    """.split()
)


def looks_like_person(name: str) -> bool:
    """Two to four capitalized words, none of them an organization's word, no digits or
    ampersand: "Maria Ostrova", "Ostrova, Maria", "Jean-Luc de la Tour"."""
    if any(ch.isdigit() for ch in name) or "&" in name:
        return False
    words = name.replace(",", " ").split()
    if not 2 <= len(words) <= 4:
        return False
    if any(w.casefold().strip(".") in _ORGANIZATION_WORDS for w in words):
        return False
    if any(w.isupper() and len(w) > 1 for w in words):  # an acronym: "ACLU Texas"
        return False
    return words[0][0].isupper() and words[-1][0].isupper()


def parse_csv(data: bytes) -> Parsed:
    """A CSV with a header row, as Excel and other spreadsheets save it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Parsed(
            error="The file is not UTF-8 text. In Excel choose “Save As… CSV UTF-8 "
            "(Comma delimited)”; in other programs choose the UTF-8 encoding."
        )
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_dialect(text))
    try:
        return _read_csv(reader)
    except csv.Error as exc:
        if "field limit" in str(exc):
            why = (
                f"a cell is longer than {csv.field_size_limit():,} characters, far more than "
                "any name or address. Is this the list of invitees, saved as CSV?"
            )
        else:
            why = f"{exc}."
        return Parsed(error=f"Line {reader.line_num:,} of the file cannot be read: {why}")


def _read_csv(reader) -> Parsed:  # noqa: ANN001 - a csv reader
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        return Parsed(error="The file is empty: it needs a header row and one row per invitee.")
    columns = _columns(header)
    if "email" not in columns:
        names = [h.strip() for h in header if h.strip()]
        found = ", ".join(f"“{shown(h)}”" for h in names[:SHOWN_HEADERS]) or "nothing"
        if len(names) > SHOWN_HEADERS:
            found += f" and {len(names) - SHOWN_HEADERS:,} more"
        return Parsed(
            error="The file has no email column. Its first row must name the columns, one "
            f"of them “Email” (the first row has {found})."
        )
    rows, end = [], reader.line_num
    for cells in reader:
        start, end = end + 1, reader.line_num  # a quoted cell may span lines
        if not any(c.strip() for c in cells):
            continue
        rows.append(_csv_row(start, cells, columns))
        if len(rows) > MAX_ROWS:
            return Parsed(error=f"Upload at most {MAX_ROWS:,} rows at a time.")
    return check_rows(rows)


def _dialect(text: str) -> type[csv.Dialect]:
    """Comma, semicolon (Excel in many European locales) or tab, judged by the header."""
    header = text.split("\n", 1)[0]
    counts = {d: _unquoted_count(header, d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","

    class Dialect(csv.excel):
        pass

    Dialect.delimiter = delimiter
    return Dialect


def _unquoted_count(line: str, char: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == char and not quoted:
            count += 1
    return count


def _columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = " ".join(cell.strip().lower().replace("_", " ").split())
        for key, names in COLUMN_NAMES.items():
            if name in names and key not in columns:
                columns[key] = index
    return columns


def _csv_row(line: int, cells: list[str], columns: dict[str, int]) -> Row:
    def cell(key: str) -> str:
        index = columns.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    contact = cell("contact") or " ".join(p for p in (cell("first"), cell("last")) if p)
    return Row(line, _clean(cell("organization")), _clean(contact), cell("email"))


def _clean(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


def shown(text: str, limit: int = SHOWN) -> str:
    """`text` cut to `limit` characters for a message or a table of problems."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_rows(rows: list[Row]) -> Parsed:
    """Judge each row on its own and against the rows above it (duplicates in the input)."""
    first_line: dict[str, int] = {}
    for row in rows:
        row.problem = row.problem or _row_problem(row)
        if row.problem:
            # Skipped rows are only shown, never imported: show no more than can be read.
            row.organization, row.contact = shown(row.organization), shown(row.contact)
            row.email = shown(row.email)
            continue
        row.canonical = canonical_email(row.email)
        earlier = first_line.setdefault(row.canonical, row.line)
        if earlier != row.line:
            row.problem = f"Duplicate: the same address as line {earlier}."
    return Parsed(rows=rows)


def _row_problem(row: Row) -> str | None:
    if not row.email:
        return "No email address."
    try:
        row.email = validate_email(row.email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        return f"Bad address “{shown(row.email)}”: {shown(str(exc), 200)}"
    for label, value, limit in (
        ("organization name", row.organization, MAX_ORGANIZATION),
        ("contact name", row.contact, MAX_CONTACT),
    ):
        if len(value) > limit:
            return f"The {label} is longer than {limit} characters."
        if unsafe_characters(value):
            return f"The {label} contains invisible control characters."
        if value.startswith(FORMULA_START):
            return f"The {label} starts with “{value[0]}”, which spreadsheets run as a formula."
    return None
