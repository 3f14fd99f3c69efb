"""The lead's decisions (issue 13.7): reject with a reason and an optional email; reject,
merge and keep-both undone until final; signers told once, and truthfully."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.actor import Actor
from app.errors import Refused
from app.extensions import db
from app.models import AuditEvent, LetterStatus, OutboxMessage, OutboxStatus, SignatureStatus
from app.signing import operations, queries
from tests.conftest import login, post_form
from tests.support.journey import deliver
from tests.support.publishing_factories import advance
from tests.support.signing_factories import make_open_letter, make_signature, signatures_of

LEAD = "amara@open-budgets.example.org"
S = SignatureStatus
LEAD_ACTOR = Actor(label="test lead")


def mail(kind: str | None = None) -> list[OutboxMessage]:
    db.session.expire_all()
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def _lead(app, letter):
    client = app.test_client()
    login(client, LEAD)
    return client


def test_reject_with_a_reason_emails_the_signer_and_undo_stops_the_email(app, make):
    letter = make_open_letter(make.user(LEAD))
    signature = make_signature(letter, organization_name="Best Cheap Watches Ltd")
    client = _lead(app, letter)
    detail = f"/letters/{letter.slug}/signatures/{signature.id}"
    page = client.get(detail).get_data(as_text=True)
    assert "Reason (optional" in page and "Email the signer" in page
    response = post_form(client, f"{detail}/reject",
                         {"reason": "Not an organization working on the delta.",
                          "tell_signer": "y", "back": "detail"}, token_from=detail)  # fmt: skip
    assert response.status_code == 302
    (signature,) = signatures_of(letter)
    assert signature.status is S.rejected
    assert signature.reject_reason == "Not an organization working on the delta."
    (email,) = mail("signature_rejected")
    assert email.to_addr == signature.email
    assert "The reason they gave: Not an organization working on the delta." in email.text_body
    assert email.next_attempt_at > email.created_at  # waits a few minutes: time to undo
    page = client.get(detail).get_data(as_text=True)
    assert "Reason for rejecting: Not an organization" in page and "Undo reject" in page

    post_form(client, f"{detail}/undo", {"back": "detail"}, token_from=detail)
    (signature,) = signatures_of(letter)
    assert signature.status is S.approved and signature.reject_reason == ""
    assert queries.count_listed(letter) == 1
    assert mail() == []  # the signer never heard of a decision that did not stand
    twice = post_form(client, f"{detail}/undo", {"back": "detail"}, token_from=detail,
                      follow_redirects=True)  # fmt: skip
    assert twice.status_code == 200 and "no decision to undo" in twice.get_data(as_text=True)
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "signature.decision_undone")
    )
    assert event.details["decision"] == "reject"


def test_reject_without_email_tells_nobody_and_an_undo_after_sending_tells_the_truth(make):
    letter = make_open_letter(make.user(LEAD))
    quiet = make_signature(letter)
    operations.reject(quiet, actor=LEAD_ACTOR, reason="duplicate of our partner")
    assert mail() == [] and quiet.reject_reason == "duplicate of our partner"

    told = make_signature(letter)
    operations.reject(told, actor=LEAD_ACTOR, tell_signer=True)
    (email,) = mail("signature_rejected")
    assert "The reason they gave" not in email.text_body
    email.status = OutboxStatus.sent  # it has left
    db.session.commit()
    operations.undo(told, actor=LEAD_ACTOR)
    db.session.commit()
    (undone,) = mail("signature_undone")
    assert undone.to_addr == told.email and "listed" in undone.text_body
    assert told.status is S.approved


def test_undo_never_fails_badly_once_something_else_changed(app, make):
    letter = make_open_letter(make.user(LEAD))
    make_signature(letter, organization_name="Friends of the Delta")
    second = make_signature(letter, organization_name="Friends of the Delta")
    operations.keep_duplicate(second, actor=LEAD_ACTOR)
    operations.withdraw(second, actor=LEAD_ACTOR)  # the signer withdrew meanwhile
    db.session.commit()
    client = _lead(app, letter)
    detail = f"/letters/{letter.slug}/signatures/{second.id}"
    assert "Undo keep both" not in client.get(detail).get_data(as_text=True)
    response = post_form(client, f"{detail}/undo", {"back": "detail"}, token_from=detail)
    assert response.status_code == 302
    page = client.get(detail).get_data(as_text=True)
    assert "changed since that decision" in page
    assert signatures_of(letter)[1].status is S.withdrawn

    again = make_signature(letter)
    operations.reject(again, actor=LEAD_ACTOR)
    operations.approve(again, actor=LEAD_ACTOR)  # decided again: the reject is gone
    try:
        operations.undo(again, actor=LEAD_ACTOR)
    except Refused as refused:
        assert "no decision to undo" in str(refused)
    else:  # pragma: no cover
        raise AssertionError("undo without a decision must be refused")


def test_no_undo_once_the_letter_is_final(make):
    lead = make.user(LEAD)
    letter = make_open_letter(lead)
    make_signature(letter)
    signature = make_signature(letter)
    operations.reject(signature, actor=LEAD_ACTOR)
    db.session.commit()
    advance(letter, lead, "final")
    assert letter.status is LetterStatus.final
    try:
        operations.undo(signature, actor=LEAD_ACTOR)
    except Refused as refused:
        assert "final" in str(refused)
    else:  # pragma: no cover
        raise AssertionError("a final letter's list cannot change")


def test_merge_is_truthful_and_undone(app, make, config):
    config["SIGNING_DECISION_EMAIL_DELAY_MINUTES"] = 0
    letter = make_open_letter(make.user(LEAD), moderation=True)
    first = make_signature(letter, organization_name="Centre for Civic Freedom", status=S.verified)
    second = make_signature(letter, organization_name="Center for Civic Freedom", status=S.verified)
    assert second.possible_duplicate_of_id == first.id
    client = _lead(app, letter)
    detail = f"/letters/{letter.slug}/signatures/{second.id}"
    post_form(client, f"{detail}/merge", {"keep": str(first.id), "back": "detail"},
              token_from=detail)  # fmt: skip
    first, second = signatures_of(letter)
    assert (first.status, second.status) == (S.verified, S.rejected)
    (merged,) = mail("signature_merged")
    # The kept sign-on waits for the lead: the email does not say it is listed.
    assert "not listed yet" in merged.text_body and "is listed once" not in merged.text_body

    merged.status = OutboxStatus.sent
    db.session.commit()
    post_form(client, f"{detail}/undo", {"back": "detail"}, token_from=detail)
    first, second = signatures_of(letter)
    assert (first.status, second.status) == (S.verified, S.verified)
    assert second.possible_duplicate_of_id == first.id and second.duplicate_kept_at is None
    (undone,) = mail("signature_undone")
    assert undone.to_addr == second.email


def test_merged_signers_hear_when_the_kept_listing_goes(make):
    letter = make_open_letter(make.user(LEAD))
    first = make_signature(letter, organization_name="Centre for Civic Freedom")
    second = make_signature(letter, organization_name="Center for Civic Freedom")
    operations.merge_duplicate(second, keep_id=first.id, actor=LEAD_ACTOR)
    (merged,) = mail("signature_merged")
    assert (
        "listed once, through the other sign-on, as: Centre for Civic Freedom" in merged.text_body
    )
    operations.reject(first, actor=LEAD_ACTOR)
    db.session.commit()
    (gone,) = mail("signature_merged_gone")
    assert gone.to_addr == second.email and "not listed at the moment" in gone.text_body
    gone.status = OutboxStatus.sent
    db.session.commit()
    operations.undo(first, actor=LEAD_ACTOR)  # the kept one is listed again: so they hear
    db.session.commit()
    assert len(mail("signature_merged")) == 2 and mail("signature_undone") == []


def test_keep_both_is_undone_and_flagged_again(app, make):
    letter = make_open_letter(make.user(LEAD))
    make_signature(letter, organization_name="Friends of the Delta")
    second = make_signature(letter, organization_name="Friends of the Delta")
    client = _lead(app, letter)
    detail = f"/letters/{letter.slug}/signatures/{second.id}"
    post_form(client, f"{detail}/keep", {"back": "detail"}, token_from=detail)
    assert queries.count_flagged(letter) == 0
    page = client.get(f"/letters/{letter.slug}/signatures").get_data(as_text=True)
    assert "Undo keep both" in page
    post_form(client, f"{detail}/undo", {"back": "detail"}, token_from=detail)
    assert queries.count_flagged(letter) == 1 and queries.count_listed(letter) == 2


@pytest.mark.smtp
def test_decision_and_naming_emails_as_they_arrive(app, make, config, smtp_server):
    config["SIGNING_DECISION_EMAIL_DELAY_MINUTES"] = 0
    letter = make_open_letter(make.user(LEAD))
    first = make_signature(letter, organization_name="Centre for Civic Freedom")
    second = make_signature(letter, organization_name="Center for Civic Freedom",
                            listed_publicly=False)  # fmt: skip
    spam = make_signature(letter, organization_name="Best Cheap Watches Ltd")
    operations.reject(spam, actor=LEAD_ACTOR, reason="Not an organization.", tell_signer=True)
    operations.merge_duplicate(second, keep_id=first.id, actor=LEAD_ACTOR)
    db.session.commit()
    deliver(app)
    rejected, merged = smtp_server.wait_for(2)
    assert rejected.to == spam.email and rejected.subject == f"Your sign-on to “{letter.title}”"
    assert "The reason they gave: Not an organization." in rejected.text
    assert "/s/manage/" in rejected.text and "The reason they gave" in rejected.html
    assert merged.to == second.email
    assert "listed once, through the other sign-on, as: Centre for Civic Freedom" in merged.text
