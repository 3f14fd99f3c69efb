"""The address book: filled from invitations and sign-ons, history per partner, group
actions that never bring back a removed contact, edit and merge."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.invitations import addressbook, partners, sources
from app.models import Invitation, Partner, PartnerContact, PartnerGroup
from tests.conftest import login, post_form
from tests.letters_support import actor_for
from tests.support.invitation_factories import invite, make_signature, open_letter


@pytest.fixture
def lead(make):
    return make.user("amara@budgets.example.org", name="Amara Okafor")


def contact(email: str) -> PartnerContact:
    db.session.expire_all()
    return db.session.scalar(sa.select(PartnerContact).where(PartnerContact.email == email))


def test_invitations_fill_the_book_once_per_partner_and_address(lead):
    first = open_letter(lead, title="First letter")
    second = open_letter(lead, title="Second letter")
    invite(first, lead, "Friends of the Delta, Maria Ostrova, maria@delta.example.org")
    invite(second, lead, "FRIENDS  of the delta, Maria O., maria+2@delta.example.org",
           "Friends of the Delta, Joon Park, joon@delta.example.org")  # fmt: skip
    partners_ = db.session.scalars(sa.select(Partner)).all()
    assert [p.name for p in partners_] == ["Friends of the Delta"]
    emails = sorted(c.email for c in partners_[0].contacts)
    assert emails == ["joon@delta.example.org", "maria@delta.example.org"]
    [row] = addressbook.list_partners(lead.organizations[0].id)
    assert (row.invited, row.signed) == (2, 0)


def test_history_shows_invited_to_and_signed_which_letters(lead):
    org_id = lead.organizations[0].id
    first = open_letter(lead, title="First letter")
    second = open_letter(lead, title="Second letter")
    [inv] = invite(first, lead, "Delta <maria@delta.example.org>")
    make_signature(first, "maria@delta.example.org", invitation=inv)
    invite(second, lead, "Delta <maria@delta.example.org>")
    history = {h.letter.title: h for h in addressbook.history(org_id, ["maria@delta.example.org"])}
    assert history["First letter"].signature.value == "approved"
    assert history["Second letter"].invitation.value == "queued"
    assert history["Second letter"].signature is None


def test_signers_from_the_open_link_can_be_added(client, lead):
    letter = open_letter(lead)
    make_signature(letter, "ines@saltmarsh.example.org", organization="Saltmarsh Trust",
                   name="Ines Barros")  # fmt: skip
    org_id = lead.organizations[0].id
    assert addressbook.missing_signatories(org_id) == 1
    login(client, lead.email)
    page = client.get(f"/orgs/{org_id}/partners").get_data(as_text=True)
    assert "1 person who signed your letters is not in the address book yet" in page
    post_form(
        client, f"/orgs/{org_id}/partners/from-signatures", token_from=f"/orgs/{org_id}/partners"
    )
    added = contact("ines@saltmarsh.example.org")
    assert added.name == "Ines Barros" and added.partner.name == "Saltmarsh Trust"
    assert addressbook.missing_signatories(org_id) == 0


def test_everyone_who_signed_leaves_out_removed_contacts_and_uses_the_kept_address(lead):
    org_id = lead.organizations[0].id
    last = open_letter(lead, title="Last year")
    invite(last, lead, "Delta, Maria, maria@delta.example.org", "Harbor, Li, li@harbor.example.org",
           "Lake, Joon, joon.old@lake.example.org", "Lake, Joon, joon@lake.example.org")  # fmt: skip
    for email in ("maria@delta.example.org", "li@harbor.example.org", "joon.old@lake.example.org"):
        make_signature(last, email)
    actor = actor_for(lead)
    li, joon = contact("li@harbor.example.org"), contact("joon@lake.example.org")
    partners.remove_contact(li, actor=actor)
    partners.merge_contacts(joon, "joon.old@lake.example.org", actor=actor)
    db.session.commit()
    people = sources.signed_letter(org_id, last)
    assert sorted(p.email for p in people) == ["joon@lake.example.org", "maria@delta.example.org"]


def test_groups_never_invite_a_removed_contact(client, lead):
    org_id = lead.organizations[0].id
    earlier = open_letter(lead, title="Earlier")
    invite(earlier, lead, "Delta <maria@delta.example.org>", "Harbor <li@harbor.example.org>")
    ids = [contact("maria@delta.example.org").id, contact("li@harbor.example.org").id]
    login(client, lead.email)
    book = f"/orgs/{org_id}/partners"
    response = post_form(client, f"{book}/picked", {"contact": ids, "action": "group", "group_name": "Core"},
                         token_from=book)  # fmt: skip
    assert response.status_code == 302
    group = db.session.scalar(sa.select(PartnerGroup))
    assert group.name == "Core" and len(group.contacts) == 2

    li = contact("li@harbor.example.org")
    post_form(client, f"{book}/contacts/{li.id}/remove", token_from=book)
    assert contact("li@harbor.example.org").removed_at is not None

    target = open_letter(lead, title="Next letter")
    page = post_form(
        client,
        f"/letters/{target.slug}/invitations/new",
        {"from": "book", "book-signed_letter": "0", "book-group": str(group.id)},
    ).get_data(as_text=True)
    assert "<strong>1</strong> organization will be invited" in page
    assert "maria@delta.example.org" in page and "li@harbor.example.org" not in page


def test_picked_rows_go_to_the_preview_of_the_chosen_letter(client, lead):
    org_id = lead.organizations[0].id
    earlier = open_letter(lead, title="Earlier")
    invite(earlier, lead, "Delta, Maria Ostrova, maria@delta.example.org",
           "Harbor, Li Wei, li@harbor.example.org")  # fmt: skip
    target = open_letter(lead, title="Next letter")
    login(client, lead.email)
    book = f"/orgs/{org_id}/partners"
    page = client.get(book).get_data(as_text=True)
    assert "Delta" in page and "— invited to 1 letter, signed 0" in page
    maria = contact("maria@delta.example.org")
    response = post_form(client, f"{book}/picked",
                         {"contact": [maria.id], "action": "invite", "letter": str(target.id)},
                         token_from=book)  # fmt: skip
    page = response.get_data(as_text=True)
    assert "Invite 1 organization<" in page
    hidden = {
        k: re.search(rf'name="{k}"[^>]*value="([^"]*)"', page) for k in ("source", "fingerprint")
    }
    assert all(hidden.values())


def test_edit_and_merge_contacts_and_partners(client, lead):
    org_id = lead.organizations[0].id
    letter = open_letter(lead)
    invite(
        letter,
        lead,
        "Delta, Maria, maria@delta.example.org",
        "Delta Org, M O, m.o@delta.example.org",
    )
    login(client, lead.email)
    maria = contact("maria@delta.example.org")
    path = f"/orgs/{org_id}/partners/contacts/{maria.id}"
    response = post_form(client, path, {"action": "edit", "name": "Maria Ostrova",
                                         "email": "maria@delta.example.org", "organization": "Delta Org"})  # fmt: skip
    assert response.status_code == 302
    maria = contact("maria@delta.example.org")
    assert maria.name == "Maria Ostrova" and maria.partner.name == "Delta Org"

    response = post_form(client, path, {"action": "merge", "other": "m.o@delta.example.org"})
    assert response.status_code == 302
    assert contact("m.o@delta.example.org").merged_into_id == maria.id
    page = client.get(path).get_data(as_text=True)
    assert "Also known at: m.o@delta.example.org" in page

    old_id = db.session.scalar(sa.select(Partner.id).where(Partner.name == "Delta"))
    new_id = db.session.scalar(sa.select(Partner.id).where(Partner.name == "Delta Org"))
    partner_path = f"/orgs/{org_id}/partners/{old_id}"
    post_form(client, partner_path, {"action": "merge", "into": str(new_id)})
    db.session.expire_all()
    assert db.session.get(Partner, old_id) is None
    assert {c.partner_id for c in db.session.scalars(sa.select(PartnerContact))} == {new_id}


def test_editing_to_an_address_already_in_the_book_is_refused(client, lead):
    org_id = lead.organizations[0].id
    invite(open_letter(lead), lead, "a@delta.example.org", "b@delta.example.org")
    login(client, lead.email)
    a = contact("a@delta.example.org")
    page = post_form(client, f"/orgs/{org_id}/partners/contacts/{a.id}",
                     {"action": "edit", "email": "B@delta.example.org", "name": "", "organization": ""},
                     follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "b@delta.example.org is already in the address book" in page
    assert contact("a@delta.example.org") is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 2
