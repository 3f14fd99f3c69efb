"""The signatories as CSV.

The public CSV has the list as printed. The lead's CSV adds, per signatory, the contact and
consent trail (email, when it was verified, the version signed, how it arrived, the
authorization attestation) and the signatories not named publicly, who have no number.

Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return) as a
formula; every such cell gets a leading apostrophe, so `=HYPERLINK(…)` is only text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from app.publishing.final_letter import FinalLetter

# One rule for every spreadsheet we write: a cell a spreadsheet would run as a formula gets
# a leading apostrophe.
from app.signing import consent
from app.signing.export import safe_cell

PUBLIC_COLUMNS = (
    "number", "organization", "acronym", "country", "signer", "title", "type", "affiliation",
    "status",
)  # fmt: skip
CONTACT_COLUMNS = (
    "listed_publicly", "email", "verified_at", "version_signed", "via", "attested",
    "signed_at", "confirmed_at", "reconfirmed_at", "consent_history",
)  # fmt: skip


def _contact(signature: Any, events: Mapping[int, list] | None = None) -> dict[str, Any]:
    if signature is None:
        return {}
    history = consent.summary((events or {}).get(signature.id, []))
    return history | {
        "listed_publicly": signature.listed_publicly,
        "email": signature.email,
        "verified_at": signature.verified_at,
        "version_signed": signature.version_number,
        "via": getattr(signature.via, "value", signature.via),
        "attested": signature.attested_authorized,
    }


def csv_rows(
    fl: FinalLetter,
    contacts: Mapping[int, Any] | None = None,
    events: Mapping[int, list] | None = None,
) -> list[dict[str, Any]]:
    """The rows, as dictionaries: with `contacts` (signature id → Signature), the lead's,
    with each one's consent history from `events` (signature id → ConsentEvents)."""
    status = fl.status
    rows: list[dict[str, Any]] = []
    for o in fl.organizations:
        row = {
            "number": o.number, "organization": o.organization, "acronym": o.acronym,
            "country": o.country, "signer": o.signer, "title": o.title,
            "type": "organization", "affiliation": "", "status": status,
        }  # fmt: skip
        if contacts is not None:
            row |= _contact(contacts.get(o.ref), events) if o.ref is not None else {}
        rows.append(row)
    for p in fl.individuals:
        row = {
            "number": None, "organization": "", "acronym": "", "country": p.country,
            "signer": p.name, "title": "", "type": "individual", "affiliation": p.affiliation,
            "status": status,
        }  # fmt: skip
        if contacts is not None:
            row |= _contact(contacts.get(p.ref), events) if p.ref is not None else {}
        rows.append(row)
    if contacts is not None:  # the lead sees who is counted but not named
        for ref in fl.unnamed_refs:
            s = contacts.get(ref)
            if s is None:
                continue
            individual = getattr(s.kind, "value", s.kind) == "individual"
            rows.append(
                {
                    "number": None,
                    "organization": "" if individual else s.organization_name,
                    "acronym": "" if individual else s.acronym,
                    "country": s.country,
                    "signer": s.signer_name,
                    "title": "" if individual else s.signer_title,
                    "type": "individual" if individual else "organization",
                    "affiliation": s.affiliation if individual else "",
                    "status": status,
                }  # fmt: skip
                | _contact(s, events)
            )
    return rows


def render_csv(fl: FinalLetter, contacts: Mapping[int, Any] | None = None) -> str:
    """CSV text; the lead's version when `contacts` is given."""
    columns = PUBLIC_COLUMNS + (CONTACT_COLUMNS if contacts is not None else ())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    events = consent.histories(contacts) if contacts else None  # one query for all
    for row in csv_rows(fl, contacts, events):
        writer.writerow([safe_cell(row.get(c)) for c in columns])
    return out.getvalue()
