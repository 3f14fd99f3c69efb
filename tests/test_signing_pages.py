"""The sign pages' edges: closed letters, bad input, the honeypot, a text that changed while
it was read, expiry, resending, and the signer's own corrections."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import OutboxMessage, SignatureStatus, utcnow
from app.signing import operations
from tests.conftest import post_form
from tests.letters_support import make_letter
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


def mail() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_draft_is_not_found_and_closed_letters_say_so_politely(client, make):
    lead = make.user(LEAD, name="Amara Okafor")
    draft = make_letter(lead, title="Not yet")
    assert client.get(f"/l/{draft.slug}/sign").status_code == 404
    assert client.get("/l/no-such-letter/sign").status_code == 404

    late = make_open_letter(lead, title="Too late", deadline=utcnow() + timedelta(days=1))
    late.deadline_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(f"/l/{late.slug}/sign")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "closed on" in text
    assert f"contact {lead.organizations[0].name}." in text and "Amara Okafor" not in text
    assert "Organization name" not in text
    response = post_form(client, f"/l/{late.slug}/sign", sign_form(), token_from="/auth/login")
    assert response.status_code == 409 and signatures_of(late) == []

    invited_only = make_open_letter(lead, title="By invitation", open_link=False)
    assert client.get(f"/l/{invited_only.slug}/sign").status_code == 404  # until published


def test_bad_input_gets_clear_messages_and_stores_nothing(client, make):
    letter = make_open_letter(make.user(LEAD))
    path = f"/l/{letter.slug}/sign"
    cases = {
        "organization_name": ("=SUM(A1:A9)", "cannot start with"),
        "signer_name": ("Ana www.example.org", "without a web address"),
        "acronym": ("T\u202eRP", "invisible control characters"),
        "website": ("javascript:alert(1)", "http:// or https://"),
        "email": ("not-an-address", "Invalid email address"),
        "authorized": (None, "Please confirm that you may sign"),
        "country": ("x" * 101, "Field cannot be longer than 100 characters"),
    }
    for name, (value, message) in cases.items():
        response = post_form(client, path, sign_form(**{name: value}))
        text = response.get_data(as_text=True)
        assert response.status_code == 422, name
        assert message in text, (name, text[:200])
        assert "Please correct the marked fields" in text
    assert signatures_of(letter) == [] and mail() == []


def test_the_honeypot_looks_like_success_and_stores_nothing(client, make):
    letter = make_open_letter(make.user(LEAD))
    response = post_form(client, f"/l/{letter.slug}/sign", sign_form(fax_number="+1 555 0100"))
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    assert signatures_of(letter) == [] and mail() == []


def test_a_text_changed_while_reading_must_be_read_again(client, make):
    letter = make_open_letter(make.user(LEAD))
    response = post_form(client, f"/l/{letter.slug}/sign", sign_form(version="1"))
    text = response.get_data(as_text=True)
    assert response.status_code == 409 and "updated while you were reading" in text
    assert 'name="version" type="hidden" value="2"' in text
    assert signatures_of(letter) == []


def test_unconfirmed_sign_ons_expire_and_free_the_address(app, make):
    letter = make_open_letter(make.user(LEAD))
    old = make_signature(letter, status="unverified", email="late@riverbank.example.org")
    old.verify_expires_at = utcnow() - timedelta(hours=1)  # its link ran out unused
    db.session.commit()
    fresh = make_signature(letter, status="unverified")
    result = app.test_cli_runner().invoke(args=["signatures", "expire"])
    assert result.exit_code == 0 and "1 unconfirmed sign-on expired." in result.output
    db.session.expire_all()
    assert (old.status, fresh.status) == (SignatureStatus.expired, SignatureStatus.unverified)
    assert old.verify_token_hash is None
    again = operations.sign(letter, details(email="late@riverbank.example.org"), actor=SIGNER)
    assert again.signature is not None and again.signature.id != old.id


def test_an_expired_link_says_so_and_changes_nothing(client, make):
    letter = make_open_letter(make.user(LEAD))
    post_form(client, f"/l/{letter.slug}/sign", sign_form())
    verify = links_in(mail()[0].text_body)["verify"]
    (signature,) = signatures_of(letter)
    signature.verify_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert "has expired" in client.get(verify).get_data(as_text=True)
    response = post_form(client, verify, {}, token_from=f"/l/{letter.slug}/sign")
    assert response.status_code == 409 and "expired" in response.get_data(as_text=True)
    assert signatures_of(letter)[0].status is SignatureStatus.unverified


def test_resending_is_silent_about_unknown_addresses(client, make):
    letter = make_open_letter(make.user(LEAD))
    post_form(client, f"/l/{letter.slug}/sign", sign_form())
    first = links_in(mail()[0].text_body)["verify"]
    path = f"/l/{letter.slug}/sign/resend"
    known = post_form(client, path, {"email": "ana@tidewater.example.org"})
    unknown = post_form(client, path, {"email": "nobody@tidewater.example.org"})
    assert known.get_data(as_text=True).replace("ana@", "X@") == unknown.get_data(
        as_text=True
    ).replace("nobody@", "X@")
    messages = mail()
    assert len(messages) == 2 and messages[1].to_addr == "ana@tidewater.example.org"
    assert client.get(first).status_code == 404  # the newer email holds the working link
    assert client.get(links_in(messages[1].text_body)["verify"]).status_code == 200


def test_the_signer_corrects_the_listing_and_moderation_looks_again(client, make):
    letter = make_open_letter(make.user(LEAD), moderation=True)
    post_form(client, f"/l/{letter.slug}/sign", sign_form())
    found = links_in(mail()[0].text_body)
    post_form(client, found["verify"], {})
    (signature,) = signatures_of(letter)
    from app.actor import Actor

    operations.approve(signature, actor=Actor(label="lead"))
    db.session.commit()
    form = {"organization_name": "Tidewater Rights Project", "acronym": "TRP",
            "signer_name": "Ana Lindqvist", "signer_title": "Chair", "country": "Norland"}  # fmt: skip
    assert post_form(client, found["manage"], form).status_code == 302
    (signature,) = signatures_of(letter)
    assert (signature.signer_title, signature.status) == ("Chair", SignatureStatus.approved)
    form |= {"organization_name": "Tidewater Rights Project International", "not_listed": "y"}
    post_form(client, found["manage"], form)
    (signature,) = signatures_of(letter)
    assert signature.status is SignatureStatus.verified  # a new name goes back to the lead
    assert signature.listed_publicly is False
    bad = post_form(client, found["manage"], form | {"signer_name": "@everyone"})
    assert bad.status_code == 422 and "cannot start with" in bad.get_data(as_text=True)
