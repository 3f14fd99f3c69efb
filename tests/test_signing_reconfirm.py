"""A material change while the letter is open: earlier signers get the diff by email and
answer with a button, reconfirm or withdraw; until then the lead sees "signed v2, current v3"."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app import workflow
from app.extensions import db
from app.letters import operations as letters
from app.letters.lifecycle import Transition
from app.letters.text import LetterText
from app.models import AuditEvent, OutboxMessage, SignatureStatus
from app.publishing.store import load_final_letter
from app.signing import operations as signing
from app.signing import queries
from app.signing.reconfirmation import unconfirmed_signatures
from tests.conftest import login, post_form
from tests.letters_support import READY, actor_for
from tests.support.signing_factories import make_open_letter, make_signature, signatures_of
from tests.test_signing_flow import deliver, snapshot

LEAD = "amara@open-budgets.example.org"
CHANGED = LetterText(
    recipients=READY.recipients,
    salutation=READY.salutation,
    body="We write to demand the release of the detained river guides.",
    closing=READY.closing,
)


def change_text(letter, user, *, material: bool, base: int = 2):
    version = workflow.save_text(
        letter, base_number=base, text=CHANGED if base == 2 else READY, actor=actor_for(user),
        material=material, note="Firmer",
    ).version  # fmt: skip
    db.session.commit()
    return version


@pytest.mark.smtp
def test_material_change_asks_earlier_signers_and_both_answers_work(app, client, make, smtp_server):
    lead = make.user(LEAD)
    letter = make_open_letter(lead)
    stays = make_signature(letter, email="stays@riverbank.example.org")
    leaves = make_signature(letter, email="leaves@harbour.example.org")
    make_signature(letter, status="unverified")  # confirms later, on the new text
    make_signature(letter, status="withdrawn")

    change_text(letter, lead, material=True)
    deliver(app)
    messages = smtp_server.wait_for(2)
    assert sorted(m.to for m in messages) == sorted([stays.email, leaves.email])
    message = next(m for m in messages if m.to == stays.email)
    assert message.subject == f"The text of “{letter.title}” has changed: do you still sign?"
    assert "[-ask for-]{+demand+}" in message.text
    assert "<del>ask for</del><ins>demand</ins>" in message.html
    link = next(line for line in message.text.split() if line.endswith("/reconfirm"))
    path = link.removeprefix("http://testserver.localhost")
    manage = path.removesuffix("/reconfirm")
    assert manage in message.text  # and the manage link, as in every email to a signer

    login(client, LEAD)
    page = client.get(f"/letters/{letter.slug}/signatures").get_data(as_text=True)
    assert page.count("signed v2, current v3") == 2
    assert {s.id for s in unconfirmed_signatures(letter)} == {stays.id, leaves.id}

    before = snapshot(letter)
    page = client.get(path).get_data(as_text=True)
    assert "I still sign the current text" in page and "Withdraw my signature" in page
    assert snapshot(letter) == before

    response = post_form(client, path, {"version": "3"})  # the version the page showed
    assert response.status_code == 302
    db.session.expire_all()
    assert (stays.version_number, stays.status) == (3, SignatureStatus.approved)

    other = next(m for m in messages if m.to == leaves.email)
    other_manage = next(
        w for w in other.text.split() if "/s/manage/" in w and not w.endswith("/reconfirm")
    ).removeprefix("http://testserver.localhost")
    post_form(client, other_manage + "/withdraw", {}, token_from=other_manage + "/reconfirm")
    db.session.expire_all()
    assert leaves.status is SignatureStatus.withdrawn
    assert unconfirmed_signatures(letter) == []
    assert queries.count_listed(letter) == 1
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(AuditEvent.action == "signature.reconfirmed")
        )
        == 1
    )


def test_a_change_not_marked_material_asks_nobody(make):
    lead = make.user(LEAD)
    letter = make_open_letter(lead)
    make_signature(letter)
    change_text(letter, lead, material=False)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert unconfirmed_signatures(letter) == []


def test_reconfirming_a_stale_page_is_refused(client, make):
    lead = make.user(LEAD)
    letter = make_open_letter(lead)
    make_signature(letter)
    change_text(letter, lead, material=True)
    (message,) = db.session.scalars(sa.select(OutboxMessage)).all()
    path = next(w for w in message.text_body.split() if w.endswith("/reconfirm"))
    path = path.removeprefix("http://testserver.localhost")
    stale = post_form(client, path, {"version": "2"})
    assert stale.status_code == 409 and "changed again" in stale.get_data(as_text=True)
    assert signatures_of(letter)[0].version_number == 2


def test_confirming_by_email_after_a_change_signs_the_current_text(client, make):
    lead = make.user(LEAD)
    letter = make_open_letter(lead)
    signature = make_signature(letter, status="unverified")
    raw_links = db.session.scalars(sa.select(OutboxMessage.text_body)).all()
    assert raw_links == []  # the factory drops its mail; ask for a new link instead
    post_form(client, f"/l/{letter.slug}/sign/resend", {"email": signature.email})
    (message,) = db.session.scalars(sa.select(OutboxMessage)).all()
    verify = next(w for w in message.text_body.split() if "/s/verify/" in w)
    verify = verify.removeprefix("http://testserver.localhost")
    change_text(letter, lead, material=True)
    page = client.get(verify).get_data(as_text=True)
    assert "The text has changed since you signed" in page and "<ins>demand</ins>" in page
    post_form(client, verify, {"version": "3"})
    (signature,) = signatures_of(letter)
    assert (signature.status, signature.version_number) == (SignatureStatus.approved, 3)


@pytest.mark.parametrize("include", [False, True])
def test_by_default_the_final_list_holds_only_who_agreed_and_including_names_them(
    client, make, include
):
    lead = make.user(LEAD)
    letter = make_open_letter(lead)
    agreed = make_signature(letter, organization_name="Riverbank Watch")
    silent = make_signature(letter, organization_name="Harbour Rights Network")
    change_text(letter, lead, material=True)  # the text is now version 3
    signing.reconfirm(agreed, version_number=3, actor=actor_for(lead))
    letters.transition(letter, Transition.close, actor=actor_for(lead))
    db.session.commit()
    assert [s.id for s in unconfirmed_signatures(letter)] == [silent.id]

    login(client, LEAD)
    page = client.get(f"/letters/{letter.slug}/finalize").get_data(as_text=True)
    # The box to include them names them, and is not ticked.
    assert "Also list the 1 who did not confirm the final text: Harbour Rights Network" in page
    assert 'name="include_unconfirmed" type="checkbox" value="y">' in page
    data = {"confirm": "y"}
    if include:
        data["include_unconfirmed"] = "y"
    assert post_form(client, f"/letters/{letter.slug}/finalize", data).status_code == 302

    db.session.expire_all()
    names = [o.name for o in load_final_letter(letter).organizations]
    if include:
        assert names == ["Harbour Rights Network", "Riverbank Watch"]
    else:
        assert names == ["Riverbank Watch"]
        # The one left out is told why, in its "letter is final" email.
        (told,) = db.session.scalars(
            sa.select(OutboxMessage).where(
                OutboxMessage.kind == "letter_final", OutboxMessage.to_addr == silent.email
            )
        ).all()
        assert "not listed" in told.text_body
        assert "never confirmed the final text (version 3)" in told.text_body
    # Left out of the list is not rejected: the record of the sign-on stays as it was.
    assert silent.status is SignatureStatus.approved
