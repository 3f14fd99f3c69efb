"""`FinalLetter`: the one object every output of a letter is rendered from.

It is built once, from a frozen version and the approved signatures, by a pure function
(plain objects in, no queries). Web page, print HTML, PDF, DOCX, Markdown, text, CSV and
JSON all render this same object, so they cannot disagree. At finalization its `to_dict()`
is stored in a FinalLetterRecord and read back with `from_dict()`, so a final letter's
exports never change. The content hash is a SHA-256 over a canonical JSON of the public
content: anyone holding the JSON export can recompute it.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any

from app.letters.intro import fill_intro
from app.letters.markdown import render_body_cached
from app.letters.printing import date_line
from app.letters.text import LetterText
from app.models import Letter, LetterStatus, LetterVersion, Signature, SignatureStatus, SignerKind
from app.orgs.letterhead import logo_of
from app.publishing.blocks import Block, blocks_from_html
from app.publishing.ordering import find_lead, order_signatures

DRAFT, FINAL = "DRAFT", "FINAL"
FORMAT_ID = "undersigned.final-letter/1"
# Countries that print on US Letter; everyone else gets A4.
LETTER_PAPER_TERRITORIES = {"US", "CA", "MX", "PH", "CL", "CO", "VE", "PR", "GT", "CR", "PA"}
# Control characters and bidi embeddings/overrides/isolates: sign-on refuses them, and
# should one slip through, a name must not reorder the text around it or break a format.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# Keys kept out of the public dict (and the hash): internal row references.
_INTERNAL = ("ref", "unnamed_refs")
# Fields added after the first format, with the value that means "not used". The public dict
# (and so the hash) carries them only when used, so a letter frozen before they existed
# still hashes to the hash it was frozen with.
_OPTIONAL = {"letterhead_logo": "", "letterhead_lines": (), "signature_block": (),
             "fingerprint_on_pages": False}  # fmt: skip
# A list this long prints in two columns.
TWO_COLUMNS_FROM = 40


def clean_text(value: str | None) -> str:
    """NFC, one line, without control or bidi-override characters."""
    text = unicodedata.normalize("NFC", value or "")
    return " ".join(_UNSAFE.sub(" ", text).split())


@dataclass(frozen=True)
class ListedOrganization:
    number: int | None
    name: str  # as listed: "Organization (ACR)"
    organization: str
    acronym: str
    country: str
    signer: str
    title: str
    ref: int | None = None  # the Signature id: only for the lead's CSV, never public


@dataclass(frozen=True)
class ListedIndividual:
    name: str
    affiliation: str  # "for identification only"
    country: str
    ref: int | None = None


@dataclass(frozen=True)
class FinalLetter:
    title: str
    slug: str
    status: str  # DRAFT or FINAL
    version: int
    lead: str
    letterhead: tuple[str, ...]
    date_line: str
    date_note: str
    locale: str
    paper: str  # "A4" or "letter"
    recipients: tuple[tuple[str, ...], ...]
    salutation: str
    body_html: str
    body: tuple[Block, ...]
    closing: str
    numbered: bool
    organizations: tuple[ListedOrganization, ...]
    individuals: tuple[ListedIndividual, ...]
    unnamed_organizations: int
    unnamed_individuals: int
    intro: str
    unnamed_refs: tuple[int, ...] = ()
    letterhead_logo: str = ""  # a data: URI of the cleaned PNG or SVG (app/orgs/letterhead.py)
    letterhead_lines: tuple[str, ...] = ()  # the lead's address and contact lines
    signature_block: tuple[str, ...] = ()  # printed after the closing, before the list
    fingerprint_on_pages: bool = False  # the hash in every page's footer
    content_hash: str = field(default="")

    @property
    def is_draft(self) -> bool:
        return self.status != FINAL

    @property
    def organization_count(self) -> int:
        return len(self.organizations) + self.unnamed_organizations

    @property
    def count(self) -> int:
        """Every approved signature: organizations and individuals, named or not."""
        return self.organization_count + len(self.individuals) + self.unnamed_individuals

    @property
    def two_columns(self) -> bool:
        """Whether the printed list of organizations runs in two columns."""
        return len(self.organizations) >= TWO_COLUMNS_FROM

    @property
    def unnamed_line(self) -> str:
        """ "and 2 organizations that cannot be named for their safety", or ""."""
        return unnamed_phrase(self.unnamed_organizations, self.unnamed_individuals)

    def to_dict(self) -> dict[str, Any]:
        """Everything, for the frozen record; `from_dict` gives back an equal object.

        Built by hand rather than with `dataclasses.asdict`, which deep-copies every string:
        at 5,000 signatories that took most of a public page's time."""
        data = _shallow(self)
        data["letterhead"] = tuple(self.letterhead)
        data["recipients"] = tuple(tuple(lines) for lines in self.recipients)
        data["organizations"] = tuple(_shallow(o) for o in self.organizations)
        data["individuals"] = tuple(_shallow(i) for i in self.individuals)
        data["unnamed_refs"] = tuple(self.unnamed_refs)
        data["letterhead_lines"] = tuple(self.letterhead_lines)
        data["signature_block"] = tuple(self.signature_block)
        data["body"] = [b.to_dict() for b in self.body]
        data["format"] = FORMAT_ID
        return data

    def public_dict(self) -> dict[str, Any]:
        """The content without internal references: the JSON export, and what is hashed."""
        data = self.to_dict()
        for key in _INTERNAL:
            data.pop(key, None)
        for key, unused in _OPTIONAL.items():
            if data.get(key) == unused:
                data.pop(key)
        for entry in (*data["organizations"], *data["individuals"]):
            entry.pop("ref", None)
        data["count"] = self.count
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FinalLetter:
        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        values["letterhead"] = tuple(data["letterhead"])
        values["recipients"] = tuple(tuple(lines) for lines in data["recipients"])
        values["body"] = tuple(Block.from_dict(b) for b in data["body"])
        values["organizations"] = tuple(ListedOrganization(**o) for o in data["organizations"])
        values["individuals"] = tuple(ListedIndividual(**i) for i in data["individuals"])
        values["unnamed_refs"] = tuple(data.get("unnamed_refs", ()))
        values["letterhead_lines"] = tuple(data.get("letterhead_lines", ()))
        values["signature_block"] = tuple(data.get("signature_block", ()))
        return cls(**values)

    def computed_hash(self) -> str:
        payload = self.public_dict()
        payload.pop("content_hash", None)
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def with_hash(self) -> FinalLetter:
        return replace(self, content_hash=self.computed_hash())


def _shallow(item: Any) -> dict[str, Any]:
    return {f.name: getattr(item, f.name) for f in fields(item)}


def unnamed_phrase(organizations: int, individuals: int = 0) -> str:
    parts = []
    if organizations:
        parts.append(
            "1 organization that cannot be named for its safety"
            if organizations == 1
            else f"{organizations} organizations that cannot be named for their safety"
        )
    if individuals:
        parts.append(
            "1 individual who cannot be named for their safety"
            if individuals == 1
            else f"{individuals} individuals who cannot be named for their safety"
        )
    return ("and " + " and ".join(parts)) if parts else ""


def paper_for(locale: str) -> str:
    territory = locale.replace("-", "_").split("_")[-1].upper() if "_" in locale else ""
    return "letter" if territory in LETTER_PAPER_TERRITORIES else "A4"


def intro_text(template: str, lead: str, organizations: int, lead_signed: bool) -> str:
    others = max(organizations - (1 if lead_signed else 0), 0)
    filled = fill_intro(template, lead=lead, others=others, count=organizations)
    if filled is None:  # a template saved before only the three placeholders were allowed
        return f"{lead} and {others} organizations"
    return filled


def build_final_letter(
    letter: Letter,
    version: LetterVersion,
    signatures: Iterable[Signature],
    co_leads: Sequence[str],
    now: datetime,
    *,
    site_host: str | None = None,
    final: bool | None = None,
) -> FinalLetter:
    """The letter as it stands (or stood at finalization): pure, no database queries.

    `signatures` may include any status; only approved ones are listed. `co_leads` are the
    co-lead organizations' names for the letterhead. `final` defaults to the letter's
    status (an earlier version of a final letter is shown with final=False).
    """
    approved = [s for s in signatures if s.status is SignatureStatus.approved]
    lead = clean_text(letter.organization.name)
    orgs = [s for s in approved if s.kind is SignerKind.organization]
    people = [s for s in approved if s.kind is SignerKind.individual]
    lead_signed = find_lead(orgs, lead) is not None
    named_orgs = order_signatures(
        [s for s in orgs if s.listed_publicly],
        letter.signatory_order,
        lead_name=lead if letter.lead_first else None,
    )
    named_people = order_signatures(
        [s for s in people if s.listed_publicly], letter.signatory_order
    )
    text = LetterText.from_version(version)
    body = render_body_cached(text.body, site_host=site_host)
    line, note = date_line(letter, now)
    if final is None:
        final = letter.status is LetterStatus.final
    organizations = tuple(
        ListedOrganization(
            number=n if letter.numbered else None,
            name=clean_text(s.display_name),
            organization=clean_text(s.organization_name),
            acronym=clean_text(s.acronym),
            country=clean_text(s.country),
            signer=clean_text(s.signer_name),
            title=clean_text(s.signer_title),
            ref=s.id,
        )
        for n, s in enumerate(named_orgs, start=1)
    )
    individuals = tuple(
        ListedIndividual(
            name=clean_text(s.signer_name),
            affiliation=clean_text(s.affiliation),
            country=clean_text(s.country),
            ref=s.id,
        )
        for s in named_people
    )
    unnamed = sorted(s.id for s in approved if not s.listed_publicly)
    letterhead = (lead, *(clean_text(n) for n in co_leads)) if letter.show_co_leads else (lead,)
    organization = letter.organization
    logo = logo_of(organization)
    return FinalLetter(
        title=clean_text(letter.title),
        slug=letter.slug,
        status=FINAL if final else DRAFT,
        version=version.number,
        lead=lead,
        letterhead=letterhead,
        date_line=line,
        date_note="" if final else (note or ""),
        locale=letter.locale,
        paper=paper_for(letter.locale),
        recipients=tuple(tuple(clean_text(x) for x in r.lines()) for r in text.recipients),
        salutation=clean_text(text.salutation),
        body_html=str(body.html),
        body=blocks_from_html(str(body.html)),
        closing=clean_text(text.closing),
        numbered=letter.numbered,
        organizations=organizations,
        individuals=individuals,
        unnamed_organizations=sum(1 for s in orgs if not s.listed_publicly),
        unnamed_individuals=sum(1 for s in people if not s.listed_publicly),
        intro=clean_text(intro_text(letter.intro_template, lead, len(orgs), lead_signed)),
        unnamed_refs=tuple(unnamed),
        letterhead_logo=logo.data_uri() if logo else "",
        letterhead_lines=_lines(getattr(organization, "letterhead_lines", "")),
        signature_block=_lines(getattr(letter, "signature_block", "")),
        fingerprint_on_pages=bool(getattr(letter, "fingerprint_on_pages", False)),
    ).with_hash()


def _lines(text: str | None) -> tuple[str, ...]:
    return tuple(line for line in (clean_text(x) for x in (text or "").splitlines()) if line)
