"""Issue 13 in the demo: the lead listed on demo-open and demo-final, a signatory who
reconfirmed (both times in its history), and one who did not (left out of demo-final)."""

from __future__ import annotations

import sqlalchemy as sa

from app.demo import create_demo
from app.extensions import db
from app.letters.demo import create_demo_letters
from app.models import ConsentEvent, ConsentKind, Letter, LetterVersion, Signature
from app.publishing.demo import SILENT, create_demo_final
from app.publishing.store import load_final_letter
from app.signing import consent
from app.signing.demo import create_demo_signing
from app.signing.organization import lead_signature
from app.signing.reconfirmation import unconfirmed_signatures


def test_the_demo_shows_the_lead_reconfirmation_and_who_did_not(app_ctx, client):
    user, organization = create_demo()
    create_demo_letters(organization, user)
    create_demo_signing(organization, user)
    create_demo_final(organization, user)
    db.session.commit()
    letters = {x.slug: x for x in db.session.scalars(sa.select(Letter))}
    for slug in ("demo-open", "demo-final"):
        lead = lead_signature(letters[slug])
        assert lead is not None and lead.organization_name == organization.name, slug
        assert consent.history(lead)[0].kind is ConsentKind.lead_organization
    assert organization.name in [
        o.name for o in load_final_letter(letters["demo-open"]).organizations
    ]

    riverbank = db.session.scalar(sa.select(Signature).where(Signature.acronym == "RLAN"))
    kinds = [e.kind for e in consent.history(riverbank)]
    assert kinds[0] is ConsentKind.signed and ConsentKind.reconfirmed in kinds
    assert len(unconfirmed_signatures(letters["demo-open"])) >= 1

    final = load_final_letter(letters["demo-final"])
    names = [o.name for o in final.organizations]
    assert names[0] == organization.name and SILENT not in names
    silent = db.session.scalar(sa.select(Signature).where(Signature.organization_name == SILENT))
    assert silent.version_number < letters["demo-final"].final_version_number
    assert [e.kind for e in consent.history(silent)] == [
        ConsentKind.signed,
        ConsentKind.confirmed_address,
    ]
    # No event anywhere in the demo refers to a version saved after it.
    rows = db.session.execute(
        sa.select(ConsentEvent.at, LetterVersion.created_at)
        .join(Signature, Signature.id == ConsentEvent.signature_id)
        .join(
            LetterVersion,
            (LetterVersion.letter_id == Signature.letter_id)
            & (LetterVersion.number == ConsentEvent.version_number),
        )
    ).all()
    assert rows and all(saved <= at for at, saved in rows)
