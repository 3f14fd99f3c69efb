"""The address book learns from sign-ons: a contact known by its address gets the signer's
name and organization; a name the lead typed and an organization already set stay."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import PartnerContact
from tests.conftest import login
from tests.support.invitation_factories import invite
from tests.support.signing_factories import make_open_letter, make_signature


@pytest.fixture
def lead(make):
    return make.user("amara@budgets.example.org", name="Amara Okafor")


def contact(email: str) -> PartnerContact:
    db.session.expire_all()
    return db.session.scalar(sa.select(PartnerContact).where(PartnerContact.email == email))


def test_a_contact_invited_by_address_learns_its_name_and_organization(app_ctx, client, lead):
    letter = make_open_letter(lead)
    invite(letter, lead, "maria@delta.example.org")
    assert contact("maria@delta.example.org").partner_id is None
    make_signature(
        letter,
        email="maria@delta.example.org",
        organization_name="Friends of the Delta",
        signer_name="Maria Ostrova",
    )
    learned = contact("maria@delta.example.org")
    assert learned.name == "Maria Ostrova"
    assert learned.partner.name == "Friends of the Delta"
    login(client, lead.email)
    book = client.get(f"/orgs/{letter.organization_id}/partners").get_data(as_text=True)
    assert "Contacts without an organization" not in book
    assert "Friends of the Delta" in book and "Maria Ostrova" in book


def test_a_name_the_lead_typed_and_an_organization_already_set_stay(app_ctx, lead):
    letter = make_open_letter(lead)
    invite(letter, lead, "Delta Friends, Maria O., maria@delta.example.org")
    make_signature(
        letter,
        email="maria@delta.example.org",
        organization_name="Friends of the Delta",
        signer_name="Maria Ostrova",
    )
    kept = contact("maria@delta.example.org")
    assert kept.name == "Maria O."
    assert kept.partner.name == "Delta Friends"


def test_an_open_link_sign_on_teaches_the_book_but_adds_nobody(app_ctx, lead):
    earlier = make_open_letter(lead, title="Earlier letter")
    invite(earlier, lead, "joon@harbour.example.org")
    letter = make_open_letter(lead, title="Open the port accounts")
    make_signature(
        letter, email="joon@harbour.example.org", organization_name="Harbour Trust",
        signer_name="Joon Park",
    )  # fmt: skip
    make_signature(letter, email="stranger@else.example.org", organization_name="Elsewhere")
    assert contact("joon@harbour.example.org").name == "Joon Park"
    assert contact("joon@harbour.example.org").partner.name == "Harbour Trust"
    assert contact("stranger@else.example.org") is None


def test_an_individual_gives_a_name_but_no_organization(app_ctx, lead):
    letter = make_open_letter(lead, individuals_allowed=True)
    invite(letter, lead, "mira@example.net")
    from app.models import SignerKind

    make_signature(
        letter, email="mira@example.net", organization_name="", signer_name="Mira Holm",
        kind=SignerKind.individual, signer_title="",
    )  # fmt: skip
    assert contact("mira@example.net").name == "Mira Holm"
    assert contact("mira@example.net").partner_id is None
