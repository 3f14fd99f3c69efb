"""A follow-up letter: the same recipients, and every listed signatory invited in one step,
held until the follow-up opens."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app import workflow
from app.extensions import db
from app.letters import operations
from app.letters.text import LetterText
from app.models import Invitation, InvitationStatus, Letter, OutboxMessage, PartnerContact
from tests.conftest import login, post_form
from tests.letters_support import actor_for
from tests.support.delivery_factories import RECIPIENTS, final_letter
from tests.support.journey import deliver

pytestmark = pytest.mark.smtp


@pytest.fixture
def lead(make):
    return make.user("lena@budgets.example.org", name="Lena Lead")


def test_a_follow_up_copies_the_recipients_and_invites_the_signatories(
    app, client, smtp_server, lead
):
    letter = final_letter(lead)
    login(client, lead.email)
    path = f"/letters/{letter.slug}/follow-up"
    page = client.get(path).get_data(as_text=True)
    assert "The 3 listed signatories with contact data are invited" in page
    done = post_form(client, path, {"title": "Free the river guides, six months on"})
    assert done.status_code == 302
    db.session.expire_all()
    follow_up = db.session.scalar(sa.select(Letter).where(Letter.id != letter.id))
    assert follow_up.status.value == "draft"
    text = LetterText.from_version(operations.latest_version(follow_up))
    assert text.recipients == RECIPIENTS  # with their delivery addresses
    invitations = list(
        db.session.scalars(sa.select(Invitation).where(Invitation.letter_id == follow_up.id))
    )
    assert sorted(i.email for i in invitations) == [
        "alpha@alpha.example.org", "beta@beta.example.org", "gamma@gamma.example.org",
    ]  # fmt: skip
    assert {i.status for i in invitations} == {InvitationStatus.held}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind.like("invitation%"))) == 0  # fmt: skip
    # They are in the address book, as invited partners are.
    book = set(db.session.scalars(sa.select(PartnerContact.email)))
    assert {"alpha@alpha.example.org", "beta@beta.example.org"} <= book

    invitations_page = client.get(f"/letters/{follow_up.slug}/invitations").get_data(as_text=True)
    assert "Held until the letter opens" in invitations_page
    workflow.open_letter(follow_up, actor=actor_for(lead))
    db.session.commit()
    deliver(app)
    invited = [m for m in smtp_server.messages if "Invitation to sign on" in m.subject]
    assert sorted(m.to for m in invited) == [
        "alpha@alpha.example.org", "beta@beta.example.org", "gamma@gamma.example.org",
    ]  # fmt: skip
    db.session.expire_all()
    statuses = set(db.session.scalars(
        sa.select(Invitation.status).where(Invitation.letter_id == follow_up.id)))  # fmt: skip
    assert statuses == {InvitationStatus.sent}
    link = next(w for w in invited[0].text.split() if "/s/" in w)
    visitor = app.test_client()
    page = visitor.get(link.removeprefix("http://testserver.localhost"))
    assert page.status_code == 200 and "Free the river guides, six months on" in page.get_data(
        as_text=True
    )
