"""The lead's CSV of sign-ons: contact and consent trail, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from app.letters.operations import latest_version
from app.models import Letter
from app.signing.queries import Row, lead_rows
from app.signing.rules import FORMULA_STARTS

COLUMNS = (
    "id", "status", "kind", "display_name", "organization_name", "acronym", "website",
    "country", "signer_name", "signer_title", "affiliation", "email", "listed_publicly",
    "note_to_lead", "attested_authorized", "via", "invited", "email_domain_matches_website",
    "webmail", "possible_duplicate_of", "version_signed", "current_version",
    "needs_reconfirmation", "signed_at", "verified_at", "approved_at", "rejected_at",
    "withdrawn_at", "ip", "user_agent",
)  # fmt: skip
# A cell starting with one of these is run as a formula by spreadsheets (as are tab and
# carriage return in some): such cells get a leading apostrophe.
_RISKY = (*FORMULA_STARTS, "\t", "\r")


def safe_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    text = str(value)
    return "'" + text if text.startswith(_RISKY) else text


def _record(row: Row, current: int) -> dict[str, object]:
    s, signals = row.signature, row.signals
    return {
        "id": s.id, "status": s.status.value, "kind": s.kind.value,
        "display_name": s.display_name, "organization_name": s.organization_name,
        "acronym": s.acronym, "website": s.website, "country": s.country,
        "signer_name": s.signer_name, "signer_title": s.signer_title,
        "affiliation": s.affiliation, "email": s.email, "listed_publicly": s.listed_publicly,
        "note_to_lead": s.note_to_lead, "attested_authorized": s.attested_authorized,
        "via": s.via.value, "invited": signals.invited,
        "email_domain_matches_website": signals.domain_matches, "webmail": signals.webmail,
        "possible_duplicate_of": signals.duplicate_of.id if signals.duplicate_of else None,
        "version_signed": s.version_number, "current_version": current,
        "needs_reconfirmation": row.needs_reconfirmation, "signed_at": s.created_at,
        "verified_at": s.verified_at, "approved_at": s.approved_at,
        "rejected_at": s.rejected_at, "withdrawn_at": s.withdrawn_at, "ip": s.ip,
        "user_agent": s.user_agent,
    }  # fmt: skip


def rows_as_csv(rows: Iterable[Row], current: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        record = _record(row, current)
        writer.writerow([safe_cell(record[c]) for c in COLUMNS])
    return out.getvalue()


def signatures_csv(letter: Letter) -> str:
    """Every sign-on of the letter, oldest first, with a byte-order mark so that spreadsheet
    programs read the names (accents, quotes, dashes) as UTF-8."""
    rows = list(reversed(lead_rows(letter)))
    return "\ufeff" + rows_as_csv(rows, latest_version(letter).number)
