"""The public page of a letter still open for sign-on: the app keeps the letter it last built
and the HTML it last rendered, so every one of these changes must show at once anyway. And a
final letter's frozen data is read whole once, however often its page, API and badge are."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.letters import operations as letters
from app.models import SignatoryOrder
from app.publishing import store
from app.signing import operations as signing
from tests.letters_support import actor_for
from tests.support.publishing_factories import add_signature, advance, letter_with


@pytest.fixture
def lead(make):
    return make.user("lead@example.org", name="Lena Lead")


@pytest.fixture
def letter(lead):
    letter = letter_with(lead, ["Beta Org", "Alpha Org"], status="open")
    return advance(letter, lead, "published-open")


def listed(client, letter) -> tuple[str, list[str]]:
    """The count line and the listed organizations, as a visitor reads them."""
    html = client.get(f"/l/{letter.slug}").get_data(as_text=True)
    count = re.search(r"<strong>(\d+)</strong> signature", html).group(1)
    names = re.findall(r'<ol class="org-list">(.*?)</ol>|<ul class="org-list unnumbered">(.*?)</ul>',
                       html, re.S)  # fmt: skip
    items = re.findall(r"<li>(.*?)<span|<li>(.*?)</li>", "".join(a or b for a, b in names))
    return count, [re.sub(r"<[^>]+>", "", a or b).strip() for a, b in items]


def test_every_change_to_the_list_shows_on_the_next_visit(lead, letter, client):
    actor = actor_for(lead)
    assert listed(client, letter) == ("2", ["1. Alpha Org", "2. Beta Org"])
    assert listed(client, letter) == ("2", ["1. Alpha Org", "2. Beta Org"])  # kept, unchanged

    gamma = add_signature(letter, "Gamma Org")
    assert listed(client, letter) == ("3", ["1. Alpha Org", "2. Beta Org", "3. Gamma Org"])

    signing.update_listing(gamma, actor=actor, by_lead=True, organization_name="Aardvark Org")
    db.session.commit()
    assert listed(client, letter) == ("3", ["1. Aardvark Org", "2. Alpha Org", "3. Beta Org"])

    signing.withdraw(gamma, actor=actor)
    db.session.commit()
    assert listed(client, letter) == ("2", ["1. Alpha Org", "2. Beta Org"])

    letters.update_settings(letter, {"signatory_order": SignatoryOrder.time}, actor=actor)
    db.session.commit()
    assert listed(client, letter) == ("2", ["1. Beta Org", "2. Alpha Org"])

    letters.update_settings(letter, {"numbered": False}, actor=actor)
    db.session.commit()
    assert listed(client, letter) == ("2", ["Beta Org", "Alpha Org"])


def test_a_signatory_hidden_later_leaves_the_page_but_stays_counted(lead, letter, client):
    beta = next(s for s in store.approved_signatures(letter) if s.organization_name == "Beta Org")
    assert listed(client, letter) == ("2", ["1. Alpha Org", "2. Beta Org"])
    signing.update_listing(beta, actor=actor_for(lead), by_lead=True, listed_publicly=False)
    db.session.commit()
    html = client.get(f"/l/{letter.slug}").get_data(as_text=True)
    assert "Beta Org" not in html and "cannot be named" in html
    assert listed(client, letter) == ("2", ["1. Alpha Org"])


def test_an_unchanged_list_is_built_and_rendered_once(letter, client, monkeypatch):
    builds, renders = [], []
    real_build = store.build_final_letter
    monkeypatch.setattr(store, "build_final_letter",
                        lambda *a, **kw: builds.append(1) or real_build(*a, **kw))  # fmt: skip
    from app.publishing.views import public

    real_fragment = public.get_template_attribute
    monkeypatch.setattr(public, "get_template_attribute",
                        lambda *a: renders.append(1) or real_fragment(*a))  # fmt: skip
    for _ in range(3):
        assert client.get(f"/l/{letter.slug}").status_code == 200
    assert (len(builds), len(renders)) == (1, 1)
    add_signature(letter, "Gamma Org")
    for _ in range(2):
        assert "Gamma Org" in client.get(f"/l/{letter.slug}").get_data(as_text=True)
    assert (len(builds), len(renders)) == (2, 2)


def test_a_final_letter_is_read_whole_once_for_page_api_and_badge(lead, client, monkeypatch):
    from app.publishing.final_letter import FinalLetter

    letter = letter_with(lead, ["Beta Org", "Alpha Org"], status="published")
    reads = []
    real = FinalLetter.from_dict.__func__
    monkeypatch.setattr(FinalLetter, "from_dict",
                        classmethod(lambda cls, data: reads.append(1) or real(cls, data)))  # fmt: skip
    for _ in range(2):
        assert listed(client, letter) == ("2", ["1. Alpha Org", "2. Beta Org"])
        data = client.get(f"/api/v1/letters/{letter.slug}").get_json()
        assert [s["name"] for s in data["signatories"]] == ["Alpha Org", "Beta Org"]
        assert "2 signatures" in client.get(f"/l/{letter.slug}/count.svg").get_data(as_text=True)
    assert len(reads) == 1
