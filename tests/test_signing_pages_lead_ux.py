"""Sign pages: the error summary above the letter with a link to each field, no account
menu on signer pages, and the named signatories so far when the lead shows them."""

from __future__ import annotations

import re

import pytest

from app import workflow
from app.actor import Actor
from app.extensions import db
from app.letters.lifecycle import Transition
from app.models import SignatureStatus
from app.signing import links
from tests.conftest import login, post_form
from tests.support.invitation_factories import invite, token_of
from tests.support.signing_factories import make_open_letter, make_signature, sign_form


@pytest.fixture
def lead(make):
    return make.user("amara@budgets.example.org", name="Amara Okafor")


def test_errors_are_summarized_above_the_letter_with_links_to_their_fields(client, lead):
    letter = make_open_letter(lead)
    path = f"/l/{letter.slug}/sign"
    response = post_form(client, path, sign_form(authorized=None, email="not-an-address"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = page.index('class="error-summary" role="alert" tabindex="-1" autofocus')
    assert summary < page.index("The text you are signing")
    links_found = re.findall(r'<li><a href="#(\w+)">', page[summary:])
    assert set(links_found) == {"authorized", "email"}
    for field_id in links_found:
        assert f'id="{field_id}"' in page
    assert "error-summary.js" in page


def _no_account_menu(page: str) -> None:
    assert ">Log in<" not in page and ">Register<" not in page


def test_signer_pages_have_no_log_in_or_register(client, lead, app_ctx):
    letter = make_open_letter(lead)
    _no_account_menu(client.get(f"/l/{letter.slug}/sign").get_data(as_text=True))
    signature = make_signature(letter, status=SignatureStatus.approved)
    raw = links.reissue_manage_token(signature)
    db.session.commit()
    _no_account_menu(client.get(f"/s/manage/{raw}").get_data(as_text=True))
    _no_account_menu(client.get(f"/s/manage/{raw}/reconfirm").get_data(as_text=True))
    pending = make_signature(letter, status=SignatureStatus.unverified)
    verify = links.reissue_verify_link(pending, pending.created_at)
    db.session.commit()
    _no_account_menu(
        client.get(verify.removeprefix("http://testserver.localhost")).get_data(as_text=True)
    )  # noqa: E501
    [inv] = invite(letter, lead, "Delta Watch <maria@delta.example.org>")
    _no_account_menu(client.get(f"/s/{token_of(inv)}/decline").get_data(as_text=True))
    _no_account_menu(client.get("/s/not-a-token/decline").get_data(as_text=True))
    # The page that says sign-on has closed (an invitation-only letter is a 404 to strangers).
    closed = make_open_letter(lead, title="Closed letter")
    workflow.move(closed, Transition.close, actor=Actor(user_id=lead.id))
    db.session.commit()
    page = client.get(f"/l/{closed.slug}/sign")
    assert "has closed" in page.get_data(as_text=True)
    _no_account_menu(page.get_data(as_text=True))
    # Everyone else keeps the menu.
    assert ">Log in<" in client.get("/auth/register").get_data(as_text=True)


def test_the_sign_page_names_the_listed_signatories_so_far(client, lead, app_ctx):
    letter = make_open_letter(lead)
    make_signature(letter, organization_name="Zeta Watch")
    make_signature(letter, organization_name="Alpha Rights")
    make_signature(letter, organization_name="Hidden Group", listed_publicly=False)
    make_signature(letter, organization_name="Not Confirmed Yet", status="unverified")
    make_signature(letter, organization_name="Rejected Org", status="rejected")
    page = client.get(f"/l/{letter.slug}/sign").get_data(as_text=True)
    roll = page[page.index("Who has signed so far") :]
    assert roll.index("Alpha Rights") < roll.index("Zeta Watch")
    assert "1 organization that cannot be named for its safety" in roll
    for absent in ("Hidden Group", "Not Confirmed Yet", "Rejected Org"):
        assert absent not in page

    letter.show_signatories = False
    db.session.commit()
    page = client.get(f"/l/{letter.slug}/sign").get_data(as_text=True)
    assert "Who has signed so far" not in page and "Alpha Rights" not in page


def test_show_who_has_signed_is_a_letter_setting_on_by_default(client, lead, app_ctx):
    from tests.test_letters_pages import settings_form

    letter = make_open_letter(lead)
    assert letter.show_signatories is True
    login(client, lead.email)
    page = client.get(f"/letters/{letter.slug}/settings").get_data(as_text=True)
    assert "Show who has signed on the sign pages" in page
    path = f"/letters/{letter.slug}/settings"
    post_form(client, path, settings_form(letter, open_link="y"))  # the box left unticked
    db.session.expire_all()
    assert letter.show_signatories is False
    post_form(client, path, settings_form(letter, open_link="y", show_signatories="y"))
    db.session.expire_all()
    assert letter.show_signatories is True
