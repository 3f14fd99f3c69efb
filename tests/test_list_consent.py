"""Issue 13, items 3, 4 and 8: the final list holds who agreed to the final text, consent is
a history that never misdates, and the reconfirmation diff reads as the letter reads."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import workflow
from app.extensions import db
from app.letters.markdown import reader_text
from app.letters.reader_diff import reader_diff
from app.models import ConsentEvent, ConsentKind, LetterVersion, OutboxMessage, utcnow
from app.publishing.store import load_final_letter
from app.signing import consent
from app.signing import operations as signing
from app.signing.organization import lead_signature
from tests.conftest import login
from tests.letters_support import READY, actor_for, make_letter
from tests.support.signing_factories import (
    SIGNER,
    links_in,
    make_open_letter,
    make_signature,
)

LEAD = "amara@open-budgets.example.org"
LINKED = replace(
    READY,
    body="We ask for the release; see [the report](https://example.org/report).\n\n"
    "1. release them\n2. drop the charges",
)
LINKED_FIRMER = replace(
    LINKED,
    body=LINKED.body.replace("ask for", "*demand*").replace(
        "example.org/report", "example.org/full-report"
    ),
)


@pytest.fixture
def lead(make):
    user = make.user(LEAD, name="Amara Okafor")
    user.organizations[0].name = "Coalition for Open Budgets"
    db.session.commit()
    return user


def material_change(letter, user, text=None, base=None):
    base = base or db.session.scalar(
        sa.select(sa.func.max(LetterVersion.number)).where(LetterVersion.letter_id == letter.id)
    )
    saved = workflow.save_text(
        letter, base_number=base, text=text or replace(READY, body="A firmer body."),
        actor=actor_for(user), material=True,
    )  # fmt: skip
    db.session.commit()
    return saved


def every_event_after_its_version() -> bool:
    rows = db.session.execute(
        sa.select(ConsentEvent.at, LetterVersion.created_at)
        .join(consent.Signature, consent.Signature.id == ConsentEvent.signature_id)
        .join(
            LetterVersion,
            (LetterVersion.letter_id == consent.Signature.letter_id)
            & (LetterVersion.number == ConsentEvent.version_number),
        )
    ).all()
    return bool(rows) and all(saved <= at for at, saved in rows)


# 3. The final list ----------------------------------------------------------------------


def test_finalizing_leaves_out_who_never_agreed_and_keeps_the_lead(lead):
    letter = make_letter(lead, lead_signs=True, status="open")
    letter.open_link = True
    db.session.commit()
    agreed = make_signature(letter, organization_name="Riverbank Watch")
    silent = make_signature(letter, organization_name="Harbour Rights Network")
    material_change(letter, lead)
    signing.reconfirm(agreed, version_number=3, actor=SIGNER)
    workflow.move(letter, workflow.Transition.close, actor=actor_for(lead))
    workflow.finalize_letter(letter, actor=actor_for(lead), confirmed=True)
    db.session.commit()
    names = [o.name for o in load_final_letter(letter).organizations]
    assert names == ["Coalition for Open Budgets", "Riverbank Watch"]
    assert silent.status.value == "approved"  # left out, not rejected
    # The lead agreed to the final text: its history says so, through the lead organization.
    kinds = [(e.kind, e.version_number) for e in consent.history(lead_signature(letter))]
    assert kinds == [(ConsentKind.lead_organization, 2), (ConsentKind.reconfirmed, 3)]
    bodies = db.session.scalars(
        sa.select(OutboxMessage.text_body).where(OutboxMessage.kind == "letter_final")
    ).all()
    assert sum("not listed" in b for b in bodies) == 1


# 4. Consent as a history ------------------------------------------------------------------


def test_no_event_can_refer_to_a_version_saved_after_it(lead):
    letter = make_open_letter(lead)
    signature = make_signature(letter)
    with pytest.raises(ValueError, match="after this reconfirmed event"):
        consent.record_event(
            signature, ConsentKind.reconfirmed, version_number=2, channel="email link",
            at=utcnow() - timedelta(days=1),
        )  # fmt: skip
    with pytest.raises(ValueError, match="no version 9"):
        consent.record_event(signature, ConsentKind.signed, version_number=9, channel="x")


def test_reconfirming_keeps_both_times_and_the_page_shows_the_history(lead, client):
    letter = make_open_letter(lead)
    signature = make_signature(letter, email="stays@riverbank.example.org")
    signed_at = signature.created_at
    material_change(letter, lead)
    v3 = db.session.scalar(sa.select(LetterVersion).where(LetterVersion.number == 3))
    signing.reconfirm(signature, version_number=3, actor=SIGNER)
    signing.update_listing(signature, actor=SIGNER, signer_title="Chair")
    db.session.commit()
    events = consent.history(signature)
    assert [(e.kind, e.version_number) for e in events] == [
        (ConsentKind.signed, 2),
        (ConsentKind.confirmed_address, 2),
        (ConsentKind.reconfirmed, 3),
        (ConsentKind.listing_changed, 3),
    ]
    assert events[0].at == signed_at == signature.created_at  # the first time stays
    assert events[2].at >= v3.created_at  # and the reconfirmation has its own
    assert every_event_after_its_version()

    login(client, LEAD)
    page = client.get(f"/letters/{letter.slug}/signatures/{signature.id}").get_data(as_text=True)
    assert "Consent history" in page
    assert "Signed version 2" in page and "Reconfirmed: agreed to version 3" in page
    # The signer sees the same history on the manage page.
    signer = client.application.test_client()
    (ask,) = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "signature_reconfirm")
    ).all()
    manage = links_in(ask.text_body)["reconfirm"].removesuffix("/reconfirm")
    page = signer.get(manage).get_data(as_text=True)
    assert "Your consent, step by step" in page and "Reconfirmed: agreed to version 3" in page


def test_withdrawing_is_recorded(lead):
    letter = make_open_letter(lead)
    signature = make_signature(letter)
    signing.withdraw(signature, actor=SIGNER)
    assert consent.history(signature)[-1].kind is ConsentKind.withdrew


def test_the_contacts_csv_has_the_consent_columns(lead, app, tmp_path):
    letter = make_letter(lead, lead_signs=True, status="open")
    letter.open_link = True
    db.session.commit()
    signature = make_signature(letter, organization_name="Riverbank Watch")
    material_change(letter, lead)
    signing.reconfirm(signature, version_number=3, actor=SIGNER)
    db.session.commit()
    target = tmp_path / "contacts.csv"
    result = app.test_cli_runner().invoke(
        args=["letters", "export", letter.slug, "--format", "csv", "--contacts",
              "--output", str(target)]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = {
        r["organization"]: r for r in csv.DictReader(io.StringIO(target.read_text("utf-8-sig")))
    }
    river = rows["Riverbank Watch"]
    assert river["version_signed"] == "3"
    assert river["signed_at"] and river["confirmed_at"] and river["reconfirmed_at"]
    assert river["signed_at"] <= river["reconfirmed_at"]  # to the second
    assert "signed v2 (open link)" in river["consent_history"]
    assert "reconfirmed v3 (email link)" in river["consent_history"]
    assert (
        "lead_organization v2 (lead organization)"
        in (rows["Coalition for Open Budgets"]["consent_history"])
    )


def test_the_migration_gives_existing_signatures_an_undated_free_history(tmp_path):
    """Signatures made before the history existed: downgrade, upgrade, and look."""
    from flask_migrate import downgrade, upgrade

    from app import create_app

    url = f"sqlite:///{tmp_path / 'migrate.db'}"
    other = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url,
                        "BASE_URL": "http://testserver.localhost"})  # fmt: skip
    with other.app_context():
        upgrade()
        from tests.support.factories import Factories

        user = Factories().user(LEAD)
        letter = make_open_letter(user)
        reconfirmed = make_signature(letter)
        withdrawn = make_signature(letter)
        material_change(letter, user)
        signing.reconfirm(reconfirmed, version_number=3, actor=SIGNER)
        signing.withdraw(withdrawn, actor=SIGNER)
        db.session.commit()
        ids = (reconfirmed.id, withdrawn.id)
        db.session.remove()
        downgrade(revision="939f8e16e69d")
        upgrade()
        found = {
            i: [(e.kind.value, e.version_number) for e in consent.history(db.session.get(
                consent.Signature, i))]
            for i in ids
        }  # fmt: skip
        assert found[ids[0]] == [("signed", 2), ("confirmed_address", 2), ("reconfirmed", 3)]
        assert found[ids[1]] == [("signed", 2), ("confirmed_address", 2), ("withdrew", 2)]
        assert every_event_after_its_version()
        db.session.remove()
        db.engine.dispose()


# 8. The diff as a reader sees it ------------------------------------------------------------


def test_reader_text_turns_markdown_into_what_a_reader_reads():
    assert reader_text(LINKED.body) == (
        "We ask for the release; see the report (https://example.org/report).\n\n"
        "1. release them\n2. drop the charges"
    )
    assert reader_text("- one\n- **two**\n\n> quoted *words*") == "• one\n• two\n\nquoted words"
    sections = {s.label: s for s in reader_diff(LINKED, LINKED_FIRMER)}
    body = "".join(s.text for s in sections["Body"].segments)
    assert "[" not in body and "*" not in body and "the report (https://" in body


@pytest.mark.parametrize("where", ["email", "page"])
def test_the_reconfirmation_shows_links_as_text_and_address(lead, client, where):
    letter = make_open_letter(lead)
    workflow.save_text(letter, base_number=2, text=LINKED, actor=actor_for(lead))
    db.session.commit()
    make_signature(letter, email="stays@riverbank.example.org")
    material_change(letter, lead, text=LINKED_FIRMER, base=3)
    (ask,) = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "signature_reconfirm")
    ).all()
    if where == "email":
        shown = ask.text_body + ask.html_body
    else:
        shown = client.get(links_in(ask.text_body)["reconfirm"]).get_data(as_text=True)
    assert "[the report]" not in shown and "*demand*" not in shown
    assert "the report (https://example.org/" in shown
    assert "full-report" in shown
    if where == "email":
        assert "[-ask for-]{+demand+}" in ask.text_body
