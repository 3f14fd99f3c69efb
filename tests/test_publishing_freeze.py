"""Finalizing freezes the letter: the record, its hash, unchanging exports, and the emails."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, FinalLetterRecord, OutboxMessage, SignatureStatus
from app.publishing.final_letter import FinalLetter
from app.publishing.freezing import freeze_final_letter
from app.publishing.store import load_final_letter
from tests.conftest import login, post_form
from tests.letters_support import actor_for, reload
from tests.support.publishing_factories import add_signature, letter_with


@pytest.fixture
def lead(make):
    return make.user("lead@example.org", name="Lena Lead")


def exports_of(client, slug: str) -> dict[str, bytes]:
    out = {}
    for fmt in ("pdf", "docx", "html", "md", "txt", "csv", "json"):
        response = client.get(f"/letters/{slug}/export.{fmt}")
        assert response.status_code == 200
        out[fmt] = response.get_data()
    return out


def test_finalizing_writes_the_record_with_its_hash(lead, make):
    letter = letter_with(lead, ["Beta Org", "Alpha Org"], status="final", unnamed=["Quiet Org"])
    record = db.session.scalar(sa.select(FinalLetterRecord))
    assert record.letter_id == letter.id
    fl = FinalLetter.from_dict(record.data)
    assert fl.status == "FINAL" and record.content_hash == fl.content_hash == fl.computed_hash()
    assert [o.name for o in fl.organizations] == ["Alpha Org", "Beta Org"]
    assert fl.date_line  # the day it was finalized, written out
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "letter.final_frozen")
    )
    assert event.details["content_hash"] == fl.content_hash and event.details["unnamed"] == 1
    # Freezing twice (e.g. a retried hook) keeps the first record.
    assert freeze_final_letter(reload(letter), actor=actor_for(lead)).id == record.id


def test_after_finalizing_nothing_changes_any_export(lead, client):
    letter = letter_with(lead, ["Beta Org", "Alpha Org"], status="final")
    login(client, "lead@example.org")
    before = exports_of(client, letter.slug)
    frozen_hash = db.session.scalar(sa.select(FinalLetterRecord.content_hash))
    # Rows change behind the letter's back: a late approval, a new signature, a rename.
    late = add_signature(letter, "Aardvark Late Org", status=SignatureStatus.verified)
    late.status = SignatureStatus.approved
    add_signature(letter, "Another Late Org")
    renamed = db.session.scalar(
        sa.select(type(late)).where(type(late).organization_name == "Beta Org")
    )
    renamed.organization_name = "Beta Renamed"
    db.session.commit()
    after = exports_of(client, letter.slug)
    for fmt in ("docx", "html", "md", "txt", "csv", "json"):
        assert after[fmt] == before[fmt], fmt
    # The PDF is served from the cache of this content hash: byte for byte the same file.
    assert after["pdf"] == before["pdf"]
    assert load_final_letter(reload(letter)).content_hash == frozen_hash
    assert b"Aardvark" not in after["txt"] and b"Beta Renamed" not in after["txt"]


def test_every_listed_signer_is_told_how_they_are_listed(lead):
    letter = letter_with(
        lead,
        ["Beta Org", "Alpha Org"],
        status="closed",
        unnamed=["Quiet Org"],
        individuals=[("Jane Roe", "Lab of Norland")],
    )
    add_signature(letter, "Pending Org", status=SignatureStatus.verified)
    from app import workflow

    workflow.finalize_letter(letter, actor=actor_for(lead), confirmed=True)
    db.session.commit()
    messages = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "letter_final")
    ).all()
    bodies = {m.text_body.split("\n", 1)[0]: m for m in messages}
    assert len(messages) == 4  # the approved ones, named or not; never the pending one
    texts = "\n".join(m.text_body for m in messages)
    assert "Your organization is listed as number 1: “Alpha Org”." in texts
    assert "Your organization is listed as number 2: “Beta Org”." in texts
    assert "“and 1 organization that cannot be named for its safety”" in texts
    assert "“Jane Roe, Lab of Norland (for identification only)”" in texts
    assert all(m.subject == f"The letter “{letter.title}” is final" for m in messages)
    assert all("/s/manage/" in m.text_body for m in messages)  # signing offers manage links
    assert all(m.html_body.count("<strong>") >= 1 for m in messages)
    assert "Hello Jane Roe," in bodies


def test_the_finalize_page_shows_the_list_that_will_be_frozen(lead, client):
    letter = letter_with(lead, ["Beta Org", "Alpha Org"], status="closed", unnamed=["Quiet"])
    login(client, "lead@example.org")
    page = client.get(f"/letters/{letter.slug}/finalize").get_data(as_text=True)
    assert "The list that will be frozen" in page
    assert page.index("1. <bdi>Alpha Org</bdi>") < page.index("2. <bdi>Beta Org</bdi>")
    assert "3 organizations (1 not named for their safety)" in page
    response = post_form(client, f"/letters/{letter.slug}/finalize", {"confirm": "y"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FinalLetterRecord)) == 1
