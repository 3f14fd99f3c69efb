"""Builders for the publishing tests: letters with approved signatures, final and published,
and FinalLetters made from plain objects without a database."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from app import workflow
from app.extensions import db
from app.letters import operations
from app.letters.lifecycle import Transition
from app.letters.text import LetterText
from app.models import (
    ArrivedVia,
    DateMode,
    Letter,
    LetterStatus,
    LetterVersion,
    Organization,
    SignatoryOrder,
    Signature,
    SignatureStatus,
    SignerKind,
)
from app.publishing.final_letter import FinalLetter, build_final_letter
from app.tokens import new_token
from tests.letters_support import MINISTRY, actor_for, make_letter

_seq = itertools.count(1)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# Names that trip naive sorting: case, accents, a leading "The", punctuation, "TI" vs "The".
TRICKY = (
    "TI Madagascar",
    "the Tahrir Institute",
    "FSI – Freedom Seekers International",
    "Friends of Angola",
    "freedom House",
    "Égalité",
    "Egalite Now",
    "Zeta Collective",
    "Äpfel für Alle",
    "Access Center for Human Rights",
    "ACCESS Now",
)
# Their alphabetical (UCA, case-insensitive) order.
TRICKY_ORDER = (
    "Access Center for Human Rights",
    "ACCESS Now",
    "Äpfel für Alle",
    "Égalité",
    "Egalite Now",
    "freedom House",
    "Friends of Angola",
    "FSI – Freedom Seekers International",
    "the Tahrir Institute",
    "TI Madagascar",
    "Zeta Collective",
)
HOSTILE = (
    "<script>alert('x')</script> Watch",
    "<img src=file:///etc/passwd> Group",
    "http://169.254.169.254/latest/meta-data/",
    '=HYPERLINK("http://evil.example/","Click")',
    "+SUM(A1:A9) Union",
    "@cmd Alliance",
    "Right\u202eto\u202c Left Override",
    "[Click](javascript:alert(1)) Forum",
)
BODY = (
    "## Our request\n\nWe ask the **ministry** to act *now*; see "
    "[the report](https://example.org/report).\n\n1. release them\n2. drop the charges\n"
)


def add_signature(
    letter: Letter,
    name: str,
    *,
    kind: SignerKind = SignerKind.organization,
    status: SignatureStatus = SignatureStatus.approved,
    acronym: str = "",
    country: str = "Norland",
    listed_publicly: bool = True,
    affiliation: str = "",
    at: datetime | None = None,
    email: str | None = None,
    manual_position: int | None = None,
    commit: bool = True,
) -> Signature:
    n = next(_seq)
    version = operations.latest_version(letter)
    when = at or T0 + timedelta(minutes=n)
    address = email or f"signer{n}@partners.example.org"
    individual = kind is SignerKind.individual
    signature = Signature(
        letter_id=letter.id, kind=kind, status=status,
        organization_name="" if individual else name, acronym=acronym, country=country,
        signer_name=name if individual else f"Signer {n}", signer_title="" if individual else "Director",
        affiliation=affiliation, listed_publicly=listed_publicly, email=address,
        canonical_email=address, attested_authorized=True, via=ArrivedVia.open_link,
        version_id=version.id, version_number=version.number, created_at=when,
        verified_at=when + timedelta(minutes=2),
        approved_at=when + timedelta(hours=1) if status is SignatureStatus.approved else None,
        manage_token_hash=new_token()[1], manual_position=manual_position,
    )  # fmt: skip
    db.session.add(signature)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return signature


def letter_with(
    user,  # noqa: ANN001 - a User
    names: Iterable[str],
    *,
    status: str = "open",
    body: str = BODY,
    numbered: bool = True,
    order: SignatoryOrder = SignatoryOrder.alphabetical,
    lead_first: bool = False,
    title: str = "Free the river guides",
    unnamed: Sequence[str] = (),
    individuals: Sequence[tuple[str, str]] = (),
) -> Letter:
    """An open letter with approved signatures, then moved on to `status` (closed, final,
    published = final and published)."""
    text = LetterText(
        recipients=(MINISTRY,), salutation="Dear Minister Varga:", body=body, closing="Sincerely,"
    )
    letter = make_letter(user, title=title, text=text, status="open")
    letter.numbered, letter.signatory_order, letter.lead_first = numbered, order, lead_first
    letter.date_mode = DateMode.on_finalize
    for name in names:
        add_signature(letter, name, commit=False)
    for name in unnamed:
        add_signature(letter, name, listed_publicly=False, commit=False)
    for name, affiliation in individuals:
        add_signature(
            letter, name, kind=SignerKind.individual, affiliation=affiliation, commit=False
        )
    db.session.commit()
    return advance(letter, user, status)


def advance(letter: Letter, user, status: str) -> Letter:  # noqa: ANN001
    steps = {
        "open": [],
        "closed": [Transition.close],
        "final": [Transition.close, Transition.finalize],
        "published": [Transition.close, Transition.finalize, Transition.publish],
        "published-open": [Transition.publish],
    }[status]
    for step in steps:
        workflow.move(letter, step, actor=actor_for(user), confirmed=True)
    db.session.commit()
    return letter


def plain_final_letter(
    names: Sequence[str],
    *,
    status: LetterStatus = LetterStatus.closed,
    numbered: bool = True,
    order: SignatoryOrder = SignatoryOrder.alphabetical,
    lead: str = "Coalition for Open Budgets",
    lead_first: bool = False,
    body: str = BODY,
    unnamed: int = 0,
    individuals: Sequence[tuple[str, str]] = (),
    now: datetime = T0,
) -> FinalLetter:
    """A FinalLetter built from unsaved objects: no database, no app context needed."""
    org = Organization(id=1, name=lead)
    letter = Letter(
        id=1, slug="plain-letter", title="A plain letter", organization=org, status=status,
        numbered=numbered, signatory_order=order, lead_first=lead_first, locale="en_US",
        time_zone="UTC", date_mode=DateMode.on_finalize, show_co_leads=True,
        intro_template="{lead} and {others} organizations urge …",
        final_version_number=3 if status is LetterStatus.final else None,
        letter_date=now.date() if status is LetterStatus.final else None,
    )  # fmt: skip
    version = LetterVersion(
        id=1, number=3, recipients=[MINISTRY.to_dict()], salutation="Dear Minister Varga:",
        body=body, closing="Sincerely,",
    )  # fmt: skip
    rows = []
    specs = [(n, SignerKind.organization, True, "") for n in names]
    specs += [(f"Hidden {i}", SignerKind.organization, False, "") for i in range(unnamed)]
    specs += [(n, SignerKind.individual, True, a) for n, a in individuals]
    for i, (name, kind, listed, affiliation) in enumerate(specs, start=1):
        individual = kind is SignerKind.individual
        rows.append(
            Signature(
                id=i,
                kind=kind,
                status=SignatureStatus.approved,
                organization_name="" if individual else name,
                acronym="",
                country="Norland",
                signer_name=name if individual else f"Signer {i}",
                signer_title="",
                affiliation=affiliation,
                listed_publicly=listed,
                manual_position=None,
                created_at=now + timedelta(minutes=i),
                approved_at=now + timedelta(minutes=i),
            )  # fmt: skip
        )
    return build_final_letter(letter, version, rows, [], now, site_host="testserver.localhost")
