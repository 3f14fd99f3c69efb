"""The publication intro is three literal placeholders, never a format string: the payloads
that made a 100 MB export.json and a 500 on every public route are refused at save, and a
template saved before this rule falls back instead of failing."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.letters.intro import fill_intro, intro_problem
from app.publishing.exports import FORMATS
from tests.conftest import login, post_form
from tests.support.publishing_factories import advance, letter_with
from tests.test_letters_pages import settings_form

PAYLOADS = ["{lead:x>100000000}", "{lead:{lead.nope}}"]
MORE = ["{lead!r}", "{lead.__class__}", "{others[0]}", "{0}", "{}", "{{lead}}", "{Lead}", "}"]


@pytest.fixture
def lead(make):
    return make.user("lead@example.org", name="Lena Lead")


@pytest.mark.parametrize("payload", PAYLOADS + MORE)
def test_the_settings_form_refuses_anything_but_the_three_placeholders(lead, client, payload):
    letter = letter_with(lead, ["Alpha Org"], status="open")
    login(client, "lead@example.org")
    page = post_form(
        client, f"/letters/{letter.slug}/settings",
        settings_form(letter, intro_template=f"{payload} and friends urge"),
    )  # fmt: skip
    assert "Only {lead}, {others} and {count} can be filled in; remove" in page.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert letter.intro_template == "{lead} and {others} organizations urge …"


def test_the_three_placeholders_are_filled_by_plain_replacement():
    template = "{lead}, {count} in all ({others} others) urge"
    assert intro_problem(template) is None
    assert (
        fill_intro(template, lead="{count} Org", others=2, count=3)
        == "{count} Org, 3 in all (2 others) urge"
    )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_hostile_template_saved_earlier_falls_back_on_every_route(lead, make, client, payload):
    letter = letter_with(lead, ["Alpha Org", "Beta Org"], status="open")
    letter.intro_template = payload  # as if saved before the rule existed
    db.session.commit()
    advance(letter, lead, "published-open")
    fallback = f"{letter.organization.name} and 2 organizations"
    public = client.get(f"/l/{letter.slug}")
    api = client.get(f"/api/v1/letters/{letter.slug}")
    for response in (public, api):
        assert response.status_code == 200 and len(response.data) < 200_000
    assert fallback in public.get_data(as_text=True)
    login(client, "lead@example.org")
    preview = client.get(f"/letters/{letter.slug}/preview")
    assert preview.status_code == 200 and len(preview.data) < 200_000
    for fmt in FORMATS:
        export = client.get(f"/letters/{letter.slug}/export.{fmt}")
        assert export.status_code == 200, fmt
        assert len(export.data) < 1_000_000, fmt
    assert fallback in client.get(f"/letters/{letter.slug}/export.json").get_data(as_text=True)
