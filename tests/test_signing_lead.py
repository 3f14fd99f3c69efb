"""The lead's signatures page: counts, filters, decisions, duplicates, listing edits, CSV."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, OutboxMessage, SignatureStatus
from app.signing import queries
from tests.conftest import login, post_form
from tests.support.signing_factories import make_open_letter, make_signature, signatures_of

LEAD = "amara@open-budgets.example.org"


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_only_the_lead_sees_the_signatures(client, make):
    letter = make_open_letter(make.user(LEAD))
    make.user("outsider@elsewhere.example.org")
    assert client.get(f"/letters/{letter.slug}/signatures").status_code == 302  # log in first
    login(client, "outsider@elsewhere.example.org")
    assert client.get(f"/letters/{letter.slug}/signatures").status_code == 404
    assert client.get(f"/letters/{letter.slug}/signatures.csv").status_code == 404


def test_counts_filters_signals_and_search(client, make):
    letter = make_open_letter(make.user(LEAD), moderation=True)
    make_signature(letter, organization_name="Riverbank Legal Aid", email="amina@riverbank.example.org",
                   website="riverbank.example.org")  # fmt: skip
    make_signature(letter, organization_name="Lowland Forest Friends", email="forest.friends@gmail.com",
                   status="verified")  # fmt: skip
    make_signature(letter, organization_name="Mountain Water", status="unverified")
    login(client, LEAD)
    page = client.get(f"/letters/{letter.slug}/signatures").get_data(as_text=True)
    assert "1 listed" in page
    assert "email matches website" in page and "webmail address" in page
    verified = client.get(f"/letters/{letter.slug}/signatures?show=verified").get_data(as_text=True)
    assert "Lowland Forest Friends" in verified and "Riverbank Legal Aid" not in verified
    found = client.get(f"/letters/{letter.slug}/signatures?q=riverbank").get_data(as_text=True)
    assert "Riverbank Legal Aid" in found and "Mountain Water" not in found
    assert queries.status_counts(letter)[SignatureStatus.unverified] == 1


def test_the_table_comes_in_pages_that_keep_the_filter(client, make, monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    letter = make_open_letter(make.user(LEAD))
    for n in range(1, 6):
        make_signature(
            letter, organization_name=f"Coalition {n}", email=f"c{n}@coalition{n}.example.org"
        )
    make_signature(letter, organization_name="Pending Partner", status="unverified")
    login(client, LEAD)
    base = f"/letters/{letter.slug}/signatures"

    first = client.get(f"{base}?show=approved").get_data(as_text=True)
    assert "Coalition 5" in first and "Coalition 4" in first and "Coalition 3" not in first
    assert "Showing 1–2 of 5, possible duplicates first, then newest first." in first
    assert f'href="{base}?show=approved&amp;page=2" rel="next"' in first
    last = client.get(f"{base}?show=approved&page=3").get_data(as_text=True)
    assert "Coalition 1" in last and "Coalition 2" not in last
    assert '<span aria-current="page">Page 3</span>' in last and 'rel="next"' not in last
    assert "Pending Partner" not in last
    # A page past the end, or not a number, still shows sign-ons rather than an empty table.
    assert "Coalition 1" in client.get(f"{base}?show=approved&page=99").get_data(as_text=True)
    assert "Coalition 5" in client.get(f"{base}?show=approved&page=x").get_data(as_text=True)
    # Few enough to fit on one page: no pager at all.
    searched = client.get(f"{base}?q=Coalition+2").get_data(as_text=True)
    assert "Coalition 2" in searched and "Pages of sign-ons" not in searched


def test_bulk_approve_and_reject(client, make):
    letter = make_open_letter(make.user(LEAD), moderation=True)
    waiting = [make_signature(letter, status="verified") for _ in range(3)]
    unconfirmed = make_signature(letter, status="unverified")
    login(client, LEAD)
    path = f"/letters/{letter.slug}/signatures"
    ids = [str(s.id) for s in waiting[:2]] + [str(unconfirmed.id)]
    response = post_form(client, f"{path}/bulk", {"action": "approve", "ids": ids}, token_from=path)
    assert response.status_code == 302
    statuses = {s.id: s.status for s in signatures_of(letter)}
    assert [statuses[s.id] for s in waiting] == [
        SignatureStatus.approved, SignatureStatus.approved, SignatureStatus.verified,
    ]  # fmt: skip
    assert statuses[unconfirmed.id] is SignatureStatus.unverified  # never confirmed: refused
    page = client.get(path).get_data(as_text=True)
    assert "2 sign-ons approved." in page and "never confirmed by email" in page

    post_form(
        client, f"{path}/bulk", {"action": "reject", "ids": [str(waiting[0].id)]}, token_from=path
    )
    assert signatures_of(letter)[0].status is SignatureStatus.rejected
    assert queries.count_listed(letter) == 1


def test_duplicate_is_flagged_then_merged(client, make):
    letter = make_open_letter(make.user(LEAD))
    first = make_signature(letter, organization_name="Centre for Civic Freedom", acronym="CCF")
    second = make_signature(letter, organization_name="Center for Civic Freedom")
    # Listed like any sign-on (moderation is off), and flagged for the lead.
    assert second.possible_duplicate_of_id == first.id and queries.count_listed(letter) == 2
    login(client, LEAD)
    detail = f"/letters/{letter.slug}/signatures/{second.id}"
    page = client.get(detail).get_data(as_text=True)
    assert "Possible duplicate" in page and "Keep both" in page
    assert "possible duplicate of Centre for Civic Freedom (CCF)" in client.get(
        f"/letters/{letter.slug}/signatures?show=duplicates"
    ).get_data(as_text=True)

    response = post_form(client, f"{detail}/merge", {"keep": str(first.id), "back": "detail"},
                         token_from=detail)  # fmt: skip
    assert response.status_code == 302
    kept, dropped = signatures_of(letter)
    assert kept.status is SignatureStatus.approved
    assert (
        dropped.status is SignatureStatus.rejected and dropped.possible_duplicate_of_id == kept.id
    )
    assert queries.count_listed(letter) == 1
    (merged,) = [m for m in outbox() if m.kind == "signature_merged"]
    assert merged.to_addr == dropped.email and "/s/manage/" in merged.text_body
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "signature.merged"))
    assert event.details["kept"] == kept.id and event.details["dropped"] == dropped.id


def test_duplicate_kept_both_is_listed(client, make):
    letter = make_open_letter(make.user(LEAD))
    make_signature(letter, organization_name="Friends of the Delta")
    second = make_signature(letter, organization_name="Friends of the Delta")
    login(client, LEAD)
    detail = f"/letters/{letter.slug}/signatures/{second.id}"
    post_form(client, f"{detail}/keep", {}, token_from=detail)
    assert [s.status for s in signatures_of(letter)] == [SignatureStatus.approved] * 2
    assert queries.count_listed(letter) == 2 and queries.count_flagged(letter) == 0


def test_lead_edits_the_listing_and_the_signer_is_told(client, make):
    letter = make_open_letter(make.user(LEAD))
    signature = make_signature(letter, organization_name="Tidewater Rights Projekt")
    login(client, LEAD)
    detail = f"/letters/{letter.slug}/signatures/{signature.id}"
    response = post_form(client, detail, {"organization_name": "Tidewater Rights Project",
                                          "acronym": "TRP", "signer_name": "Ana Lindqvist",
                                          "not_listed": "y"})  # fmt: skip
    assert response.status_code == 302
    (signature,) = signatures_of(letter)
    assert signature.display_name == "Tidewater Rights Project (TRP)"
    assert signature.listed_publicly is False and signature.status is SignatureStatus.approved
    (message,) = outbox()
    assert message.kind == "signature_listing_changed"
    assert (
        "Tidewater Rights Projekt" in message.text_body
        and "(not named publicly)" in message.text_body
    )
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "signature.listing_changed")
    )
    assert event.details["by_lead"] is True and event.actor_user_id is not None
    assert queries.count_listed(letter) == 1 and queries.count_unnamed(letter) == 1

    bad = post_form(client, detail, {"organization_name": "=cmd()", "signer_name": "Ana"})
    assert bad.status_code == 422 and "cannot start with" in bad.get_data(as_text=True)


def test_csv_has_consent_columns_and_is_formula_safe(client, make):
    letter = make_open_letter(make.user(LEAD))
    make_signature(letter, organization_name="Égalité", note_to_lead='=HYPERLINK("http://x")')
    make_signature(letter, organization_name="PA “Bir Duino-Kyrgyzstan”", status="withdrawn",
                   note_to_lead="@SUM(A1)")  # fmt: skip
    login(client, LEAD)
    response = client.get(f"/letters/{letter.slug}/signatures.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r["organization_name"] for r in rows] == ["Égalité", "PA “Bir Duino-Kyrgyzstan”"]
    first = rows[0]
    for column in ("email", "verified_at", "attested_authorized", "version_signed", "via", "ip",
                   "user_agent", "signed_at"):  # fmt: skip
        assert first[column], column
    assert first["attested_authorized"] == "yes" and first["via"] == "open_link"
    assert first["note_to_lead"] == '\'=HYPERLINK("http://x")'
    assert rows[1]["note_to_lead"] == "'@SUM(A1)"
    assert rows[1]["status"] == "withdrawn"
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(AuditEvent.action == "signatures.exported")
        )
        == 1
    )
