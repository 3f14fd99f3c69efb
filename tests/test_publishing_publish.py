"""Publishing is confirmed on a page that shows what the public will see and where; once the
letter is final and published, each listed signatory is told the address and the PDF, once."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import OutboxMessage, SignatureStatus
from app.publishing import publication
from tests.conftest import login, post_form
from tests.letters_support import actor_for
from tests.support.journey import deliver
from tests.support.publishing_factories import add_signature, letter_with


@pytest.fixture
def lead(make):
    return make.user("lead@example.org", name="Lena Lead")


def test_the_publish_page_shows_the_address_and_the_page_and_publishes_only_on_the_button(
    lead, client
):
    letter = letter_with(lead, ["Alpha Org", "Beta Org"], status="final")
    login(client, "lead@example.org")
    overview = client.get(f"/letters/{letter.slug}").get_data(as_text=True)
    assert f'href="/letters/{letter.slug}/publish"' in overview
    page = client.get(f"/letters/{letter.slug}/publish").get_data(as_text=True)
    address = f"http://testserver.localhost/l/{letter.slug}"
    assert address in page and "1. <bdi>Alpha Org</bdi>" in page
    db.session.expire_all()
    assert not letter.published  # opening the page changed nothing
    response = post_form(client, f"/letters/{letter.slug}/publish", {}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert f"The letter is published at {address}. 2 signatories were told." in html
    assert "Public page" in html and client.get(f"/l/{letter.slug}").status_code == 200
    # The lifecycle button goes through the same page.
    again = post_form(
        client, f"/letters/{letter.slug}/status/publish", {}, token_from=f"/letters/{letter.slug}"
    )
    assert again.status_code == 302 and again.location.endswith(f"/letters/{letter.slug}/publish")


def test_a_draft_cannot_be_published_and_the_page_says_why(lead, client):
    letter = letter_with(lead, [], status="open")
    letter.status = letter.status.draft
    db.session.commit()
    login(client, "lead@example.org")
    page = client.get(f"/letters/{letter.slug}/publish").get_data(as_text=True)
    assert "A draft cannot be published" in page and "Publish at this address" not in page


@pytest.mark.smtp
def test_listed_signatories_are_told_once_with_the_address_and_the_pdf(lead, app, smtp_server):
    letter = letter_with(lead, ["Alpha Org"], status="final", unnamed=["Quiet Org"])
    add_signature(letter, "Late Union", status=SignatureStatus.rejected, email="late@x.example")
    actor = actor_for(lead)
    assert publication.publish(letter, actor=actor) == 2
    db.session.commit()
    deliver(app)
    # The two "is final" emails of the finalization went too.
    messages = [m for m in smtp_server.wait_for(4) if m.subject.endswith("is published")]
    assert [m.subject for m in messages] == [f"“{letter.title}” is published"] * 2
    assert "late@x.example" not in {m.to for m in messages}
    text = messages[0].text
    assert f"http://testserver.localhost/l/{letter.slug}" in text
    assert f"http://testserver.localhost/l/{letter.slug}/letter.pdf" in text
    # Unpublished and published again: nobody is told twice.
    from app.letters import operations
    from app.letters.lifecycle import Transition

    operations.transition(letter, Transition.unpublish, actor=actor)
    assert publication.publish(letter, actor=actor) == 0
    db.session.commit()
    assert db.session.query(OutboxMessage).filter_by(kind="letter_published").count() == 2


def test_an_open_letter_published_tells_nobody_yet(lead):
    letter = letter_with(lead, ["Alpha Org"], status="open")
    assert publication.publish(letter, actor=actor_for(lead)) == 0
