"""The manual order editor, the export command, and the demo's final letter."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import FinalLetterRecord, Letter, OutboxMessage, SignatoryOrder, Signature
from app.publishing.demo import DEMO_SLUG, create_demo_final
from app.publishing.store import load_final_letter
from tests.conftest import login, post_form
from tests.letters_support import reload
from tests.support.publishing_factories import add_signature, letter_with


@pytest.fixture
def lead(make):
    return make.user("lead@example.org", name="Lena Lead")


def names(letter: Letter) -> list[str]:
    return [o.name for o in load_final_letter(reload(letter)).organizations]


def sig_id(name: str) -> int:
    return db.session.scalar(sa.select(Signature.id).where(Signature.organization_name == name))


def test_the_lead_orders_the_list_by_hand_and_newcomers_go_last(lead, client):
    letter = letter_with(lead, ["Charlie Org", "Alpha Org", "Bravo Org"])
    login(client, "lead@example.org")
    page = client.get(f"/letters/{letter.slug}/order").get_data(as_text=True)
    assert "Switch to manual order" in page
    base = f"/letters/{letter.slug}/order"
    post_form(client, f"{base}/manual", token_from=base)
    assert reload(letter).signatory_order is SignatoryOrder.manual
    assert names(letter) == ["Alpha Org", "Bravo Org", "Charlie Org"]  # starts as it was
    post_form(client, f"{base}/{sig_id('Charlie Org')}/up", token_from=base)
    assert names(letter) == ["Alpha Org", "Charlie Org", "Bravo Org"]
    post_form(client, f"{base}/{sig_id('Alpha Org')}/down", token_from=base)
    assert names(letter) == ["Charlie Org", "Alpha Org", "Bravo Org"]
    add_signature(letter, "Aardvark Org")  # a newcomer, alphabetically first
    assert names(letter) == ["Charlie Org", "Alpha Org", "Bravo Org", "Aardvark Org"]
    post_form(client, f"{base}/{sig_id('Aardvark Org')}/down", token_from=base)  # already last
    assert names(letter)[-1] == "Aardvark Org"
    post_form(client, f"{base}/{sig_id('Aardvark Org')}/up", token_from=base)
    assert names(letter) == ["Charlie Org", "Alpha Org", "Aardvark Org", "Bravo Org"]


def test_the_order_is_frozen_once_final(lead, client):
    letter = letter_with(lead, ["Bravo Org", "Alpha Org"], status="final")
    login(client, "lead@example.org")
    base = f"/letters/{letter.slug}/order"
    assert "its list is frozen as shown" in client.get(base).get_data(as_text=True)
    response = post_form(client, f"{base}/manual", token_from=base, follow_redirects=True)
    assert "This letter is final" in response.get_data(as_text=True)
    assert names(letter) == ["Alpha Org", "Bravo Org"]


def test_the_export_command_writes_a_file(lead, app, tmp_path):
    letter = letter_with(lead, ["Bravo Org", "Alpha Org"], status="final")
    runner = app.test_cli_runner()
    target = tmp_path / "letter.json"
    result = runner.invoke(
        args=["letters", "export", letter.slug, "--format", "json", "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(target.read_text())
    assert [o["name"] for o in data["organizations"]] == ["Alpha Org", "Bravo Org"]
    assert data["content_hash"] == db.session.scalar(sa.select(FinalLetterRecord.content_hash))
    pdf = tmp_path / "letter.pdf"
    result = runner.invoke(
        args=["letters", "export", letter.slug, "--format", "pdf", "--output", str(pdf)]
    )
    assert result.exit_code == 0 and pdf.read_bytes().startswith(b"%PDF")
    missing = runner.invoke(args=["letters", "export", "nope", "--format", "pdf", "--output", "-"])
    assert missing.exit_code != 0 and "No letter" in missing.output


def test_the_demo_final_letter(make, client):
    user = make.user("demo@example.org", name="Demo Lead")
    organization = user.organizations[0]
    create_demo_final(organization, user)
    db.session.commit()
    create_demo_final(organization, user)  # idempotent
    db.session.commit()
    letter = db.session.scalar(sa.select(Letter).where(Letter.slug == DEMO_SLUG))
    assert letter.status.value == "final" and letter.published
    fl = load_final_letter(letter)
    assert fl.organization_count == 100 and fl.unnamed_organizations == 2
    assert len(fl.organizations) == 98 and len(fl.individuals) == 4
    assert fl.organizations[0].name == organization.name  # the lead, pinned first
    assert fl.content_hash == db.session.scalar(sa.select(FinalLetterRecord.content_hash))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    html = client.get(f"/l/{DEMO_SLUG}").get_data(as_text=True)
    assert "and 2 organizations that cannot be named for their safety" in html
    assert client.get(f"/api/v1/letters/{DEMO_SLUG}").get_json()["count"] == 104
