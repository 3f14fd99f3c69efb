"""Duplicates by one principle, through the operations and the pages: a hidden signatory
cannot be detected (issue 12.1), the lead's own organization and "similar to" names, and
corrected sign-ons (issue 13.5)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, OutboxMessage, SignatureStatus
from app.signing import operations, queries
from tests.conftest import login, post_form
from tests.support.signing_factories import (
    SIGNER,
    details,
    links_in,
    make_open_letter,
    make_signature,
    sign_form,
    signatures_of,
)

LEAD = "amara@open-budgets.example.org"
HIDDEN = "Lowland Water Watch"
_TOKEN = re.compile(r"/s/(verify|manage)/[A-Za-z0-9_\-]+")
_CSRF = re.compile(r'name="csrf_token"[^>]*value="[^"]+"')


def outbox_to(address: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.to_addr == address)
            .order_by(OutboxMessage.id)
        )
    )


def _neutral(text: str, *names: str) -> str:
    """A page or email with what legitimately differs (names, addresses, tokens) taken out."""
    text = _CSRF.sub("csrf", _TOKEN.sub(r"/s/\1/TOKEN", text))
    for name in names:
        text = text.replace(name, "NAME")
    return text


def _count_on_sign_page(client, letter) -> int:
    page = client.get(f"/l/{letter.slug}/sign").get_data(as_text=True)
    return int(re.search(r'id="signature-count">(\d+)<', page).group(1))


@pytest.mark.parametrize("moderation", [False, True])
def test_a_hidden_signatory_cannot_be_detected_by_signing_under_its_name(app, make, moderation):
    """The attack of issue 12.1: a stranger with their own mailboxes signs as the hidden
    signatory, as a near miss of it, and as an unrelated name, and compares what they see.
    With moderation off each is listed; with it on each waits for the lead."""
    letter = make_open_letter(make.user(LEAD), moderation=moderation)
    make_signature(letter, organization_name=HIDDEN, email="lww@lowland.example.org",
                   listed_publicly=False)  # fmt: skip
    stranger = app.test_client()
    attempts = [
        ("mailbox1@attacker.example.net", HIDDEN),
        ("mailbox2@attacker.example.net", "Lowland Watr Watch"),
        ("mailbox3@attacker.example.net", "Harbour Book Club"),
    ]
    seen = []
    for email, name in attempts:
        before = _count_on_sign_page(stranger, letter)
        api_before = stranger.get(f"/api/v1/letters/{letter.slug}").get_json()["count"]
        form = sign_form(organization_name=name, acronym="", email=email, website="")
        signed = post_form(stranger, f"/l/{letter.slug}/sign", form)
        (message,) = outbox_to(email)
        verify = links_in(message.text_body)["verify"]
        opened = stranger.get(verify)
        confirmed = post_form(stranger, verify, {})
        assert confirmed.status_code == 200
        after = _count_on_sign_page(stranger, letter)
        api_after = stranger.get(f"/api/v1/letters/{letter.slug}").get_json()["count"]
        rise = 0 if moderation else 1
        assert (after - before, api_after - api_before) == (rise, rise)
        emails = [m.subject + m.text_body + m.html_body for m in outbox_to(email)]
        seen.append(
            [
                _neutral(page, name, email)
                for page in (
                    signed.get_data(as_text=True),
                    opened.get_data(as_text=True),
                    confirmed.get_data(as_text=True),
                    *emails,
                )
            ]
        )
    assert seen[0] == seen[1] == seen[2]
    assert ("waiting for the lead" if moderation else "confirmed and listed") in seen[0][2]

    # The lead still sees the two look-alikes, first on the signatures page.
    assert queries.count_flagged(letter) == 2
    client = app.test_client()
    login(client, LEAD)
    page = client.get(f"/letters/{letter.slug}/signatures").get_data(as_text=True)
    assert page.count(f"possible duplicate of {HIDDEN}") == 2
    assert "2 possible duplicates</a> to decide" in page
    assert ("listed until you decide" in page) is not moderation
    first_rows = re.findall(r"<tr id=\"signature-(\d+)\">", page)[:2]
    flagged = {s.id for s in signatures_of(letter) if s.possible_duplicate_of_id}
    assert {int(i) for i in first_rows} == flagged


def test_the_lead_own_organization_from_an_outside_address(app, make):
    organization = make.organization("Middle East Democracy Center")
    letter = make_open_letter(make.user(LEAD, organization=organization))
    signature = make_signature(
        letter, organization_name="Middle East Democracy Centre (MEDC)",
        email="info@medc-lookalike.example.net",
    )  # fmt: skip
    assert signature.own_organization_id == organization.id
    assert signature.status is SignatureStatus.approved  # listed, as any sign-on
    client = app.test_client()
    login(client, LEAD)
    detail = f"/letters/{letter.slug}/signatures/{signature.id}"
    page = client.get(detail).get_data(as_text=True)
    assert "your own organization</strong>, Middle East Democracy Center" in page
    assert "Keep: it is another organization" in page
    listing = client.get(f"/letters/{letter.slug}/signatures?show=duplicates")
    assert "looks like your own organization" in listing.get_data(as_text=True)
    post_form(client, f"{detail}/keep", {}, token_from=detail)
    assert queries.count_flagged(letter) == 0


def test_a_qualifier_is_another_organization_shown_as_similar(app, make):
    letter = make_open_letter(make.user(LEAD), moderation=True)
    first = make_signature(letter, organization_name="Amnesty International")
    usa = make_signature(
        letter, organization_name="Amnesty International USA", status=SignatureStatus.verified
    )
    assert usa.similar_to_id == first.id and usa.possible_duplicate_of_id is None
    assert queries.count_flagged(letter) == 0
    client = app.test_client()
    login(client, LEAD)
    page = client.get(f"/letters/{letter.slug}/signatures/{usa.id}").get_data(as_text=True)
    assert "Similar to" in page and "Amnesty International</a>" in page
    assert "Possible duplicate" not in page
    listing = client.get(f"/letters/{letter.slug}/signatures").get_data(as_text=True)
    assert "similar to Amnesty International" in listing


def test_a_corrected_sign_on_replaces_the_pending_details(app, make):
    letter = make_open_letter(make.user(LEAD))
    stranger = app.test_client()
    email = "ana@tidewater.example.org"
    first = post_form(stranger, f"/l/{letter.slug}/sign",
                      sign_form(organization_name="Tidewater Rights Projekt", acronym=""))  # fmt: skip
    (message,) = outbox_to(email)
    old_link = links_in(message.text_body)["verify"]
    second = post_form(stranger, f"/l/{letter.slug}/sign",
                       sign_form(organization_name="Tidewater Rights Project", acronym="TRP"))  # fmt: skip
    # The stranger's page is the same as ever.
    assert _neutral(first.get_data(as_text=True)) == _neutral(second.get_data(as_text=True))
    (signature,) = signatures_of(letter)
    assert signature.display_name == "Tidewater Rights Project (TRP)"
    _, newer = outbox_to(email)
    assert "Tidewater Rights Project (TRP)" in newer.text_body
    new_link = links_in(newer.text_body)["verify"]
    assert new_link != old_link
    replaced = stranger.get(old_link)
    assert "This link was replaced" in replaced.get_data(as_text=True)
    assert "not valid" not in replaced.get_data(as_text=True)
    confirmed = post_form(stranger, new_link, {})
    assert "Tidewater Rights Project (TRP)" in confirmed.get_data(as_text=True)
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "signature.corrected")
    )
    assert "organization_name" in event.details["fields"]

    # After confirming, a repeat changes nothing and emails the manage link to change it.
    post_form(stranger, f"/l/{letter.slug}/sign", sign_form(organization_name="Other Name"))
    (signature,) = signatures_of(letter)
    assert signature.display_name == "Tidewater Rights Project (TRP)"
    latest = outbox_to(email)[-1]
    assert latest.kind == "signature_already_signed"
    assert "To correct how you are listed" in latest.text_body
    assert "manage" in links_in(latest.text_body)


def test_a_correction_through_the_operation_is_recorded_and_never_dropped(make):
    letter = make_open_letter(make.user(LEAD))
    operations.sign(letter, details(organization_name="Riverbank Legal Aid"), actor=SIGNER)
    result = operations.sign(
        letter, details(organization_name="Riverbank Legal Aid Network", country="Lowmarsh"),
        actor=SIGNER,
    )  # fmt: skip
    assert result.signature is None  # the caller answers as for anyone
    db.session.commit()
    (signature,) = signatures_of(letter)
    assert (signature.organization_name, signature.country) == (
        "Riverbank Legal Aid Network", "Lowmarsh",
    )  # fmt: skip
    assert signature.replaced_verify_token_hash is not None


def test_a_co_lead_organization_is_your_own_organization_too(app, make, monkeypatch):
    # Which organizations are co-leads is the collaborators' business (they choose, once
    # they accept); here only what the match makes of them.
    co_lead = make.organization("Labour Rights Forum")
    monkeypatch.setattr("app.signing.matching.co_lead_organizations", lambda letter: [co_lead])
    letter = make_open_letter(make.user(LEAD))
    signature = make_signature(letter, organization_name="The Labor Rights Forums")
    assert signature.own_organization_id == co_lead.id
    assert signature.match_reason == "your own organization"
    other = make_signature(letter, organization_name="Labour Rights Forum Youth")
    assert other.own_organization_id is None and other.similar_to_id == signature.id
