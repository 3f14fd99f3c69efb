"""The demo's open letter: sign-ons in every state, built once."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from app.demo import create_demo
from app.extensions import db
from app.letters.demo import create_demo_letters
from app.models import Letter, OutboxMessage, Signature, SignatureStatus
from app.signing import queries
from app.signing.demo import DEMO_SLUG, create_demo_signing
from app.signing.reconfirmation import unconfirmed_signatures


def test_demo_open_has_every_state_and_runs_twice(app_ctx):
    for _ in range(2):
        user, organization = create_demo()
        create_demo_letters(organization, user)
        create_demo_signing(organization, user)
        db.session.commit()
    letter = db.session.scalar(sa.select(Letter).where(Letter.slug == DEMO_SLUG))
    assert (letter.status.value, letter.open_link, letter.moderation) == ("open", True, False)
    signatures = db.session.scalars(sa.select(Signature).where(Signature.letter_id == letter.id))
    states = Counter(s.status for s in signatures)
    # Moderation is off, so nothing waits for the lead: every other state is there.
    assert set(states) == set(SignatureStatus) - {SignatureStatus.verified}
    rows = queries.lead_rows(letter)
    (flagged,) = [r for r in rows if r.signals.duplicate_of]
    assert flagged.signature.status is SignatureStatus.approved and rows[0] == flagged
    (similar,) = [r for r in rows if r.signals.similar_to]
    assert similar.signals.similar_to.display_name == "Coastal Defenders Collective"
    assert any(r.signals.webmail for r in rows) and any(r.signals.invited for r in rows)
    assert any(not r.signature.listed_publicly for r in rows)
    assert any(r.signature.kind.value == "individual" for r in rows)
    assert len(unconfirmed_signatures(letter)) >= 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_flask_demo_includes_the_open_letter(app, app_ctx):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(Letter.id).where(Letter.slug == DEMO_SLUG)) is not None
