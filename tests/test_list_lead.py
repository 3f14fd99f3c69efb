"""Issue 13, items 1 and 2: the lead organization signs its own letter by default, co-leads
sign with one click, and a changed text on a letter with sign-ons needs an explicit answer."""

from __future__ import annotations

import sqlalchemy as sa

from app import workflow
from app.extensions import db
from app.models import (
    AuditEvent,
    ConsentKind,
    LetterVersion,
    OutboxMessage,
    Signature,
    SignatureStatus,
)
from app.publishing.store import load_final_letter
from app.signing import consent
from app.signing.organization import lead_signature
from tests.conftest import login, post_form
from tests.letters_support import READY, actor_for, add_collaborator, make_letter, text_form
from tests.support.signing_factories import make_open_letter, make_signature

LEAD = "amara@open-budgets.example.org"


def lead_user(make, name="Coalition for Open Budgets"):
    user = make.user(LEAD, name="Amara Okafor")
    user.organizations[0].name = name
    db.session.commit()
    return user


def listed_names(letter) -> list[str]:
    db.session.expire_all()
    return [o.name for o in load_final_letter(letter).organizations]


# 1. The lead signs -------------------------------------------------------------------------


def test_opening_lists_the_lead_with_a_consent_trail_of_its_own(make):
    user = lead_user(make)
    letter = make_letter(user, lead_signs=True)
    workflow.open_letter(letter, actor=actor_for(user))
    db.session.commit()
    signature = lead_signature(letter)
    assert signature.status is SignatureStatus.approved and signature.attested_authorized
    assert (signature.organization_name, signature.signer_name) == (
        "Coalition for Open Budgets",
        "Amara Okafor",
    )
    (event,) = consent.history(signature)
    assert (event.kind, event.version_number, event.channel) == (
        ConsentKind.lead_organization,
        2,
        "lead organization",
    )
    assert event.detail["member"] == "Amara Okafor"
    assert listed_names(letter) == ["Coalition for Open Budgets"]


def test_a_lead_that_does_not_sign_is_not_added_and_the_finalize_page_says_so(make, client):
    user = lead_user(make)
    letter = make_letter(user, lead_signs=False, status="closed")
    assert lead_signature(letter) is None and listed_names(letter) == []
    login(client, LEAD)
    page = client.get(f"/letters/{letter.slug}/finalize").get_data(as_text=True)
    assert "Coalition for Open Budgets does not sign this letter" in page


def test_the_open_button_lists_the_lead_without_the_sign_form(make, client):
    user = lead_user(make)
    letter = make_letter(user)  # a draft
    login(client, LEAD)
    settings = client.get(f"/letters/{letter.slug}/settings").get_data(as_text=True)
    assert "Our organization signs this letter" in settings
    letter.lead_signs = True  # the default of a letter started on the site
    db.session.commit()
    response = post_form(
        client, f"/letters/{letter.slug}/status/open", token_from=f"/letters/{letter.slug}"
    )
    assert response.status_code == 302
    assert listed_names(letter) == ["Coalition for Open Budgets"]
    overview = client.get(f"/letters/{letter.slug}").get_data(as_text=True)
    assert "1. <bdi>Coalition for Open Budgets</bdi>" in overview  # the live list, as printed


def test_switching_the_setting_off_and_on_takes_the_lead_off_and_lists_it(make):
    user = lead_user(make)
    letter = make_letter(user, lead_signs=True, status="open")
    workflow.update_settings(letter, {"lead_signs": False}, actor=actor_for(user))
    db.session.commit()
    assert lead_signature(letter) is None and listed_names(letter) == []
    withdrawn = db.session.scalar(sa.select(Signature).where(Signature.letter_id == letter.id))
    assert withdrawn.status is SignatureStatus.withdrawn
    assert [e.kind for e in consent.history(withdrawn)][-1] is ConsentKind.withdrew
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "signature.withdrawn" in actions and "letter.settings_changed" in actions
    workflow.update_settings(letter, {"lead_signs": True}, actor=actor_for(user))
    db.session.commit()
    assert listed_names(letter) == ["Coalition for Open Budgets"]


def test_a_new_letter_signs_by_default(make, client):
    org_id = str(lead_user(make).organizations[0].id)
    login(client, LEAD)
    post_form(client, "/letters/new", {"title": "Free the river guides", "organization": org_id,
                                       "copy_from": "0"}, token_from="/letters/new")  # fmt: skip
    from app.models import Letter

    assert db.session.scalar(sa.select(Letter.lead_signs)) is True


def test_a_co_lead_signs_with_one_click_and_the_attestation(make, client):
    user = lead_user(make)
    letter = make_letter(user, lead_signs=True, status="open")
    partner = make.user("ana@coastal.example.org", name="Ana Partner")
    partner.organizations[0].name = "Coastal Rights Network"
    db.session.commit()
    add_collaborator(letter, partner, "editor", co_lead=partner.organizations[0])
    login(client, "ana@coastal.example.org")
    page = client.get(f"/letters/{letter.slug}").get_data(as_text=True)
    assert "Sign for Coastal Rights Network" in page
    assert "I am authorized to sign on behalf of this organization" in page
    org_id = partner.organizations[0].id
    path = f"/letters/{letter.slug}/sign-for/{org_id}"
    post_form(client, path, {}, token_from=f"/letters/{letter.slug}")  # box not ticked
    assert listed_names(letter) == ["Coalition for Open Budgets"]
    post_form(client, path, {"authorized": "y"}, token_from=f"/letters/{letter.slug}")
    assert listed_names(letter) == ["Coalition for Open Budgets", "Coastal Rights Network"]
    (co_lead,) = [
        s for s in db.session.scalars(sa.select(Signature)) if s.organization_id == org_id
    ]
    assert consent.history(co_lead)[0].channel == "co-lead organization"
    assert "Coastal Rights Network signs this letter" in client.get(
        f"/letters/{letter.slug}"
    ).get_data(as_text=True)
    # Someone outside the organization cannot sign for it.
    stranger = make.user("eve@elsewhere.example.org")
    assert stranger
    other = client.application.test_client()
    login(other, "eve@elsewhere.example.org")
    assert other.post(path, data={"authorized": "y"}).status_code in (400, 404)


# 2. A material change needs an answer ----------------------------------------------------


def test_saving_without_an_answer_saves_nothing_and_asks_keeping_the_text(make, client):
    user = lead_user(make)
    letter = make_open_letter(user)
    make_signature(letter)
    make_signature(letter)
    login(client, LEAD)
    changed = text_form(READY, 2, body="A firmer body we typed.", change_note="Firmer")
    response = post_form(client, f"/letters/{letter.slug}/edit", changed)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "2 organizations signed an earlier text. Ask them to confirm the new one?" in page
    assert "A firmer body we typed." in page and 'value="Firmer"' in page
    assert "checked" not in page.split('id="material-question"')[1].split("</fieldset>")[0]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LetterVersion)) == 2

    response = post_form(client, f"/letters/{letter.slug}/edit", changed | {"material": "yes"})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Saved as version 3. 2 reconfirmation emails queued" in page
    kinds = db.session.scalars(sa.select(OutboxMessage.kind)).all()
    assert kinds.count("signature_reconfirm") == 2


def test_a_correction_sends_nothing_and_can_be_marked_material_later(make, client):
    user = lead_user(make)
    letter = make_open_letter(user)
    make_signature(letter)
    login(client, LEAD)
    changed = text_form(READY, 2, body="A corrected body.") | {"material": "no"}
    assert post_form(client, f"/letters/{letter.slug}/edit", changed).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    versions = client.get(f"/letters/{letter.slug}/versions").get_data(as_text=True)
    assert "Mark version 3 as a material change" in versions
    response = post_form(
        client, f"/letters/{letter.slug}/versions/3/material", {"base_version": "3"},
        token_from=f"/letters/{letter.slug}/versions",
    )  # fmt: skip
    page = client.get(response.location).get_data(as_text=True)
    assert "1 reconfirmation email queued" in page
    assert db.session.scalar(sa.select(LetterVersion.material).where(LetterVersion.number == 3))
    assert db.session.scalars(sa.select(OutboxMessage.kind)).all() == ["signature_reconfirm"]


def test_the_lead_is_not_asked_and_follows_its_own_material_change(make):
    user = lead_user(make)
    letter = make_letter(user, lead_signs=True, status="open")
    letter.open_link = True
    db.session.commit()
    actor = actor_for(user)
    # Only the lead's own signature: no question, nothing to ask.
    saved = workflow.save_text(
        letter, base_number=2, text=READY.__class__(**{**READY.__dict__, "body": "New."}),
        actor=actor,
    )  # fmt: skip
    assert saved.version.number == 3 and not saved.version.material
    assert workflow.question_for(letter) is None
    make_signature(letter)
    saved = workflow.save_text(letter, base_number=3, text=READY, actor=actor, material=True)
    db.session.commit()
    assert saved.reconfirmations == 1  # the other signer; never the lead itself
    lead = lead_signature(letter)
    assert lead.version_number == 4
    assert [e.kind for e in consent.history(lead)] == [
        ConsentKind.lead_organization,
        ConsentKind.reconfirmed,
    ]


def test_an_unchanged_print_never_asks(make):
    user = lead_user(make)
    letter = make_open_letter(user)
    make_signature(letter)
    same = READY
    # The same printed text (a change of what is never printed, such as a recipient's
    # delivery address, compares the same): no question, nothing saved.
    assert not workflow.printed_change(same, same)
    assert (
        workflow.save_text(letter, base_number=2, text=same, actor=actor_for(user)).version is None
    )
