"""The demo's final letter, `demo-final`: finalized and published, with a hundred invented
organizations (two not named for their safety) and a few individual signatories.

Every name, place and official here is invented. Signatures are written as rows with their
full consent trail, then the letter goes through the real lifecycle (open, close, finalize,
publish), so the frozen record and the hash are made the way a real letter's are.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import sqlalchemy as sa

from app import workflow
from app.actor import Actor
from app.extensions import db
from app.letters import operations
from app.letters.lifecycle import Transition
from app.letters.text import Address, LetterText
from app.models import (
    ArrivedVia,
    ConsentKind,
    Letter,
    LetterVersion,
    Organization,
    OutboxMessage,
    Signature,
    SignatureStatus,
    SignerKind,
    User,
    utcnow,
)
from app.signing import consent
from app.signing import operations as signing
from app.tokens import new_token

DEMO_SLUG = "demo-final"

RECIPIENT = Address(
    honorific="The Honorable",
    name="Ana Lindqvist-Moreau",
    title="Commissioner for External Relations",
    department="Regional Council of the Selden Basin",
    street=("Rue des Archives 14",),
    locality="Port Selden 4410",
    country="Norland",
    delivery_to="commissioner.external@selden-basin.example.org",
    delivery_cc="cabinet.external@selden-basin.example.org",
)
BODY = """We are writing on behalf of community groups, unions and human rights organizations \
across the Selden Basin about the draft **Water Allocation Decree**, which the Council is \
due to adopt this autumn.

As drafted, the decree would hand long-term extraction rights over the upper Verra river to \
three bottling companies, while the villages downstream already ration drinking water for \
part of each summer. Families in the valley were not consulted, and the environmental \
assessment was published only in a language most of them do not read.

We ask the Council to:

1. suspend the adoption of the decree until a public consultation has been held in every \
affected district;
2. publish the full environmental assessment in the languages of the basin; and
3. guarantee, in the text of the decree, that household use comes before commercial \
extraction in times of drought.

The communities of the basin have shown for decades that they can share scarce water \
fairly. We urge you to let them take part in deciding its future. The \
[assessment summary](https://example.org/verra-assessment) prepared by local researchers \
sets out the figures."""

PREFIXES = (
    "Center for", "Alliance for", "Network for", "Institute for", "Foundation for",
    "Forum on", "Initiative for", "Council for", "Association for", "Friends of",
)  # fmt: skip
TOPICS = (
    "Clean Water", "Land Rights", "Rural Women", "Fair Elections", "Open Courts",
    "Migrant Workers", "Press Freedom", "River Communities", "Public Health",
)  # fmt: skip
COUNTRIES = ("Norland", "Estavia", "Kessaria", "Marrowland", "Ostrevia", "Tirane Coast")
CRAFTED = (
    ("The Ibis Trust", "", "Norland"),
    ("Égalité Maintenant", "EM", "Estavia"),
    ("Asociación Río Libre", "ARL", "Kessaria"),
    ("Асоціація вільних журналістів", "АВЖ", "Ostrevia"),
    ("جمعية مياه الوادي", "", "Marrowland"),
    ("TI Selden", "", "Norland"),
    ("Verra Valley Farmers' Union", "VVFU", "Norland"),
    ("FSI – Freshwater Stewards International", "FSI", "Estavia"),
    ("women4water", "", "Tirane Coast"),
)
SILENT = "Kessaria Wetlands Network"  # signed version 2, never confirmed version 3
FIRMER = "\n\nWe ask that the consultation begin within ninety days of this letter."
UNNAMED = ("Basin Defenders Collective", "Night Watch for the Verra")
INDIVIDUALS = (
    ("Dr. Mirela Costa", "University of Port Selden"),
    ("Jonas Ekwueme", "Hydrology Society of Estavia"),
    ("Sofía Ibarra", "Independent journalist"),
    ("Tomasz Wierzba", ""),
)


def _organizations(lead: str) -> list[tuple[str, str, str, bool]]:
    """(name, acronym, country, named publicly) for 100 organizations, the lead first."""
    found = [(lead, "", "Norland", True)]
    found += [(n, a, c, True) for n, a, c in CRAFTED]
    found += [(n, "", "Estavia", False) for n in UNNAMED]
    n = 0
    while len(found) < 100:
        prefix, topic = PREFIXES[n % len(PREFIXES)], TOPICS[(n // len(PREFIXES)) % len(TOPICS)]
        found.append((f"{prefix} {topic}", "", COUNTRIES[n % len(COUNTRIES)], True))
        n += 1
    return found


def _signature(letter: Letter, version, index: int, **values) -> Signature:  # noqa: ANN001
    signed = utcnow() - timedelta(days=20) + timedelta(minutes=37 * index)
    email = f"signer{index}@demo-signers.example.org"
    return Signature(
        letter_id=letter.id, status=SignatureStatus.approved, email=email,
        canonical_email=email, attested_authorized=True, via=ArrivedVia.open_link,
        version_id=version.id, version_number=version.number, created_at=signed,
        verified_at=signed + timedelta(minutes=4), approved_at=signed + timedelta(hours=3),
        manage_token_hash=new_token()[1], **values,
    )  # fmt: skip


def create_demo_final(organization: Organization, user: User) -> None:
    """Create `demo-final` once (running it again changes nothing). The caller commits."""
    if db.session.scalar(sa.select(Letter.id).where(Letter.slug == DEMO_SLUG)) is not None:
        return
    actor = Actor(user_id=user.id, label="demo")
    letter = operations.create_letter(
        organization=organization,
        title="Hold a public consultation on the Verra water decree",
        actor=actor,
        slug=DEMO_SLUG,
    )
    text = LetterText(
        recipients=(RECIPIENT,),
        salutation="Dear Commissioner Lindqvist-Moreau:",
        body=BODY,
        closing="Respectfully,",
    )
    version = operations.save_text(letter, base_number=1, text=text, actor=actor, note="Text")
    letter.time_zone = "Europe/Paris"
    letter.locale = "en_GB"
    letter.lead_first = True
    letter.individuals_allowed = True
    letter.open_link = True
    letter.intro_template = "{lead} and {others} organizations urge a public consultation …"
    assert version is not None
    # The campaign ran for three weeks: its first versions were saved before anyone signed
    # (a Core UPDATE of the demo's own rows; the ORM keeps versions immutable).
    db.session.execute(
        sa.update(LetterVersion)
        .where(LetterVersion.letter_id == letter.id)
        .values(created_at=utcnow() - timedelta(days=21))
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(version)
    workflow.open_letter(letter, actor=actor)  # the lead is listed, with its consent trail
    rows = [
        _signature(
            letter,
            version,
            i,
            kind=SignerKind.organization,
            organization_name=name,
            acronym=acronym,
            country=country,
            listed_publicly=named,
            signer_name=f"Signer {i + 1}",
            signer_title="Director",
        )  # fmt: skip
        for i, (name, acronym, country, named) in enumerate(_organizations(organization.name))
        if i  # the lead organization (first) signed when the letter opened
    ]
    rows += [
        _signature(
            letter,
            version,
            100 + i,
            kind=SignerKind.individual,
            signer_name=name,
            affiliation=affiliation,
            country="Norland",
        )  # fmt: skip
        for i, (name, affiliation) in enumerate(INDIVIDUALS)
    ]
    # One more organization, who never confirms the final text: left out of the final list.
    rows.append(
        _signature(
            letter,
            version,
            104,
            kind=SignerKind.organization,
            organization_name=SILENT,
            country="Kessaria",
            signer_name="Signer 105",
            signer_title="Coordinator",
        )  # fmt: skip
    )
    db.session.add_all(rows)
    db.session.flush()
    for row in rows:
        consent.record_event(row, ConsentKind.signed, version_number=version.number,
                             channel=consent.OPEN_LINK, at=row.created_at)  # fmt: skip
        consent.record_event(row, ConsentKind.confirmed_address, version_number=version.number,
                             channel=consent.EMAIL_LINK, at=row.verified_at)  # fmt: skip
    # A material change: everyone reconfirms but one (their histories keep both times).
    workflow.save_text(
        letter, base_number=version.number, text=replace(text, body=BODY + FIRMER),
        actor=actor, note="A deadline for the consultation", material=True,
    )  # fmt: skip
    latest = operations.latest_version(letter)
    for row in rows:
        if row.organization_name != SILENT:
            signing.reconfirm(row, version_number=latest.number, actor=actor)
    for step in (Transition.close, Transition.finalize, Transition.publish):
        workflow.move(letter, step, actor=actor, confirmed=True)
    # The invented signers have no inboxes: their "the letter is final" notices would only
    # bury the messages a person exploring the demo is looking for in the dev mailbox.
    db.session.execute(
        sa.delete(OutboxMessage).where(
            OutboxMessage.ref_type == "signatures",
            OutboxMessage.ref_id.in_(
                sa.select(Signature.id).where(Signature.letter_id == letter.id)
            ),
        )
    )
    db.session.flush()
