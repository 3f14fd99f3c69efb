"""The overview shows the letter as it will print: its real, numbered list, the counts that
matter, and the next step in words; with a fixed number of queries however long the list."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from app.letters import operations
from app.letters.lifecycle import Transition
from app.models import SignatureStatus
from tests.conftest import login
from tests.letters_support import actor_for
from tests.support.publishing_factories import add_signature, advance, letter_with


def overview(client, slug: str) -> str:
    response = client.get(f"/letters/{slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def listed(html: str) -> list[str]:
    section = html.split('id="live-letter-heading"', 1)[1].split('class="org-list', 1)[1]
    section = section.split("</ol>", 1)[0]
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", section)]


def test_the_overview_shows_the_real_numbered_list_the_counts_and_the_next_step(make, client):
    lead = make.user("lead@example.org", name="Lena Lead")
    letter = letter_with(lead, ["Zeta Collective", "Friends of the Delta"], unnamed=["Quiet Org"])
    add_signature(letter, "Waiting Union", status=SignatureStatus.verified)
    add_signature(letter, "Unconfirmed Group", status=SignatureStatus.unverified)
    login(client, "lead@example.org")
    html = overview(client, letter.slug)
    assert "[Signatory organization]" not in html
    assert listed(html)[:2] == ["1. Friends of the Delta, Norland", "2. Zeta Collective, Norland"]
    assert "and 1 organization that cannot be named for its safety" in html
    counts = re.search(r'id="list-counts">([^<]*)<', html).group(1)
    assert counts == "3 listed (1 not named) · 1 awaiting your decision · 1 unconfirmed"
    step = re.sub(r"\s+", " ", re.search(r'id="next-step">(.*?)</p>', html, re.S).group(1))
    assert "1 sign-on awaits your decision." in step
    assert f"/letters/{letter.slug}/signatures?show=verified" in step


def test_the_next_step_follows_the_letter_through_its_life(make, client):
    lead = make.user("lead@example.org")
    letter = letter_with(lead, ["Friends of the Delta"])
    login(client, "lead@example.org")
    assert "Close sign-on when you have enough" in overview(client, letter.slug)
    advance(letter, lead, "closed")
    assert "then finalize the letter" in overview(client, letter.slug)
    operations.transition(letter, Transition.finalize, actor=actor_for(lead), confirmed=True)
    db.session.commit()
    assert "Publish it to give it a public page" in overview(client, letter.slug)


def test_the_overview_asks_a_fixed_number_of_queries_however_long_the_list(make, client, app):
    lead = make.user("lead@example.org")
    letter = letter_with(lead, ["First Org"])
    login(client, "lead@example.org")
    counted: list[int] = []

    def count(*_args) -> None:
        counted.append(1)

    def queries() -> int:
        overview(client, letter.slug)  # the first visit builds what the next reuses
        counted.clear()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            overview(client, letter.slug)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(counted)

    few = queries()
    for n in range(60):
        add_signature(letter, f"Partner {n:03d}", commit=False)
    db.session.commit()
    assert queries() == few
