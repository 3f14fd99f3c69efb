"""Signing on through the real pages and a real SMTP server: open link, invitation, the
"already signed" case, moderation, withdrawal, and email links that change nothing on GET."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.mail.worker import send_due
from app.models import AuditEvent, InvitationStatus, OutboxMessage, SignatureStatus
from app.signing import queries
from tests.conftest import login, post_form
from tests.support.signing_factories import (
    links_in,
    make_invitation,
    make_open_letter,
    sign_form,
    signatures_of,
)

pytestmark = pytest.mark.smtp

LABELS = (
    "Organization name", "Acronym", "Website", "Country", "Your name", "Your title", "Email",
    "I am authorized to sign on behalf of this organization", "Do not list our organization publicly",
)  # fmt: skip


def deliver(app) -> None:
    with app.app_context():
        send_due(worker_id="t")
        db.session.remove()


def snapshot(letter) -> tuple:
    """Everything a link could change: the signatures, the audit trail, the outbox."""
    db.session.expire_all()
    rows = [
        (s.id, s.status, s.version_number, s.verified_at, s.manage_token_hash, s.organization_name)
        for s in signatures_of(letter)
    ]
    audit = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    outbox = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    return rows, audit, outbox


def sign_by_email(app, client, smtp_server, letter, **form) -> dict[str, str]:
    """Sign on through the open link and return the links of the email that arrives."""
    before = len(smtp_server.messages)
    response = post_form(client, f"/l/{letter.slug}/sign", sign_form(**form))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "Check your email" in response.get_data(as_text=True)
    deliver(app)
    message = smtp_server.wait_for(before + 1)[-1]
    return links_in(message.text)


def test_open_link_sign_on_is_listed_after_the_emailed_button(app, client, make, smtp_server):
    lead = make.user("amara@open-budgets.example.org")
    letter = make_open_letter(lead)

    page = client.get(f"/l/{letter.slug}/sign").get_data(as_text=True)
    for label in LABELS:
        assert f">{label}</label>" in page
    assert "We write to ask for the release of the detained river guides." in page
    assert 'id="signature-count">0<' in page
    assert letter.organization.name in page

    links = sign_by_email(app, client, smtp_server, letter)
    (signature,) = signatures_of(letter)
    assert signature.status is SignatureStatus.unverified
    assert (signature.via.value, signature.version_number, signature.attested_authorized) == (
        "open_link",
        2,
        True,
    )
    assert signature.ip and signature.user_agent
    message = smtp_server.messages[-1]
    assert message.to == "ana@tidewater.example.org"
    assert message.subject == f"Please confirm your signature on “{letter.title}”"
    assert message.message["Reply-To"] == "amara@open-budgets.example.org"
    assert set(links) == {"verify", "manage"}
    assert links["verify"] in message.html and links["manage"] in message.html

    before = snapshot(letter)
    page = client.get(links["verify"])
    assert page.status_code == 200 and "Confirm my signature" in page.get_data(as_text=True)
    assert snapshot(letter) == before  # a mail scanner opening the link changes nothing

    confirmed = post_form(client, links["verify"], {})
    assert "your signature is confirmed" in confirmed.get_data(as_text=True)
    (signature,) = signatures_of(letter)
    assert signature.status is SignatureStatus.approved and signature.verified_at is not None
    assert queries.count_listed(letter) == 1
    assert [s.id for s in queries.listed_signatures(letter)] == [signature.id]
    assert 'id="signature-count">1<' in client.get(f"/l/{letter.slug}/sign").get_data(as_text=True)

    again = post_form(client, links["verify"], {}, token_from=f"/l/{letter.slug}/sign")
    assert again.status_code == 200
    assert signatures_of(letter)[0].status is SignatureStatus.approved


def test_invitation_with_the_invited_address_is_listed_at_once(app, client, make, smtp_server):
    lead = make.user("amara@open-budgets.example.org")
    letter = make_open_letter(lead, open_link=False)
    invitation, raw = make_invitation(
        letter, "Piet@Coastal.example.net", organization_name="Coastal Defenders Collective",
        contact_name="Piet Vandenberg",
    )  # fmt: skip

    page = client.get(f"/s/{raw}").get_data(as_text=True)
    assert (
        'value="Coastal Defenders Collective"' in page
        and 'value="Piet@Coastal.example.net"' in page
    )
    db.session.expire_all()
    # A GET is not a reader (mail scanners fetch links): "opened" waits for an interaction.
    assert invitation.status is not InvitationStatus.opened
    assert signatures_of(letter) == []

    form = sign_form(
        organization_name="Coastal Defenders Collective", email="piet@coastal.example.net"
    )
    response = post_form(client, f"/s/{raw}", form)
    assert "Thank you for signing" in response.get_data(as_text=True)
    (signature,) = signatures_of(letter)
    assert signature.status is SignatureStatus.approved
    assert (signature.via.value, signature.invitation_id) == ("invitation", invitation.id)
    db.session.refresh(invitation)
    assert invitation.status is InvitationStatus.signed

    deliver(app)
    (message,) = smtp_server.wait_for(1)
    assert message.subject == f"You signed “{letter.title}”"
    assert "Your signature is on the list." in message.text
    assert "manage" in links_in(message.text)


def test_invitation_used_with_another_address_needs_the_email(app, client, make, smtp_server):
    letter = make_open_letter(make.user(), open_link=False)
    invitation, raw = make_invitation(letter, "office@coastal.example.net")
    post_form(client, f"/s/{raw}", sign_form(email="intern@coastal.example.net"))
    (signature,) = signatures_of(letter)
    assert signature.status is SignatureStatus.unverified
    deliver(app)
    (message,) = smtp_server.wait_for(1)
    assert message.to == "intern@coastal.example.net"
    post_form(client, links_in(message.text)["verify"], {})
    db.session.refresh(invitation)
    assert signatures_of(letter)[0].status is SignatureStatus.approved
    assert invitation.status is InvitationStatus.signed


def test_withdraw_through_the_manage_link(app, client, make, smtp_server):
    letter = make_open_letter(make.user())
    links = sign_by_email(app, client, smtp_server, letter)
    post_form(client, links["verify"], {})
    before = snapshot(letter)
    page = client.get(links["manage"]).get_data(as_text=True)
    assert "Withdraw my signature" in page and "Tidewater Rights Project (TRP)" in page
    assert snapshot(letter) == before

    response = post_form(client, links["manage"] + "/withdraw", {}, token_from=links["manage"])
    assert response.status_code == 302
    (signature,) = signatures_of(letter)
    assert signature.status is SignatureStatus.withdrawn and signature.withdrawn_at is not None
    assert queries.count_listed(letter) == 0
    page = client.get(links["manage"]).get_data(as_text=True)
    assert "You withdrew this signature" in page and "Withdraw my signature" not in page
    again = post_form(
        client, links["manage"] + "/withdraw", {}, token_from=f"/l/{letter.slug}/sign"
    )
    assert again.status_code == 302 and signatures_of(letter)[0].status is SignatureStatus.withdrawn


def test_signing_again_shows_the_same_page_and_emails_the_owner(app, client, make, smtp_server):
    letter = make_open_letter(make.user())
    links = sign_by_email(app, client, smtp_server, letter, email="Hana.Kowal@gmail.com")
    post_form(client, links["verify"], {})

    # Someone else types the same mailbox (dots and a +tag do not make it another one).
    stranger = post_form(client, f"/l/{letter.slug}/sign", sign_form(email="hanakowal+x@gmail.com"))
    fresh = post_form(
        client, f"/l/{letter.slug}/sign", sign_form(email="new@tidewater.example.org")
    )
    assert stranger.status_code == fresh.status_code == 200
    strip = lambda r, e: r.get_data(as_text=True).replace(e, "EMAIL")  # noqa: E731
    assert strip(stranger, "hanakowal+x@gmail.com") == strip(fresh, "new@tidewater.example.org")
    assert "already" not in stranger.get_data(as_text=True)

    assert (
        len([s for s in signatures_of(letter) if s.canonical_email == "hanakowal@gmail.com"]) == 1
    )
    deliver(app)
    owner = [m for m in smtp_server.wait_for(3) if m.subject.startswith("Your signature on")]
    assert [m.to for m in owner] == ["Hana.Kowal@gmail.com"]
    assert "has already signed" in owner[0].text
    new_manage = links_in(owner[0].text)["manage"]
    assert client.get(new_manage).status_code == 200
    assert client.get(links["manage"]).status_code == 200  # earlier links keep working


def test_moderation_on_waits_for_the_lead(app, client, make, smtp_server):
    lead = make.user("amara@open-budgets.example.org")
    letter = make_open_letter(lead, moderation=True)
    links = sign_by_email(app, client, smtp_server, letter)
    post_form(client, links["verify"], {})
    (signature,) = signatures_of(letter)
    assert signature.status is SignatureStatus.verified and queries.count_listed(letter) == 0

    login(client, "amara@open-budgets.example.org")
    path = f"/letters/{letter.slug}/signatures"
    response = post_form(client, f"{path}/{signature.id}/approve", {}, token_from=path)
    assert response.status_code == 302
    assert signatures_of(letter)[0].status is SignatureStatus.approved
    deliver(app)
    approved = smtp_server.wait_for(2)[-1]
    assert approved.subject == f"You are listed on “{letter.title}”"
    assert "manage" in links_in(approved.text)


def test_individual_signers_where_allowed(app, client, make, smtp_server):
    letter = make_open_letter(make.user(), individuals_allowed=True)
    page = client.get(f"/l/{letter.slug}/sign/individual").get_data(as_text=True)
    assert "Affiliation (for identification only)" in page
    form = {"signer_name": "Mira Castell", "affiliation": "University of Calder Vale",
            "country": "Lowmarsh", "email": "mira@example.net", "authorized": "y"}  # fmt: skip
    assert "Check your email" in post_form(
        client, f"/l/{letter.slug}/sign/individual", form
    ).get_data(as_text=True)
    (signature,) = signatures_of(letter)
    assert (signature.kind.value, signature.display_name) == ("individual", "Mira Castell")

    closed = make_open_letter(make.user(), title="Organizations only")
    response = client.get(f"/l/{closed.slug}/sign/individual")
    assert "signed by organizations only" in response.get_data(as_text=True)


def test_an_invitee_signing_through_the_open_link_answers_the_invitation(app, client, make):
    letter = make_open_letter(make.user())
    invitation, _ = make_invitation(letter, "office@coastal.example.net")
    post_form(client, f"/l/{letter.slug}/sign", sign_form(email="Office@coastal.example.net"))
    (signature,) = signatures_of(letter)
    assert signature.status is SignatureStatus.unverified  # the open link always asks
    outbox = db.session.scalars(sa.select(OutboxMessage)).all()
    post_form(client, links_in(outbox[-1].text_body)["verify"], {})
    db.session.refresh(invitation)
    assert invitation.status is InvitationStatus.signed
