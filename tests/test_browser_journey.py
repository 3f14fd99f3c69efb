"""The whole journey in a real browser, as the people who use Undersigned go through it.

A lead registers and confirms the address from the email, drafts a letter to two recipients,
opens it and invites three organizations by pasting their addresses. Two invitees sign from
their emailed links and one organization signs through the open link and confirms by email,
each in a browser of their own; the lead's own organization is listed from the moment the
letter opens, without the sign form. The lead approves the three, changes the text and
answers "Yes" to the question whether the signers must confirm it, and one signer
reconfirms. The lead finalizes (by default, as the finalize page says and names them, the
two who never confirmed the final text are left out), downloads the PDF and the DOCX and
reads them back, and publishes; a visitor sees the numbered list. The lead then delivers the
final letter to the Minister (the PDF attached is the very file it downloaded) and records the
answer, and the public page shows both.

Every page on the way is checked with axe-core, a screenshot is kept of every step, and when
the test fails they are copied to test-artifacts/journey/. The only shortcut is the mail
worker, run in-process (`flask mail work --once` does the same) through a real SMTP server.
A second test signs on with the keyboard alone.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import docx
import pytest
from pypdf import PdfReader

from tests.conftest import ARTIFACTS
from tests.support.axe import assert_accessible
from tests.support.journey import Journey, deliver, link_in
from tests.support.signing_factories import make_open_letter

pytestmark = [pytest.mark.browser, pytest.mark.smtp]

TITLE = "Keep the river monitors working"
LEAD_EMAIL = "amaru@andes-water.example.org"
PASSWORD = "a long enough password"
BODY = (
    "We write to ask you to *restore* the funding of the river monitoring stations.\n\n"
    "Without them, nobody measures what flows into the water that two million people drink."
)
BODY_CHANGED = BODY.replace("*restore*", "*restore and extend*")

MINISTER = "minister@water.velden.example.org"
MARIA = "maria@delta.example.org"
JOON = "joon@lakeside.example.org"
SAM = "sam@riverwatch.example.net"
CLAIRE = "claire@egalite-femmes.example.org"

# Nobody answered the material change but Lakeside; by default the final list holds only
# those who agreed to the final text (the lead's own organization agreed: it wrote it), so
# the finalize page names the two others, leaves them out, and the lead does not tick the
# box that would include them.
FINAL_LIST = [
    "Andes Water Defenders",
    "Lakeside Tenants Union, Velden",
]
LEAD_ORG = "Andes Water Defenders"
RECIPIENT_LINES = [
    "The Honorable Rosa Ibarra",
    "Minister of Water",
    "Ministry of Water and Sanitation",
    "12 Aqueduct Road",
    "Velden 2200",
    "The Honorable Marcus Okonjo",
    "Secretary of State",
    "U.S. Department of State",
]


@pytest.fixture
def journey(app, browser, live_server, smtp_server, page, tmp_path, request):
    shots = tmp_path / "screenshots"
    shots.mkdir()
    trip = Journey(app=app, smtp=smtp_server, browser=browser, base_url=live_server.url,
                   shots=shots)  # fmt: skip
    trip.pages["lead"] = page
    yield trip
    outcome = getattr(request.node, "rep_call", None)
    if outcome is not None and outcome.failed:
        trip.keep_screenshots(ARTIFACTS / "journey")
    trip.close()


def flash(page, text: str) -> None:
    page.locator(".flash", has_text=text).wait_for()


def sign_page_form(page, **values: str) -> None:
    """Fill the organization sign form by its labels (fields left out keep their value)."""
    labels = {
        "organization": "Organization name", "acronym": "Acronym", "website": "Website",
        "country": "Country", "name": "Your name", "title": "Your title", "email": "Email",
    }  # fmt: skip
    for key, value in values.items():
        page.get_by_label(labels[key], exact=True).fill(value)
    page.get_by_label("I am authorized to sign on behalf of this organization").check()


def test_the_whole_journey_from_registering_to_the_published_letter(journey, page):
    trip = journey

    # 1. The lead registers, signed out, and confirms the address from the email. ----------
    page.goto("/")
    trip.step(page, "home signed out")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Register").click()
    page.get_by_role("heading", name="Create an account").wait_for()
    trip.step(page, "register")
    page.get_by_label("Your name").fill("Amaru Quispe")
    page.get_by_label("Email").fill(LEAD_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Organization name").fill("Andes Water Defenders")
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    trip.step(page, "check your email (lead)")

    welcome = trip.mail(LEAD_EMAIL, "Confirm your email address")
    page.goto(trip.link(welcome, r"/auth/verify/[^/]+"))
    page.get_by_role("heading", name="Confirm your email address").wait_for()
    trip.step(page, "confirm the lead's address")
    page.get_by_role("button", name="Confirm my email address").click()
    flash(page, "Your email address is confirmed. You can log in now.")
    trip.step(page, "login")
    page.get_by_label("Email").fill(LEAD_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Letters", exact=True).wait_for()
    trip.step(page, "dashboard")

    # 2. A letter with two recipients: one typed, one from the recipient book. ------------
    page.get_by_role("link", name="New letter").click()
    trip.step(page, "new letter")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_role("button", name="Start the letter").click()
    flash(page, "Letter started. Write its text below.")
    slug = re.search(r"/letters/([^/]+)/edit$", page.url).group(1)
    trip.step(page, "edit an empty letter")

    page.get_by_role("button", name="Add recipient").click()
    first = page.get_by_role("group", name="Recipient 1")
    first.get_by_label("Honorific").fill("The Honorable")
    first.get_by_label("Name", exact=True).fill("Rosa Ibarra")
    first.get_by_label("Title", exact=True).fill("Minister of Water")
    first.get_by_label("Department or body").fill("Ministry of Water and Sanitation")
    first.get_by_label("Street address").fill("12 Aqueduct Road")
    first.get_by_label("City, state and postcode").fill("Velden 2200")
    # Where the final letter will be delivered: kept with the recipient, never printed.
    first.get_by_label("Delivery email (to)").fill(MINISTER)
    # Choosing a book entry adds its block at once (the button is for pages without JS).
    page.get_by_label("Add from the recipient book").select_option(label="Secretary of State")
    second = page.get_by_role("group", name="Recipient 2")
    second.get_by_label("Name", exact=True).fill("Marcus Okonjo")
    assert first.get_by_label("Name", exact=True).input_value() == "Rosa Ibarra"
    page.get_by_label("Salutation").fill("Dear Minister Ibarra and Secretary Okonjo:")
    page.get_by_label("Body", exact=True).fill(BODY)
    page.locator("#body-preview em", has_text="restore").wait_for()
    page.get_by_label("Closing").fill("Sincerely,")
    trip.step(page, "recipients and text")
    page.get_by_role("button", name="Save version").click()
    flash(page, "Saved as version 2.")

    page.get_by_role("navigation", name="This letter").get_by_role(
        "link", name="Print preview"
    ).click()
    addresses = page.locator("address.address-block").all_inner_texts()
    assert [a.splitlines()[0] for a in addresses] == [
        "The Honorable Rosa Ibarra",
        "The Honorable Marcus Okonjo",
    ]
    trip.step(page, "print preview")

    # Moderation is on by default (the lead approves each sign-on); the open link is not.
    page.get_by_role("navigation", name="This letter").get_by_role("link", name="Settings").click()
    assert page.get_by_label("Approve each sign-on before it is listed").is_checked()
    page.get_by_label("Anyone with the open sign link may sign").check()
    trip.step(page, "settings")
    page.get_by_role("button", name="Save settings").click()
    flash(page, "Settings saved.")
    page.get_by_role("navigation", name="This letter").get_by_role("link", name="Overview").click()
    page.get_by_role("button", name="Open for sign-on").click()
    flash(page, "The letter is open for sign-on.")
    trip.step(page, "overview, open")
    # The lead organization signs its own letter by default: listed, without the sign form.
    page.get_by_role("navigation", name="This letter").get_by_role(
        "link", name="Signatures"
    ).click()
    assert page.locator(".lede").inner_text().startswith("1 listed, 0 awaiting you,")
    page.get_by_role("link", name=LEAD_ORG).click()
    history = page.locator(".consent-history").inner_text()
    assert "Signed version 2 for its own organization" in history and "lead organization" in history
    trip.step(page, "the lead listed, with its consent trail")

    # 3. Three organizations invited by pasting their addresses. --------------------------
    page.get_by_role("navigation", name="This letter").get_by_role(
        "link", name="Invitations"
    ).click()
    page.get_by_role("heading", name="Invitations").wait_for()
    trip.step(page, "invitations, none yet")
    page.get_by_role("link", name="Invite organizations").first.click()
    trip.step(page, "invite organizations")
    page.get_by_label("Invitees, one per line").fill(
        f"Friends of the Delta <{MARIA}>\n"
        f"Lakeside Tenants Union, Joon Park, {JOON}\n"
        f"Riverwatch Collective, Sam Ode, {SAM}\n"
    )
    page.get_by_role("button", name="Preview").first.click()
    page.get_by_role("heading", name="Preview the invitations").wait_for()
    assert "3 organizations will be invited" in page.get_by_role("status").inner_text()
    trip.step(page, "invitations preview")
    page.get_by_label("A message from you (optional)").fill("We would be proud to have you.")
    page.get_by_role("button", name="Invite 3 organizations").click()
    flash(page, "3 invitations queued for sending.")
    trip.step(page, "invitations queued")

    invitations = {
        address: trip.mail(address, f"Invitation to sign on: {TITLE}")
        for address in (MARIA, JOON, SAM)
    }
    assert all("We would be proud to have you." in m.text for m in invitations.values())
    # The page does not reload by itself (see invitations/index.html); the lead asks.
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    page.get_by_role("link", name="Check again").click()
    assert page.locator('[data-status="sent"] .count').inner_text() == "3"
    assert page.locator(".sending").count() == 0
    trip.step(page, "invitations sent")

    # 4. Two invitees sign from their links, each a different person in their own browser. -
    signers = [
        (MARIA, "Friends of the Delta", {"name": "Maria Ostrova", "title": "Coordinator",
                                         "country": "Norland", "website": "delta.example.org"}),
        (JOON, "Lakeside Tenants Union", {"title": "Chair", "country": "Velden"}),
    ]  # fmt: skip
    for address, organization, values in signers:
        invitee = trip.person(address.split("@")[0])
        invitee.goto(trip.link(invitations[address], r"/s/[^/]+"))
        invitee.get_by_role("heading", name="The text you are signing").wait_for()
        # The personal link knows who was invited.
        assert invitee.get_by_label("Organization name", exact=True).input_value() == organization
        assert invitee.get_by_label("Email", exact=True).input_value() == address
        trip.step(invitee, f"sign from the invitation ({organization})")
        sign_page_form(invitee, **values)
        invitee.get_by_role("button", name="Sign this letter").click()
        invitee.get_by_role("heading", name="Thank you for signing").wait_for()
        assert "reviews each sign-on before it is listed" in invitee.locator("main").inner_text()
        trip.step(invitee, f"signed ({organization})")
        trip.leave(invitee)
        # Signing from the invited address needs no confirmation; the email carries the
        # link to see, correct or withdraw the signature.
        signed = trip.mail(address, f"You signed “{TITLE}”")
        assert trip.link(signed, r"/s/manage/[^/]+")

    # An organization nobody invited signs through the open link and confirms by email.
    stranger = trip.person("claire")
    stranger.goto(f"/l/{slug}/sign")
    stranger.get_by_role("heading", name="The text you are signing").wait_for()
    trip.step(stranger, "open sign page")
    sign_page_form(
        stranger, organization="Égalité Femmes Network", acronym="EFN",
        website="egalite-femmes.example.org", country="Norland", name="Claire Dubois",
        title="Director", email=CLAIRE,
    )  # fmt: skip
    stranger.get_by_role("button", name="Sign this letter").click()
    stranger.get_by_role("heading", name="Check your email").wait_for()
    trip.step(stranger, "check your email (open link)")
    confirm = trip.mail(CLAIRE, f"Please confirm your signature on “{TITLE}”")
    stranger.goto(trip.link(confirm, r"/s/verify/[^/]+"))
    stranger.get_by_role("heading", name="Confirm your signature").wait_for()
    trip.step(stranger, "confirm the signature")
    stranger.get_by_role("button", name="Confirm my signature").click()
    stranger.get_by_role("heading", name="Thank you: your signature is confirmed").wait_for()
    trip.step(stranger, "signature confirmed")
    trip.leave(stranger)

    # 5. The lead approves the three, then changes the text materially. -------------------
    page.get_by_role("navigation", name="This letter").get_by_role(
        "link", name="Signatures"
    ).click()
    page.get_by_role("heading", name="Signatures").wait_for()
    assert page.locator(".lede").inner_text().startswith("1 listed, 3 awaiting you,")
    trip.step(page, "signatures to approve")
    page.get_by_role("link", name="Égalité Femmes Network (EFN)").click()
    page.get_by_role("heading", name="Égalité Femmes Network (EFN)").first.wait_for()
    trip.step(page, "one sign-on in detail")
    page.go_back()
    for name in ("Friends of the Delta", "Lakeside Tenants Union", "Égalité Femmes Network (EFN)"):
        page.get_by_label(f"Tick {name}", exact=True).check()
    page.get_by_role("button", name="Approve ticked").click()
    flash(page, "3 sign-ons approved.")
    assert page.locator(".lede").inner_text().startswith("4 listed, 0 awaiting you,")
    trip.step(page, "signatures approved")
    for address in (MARIA, JOON, CLAIRE):
        trip.mail(address, f"You are listed on “{TITLE}”")

    page.get_by_role("navigation", name="This letter").get_by_role("link", name="Edit text").click()
    page.get_by_label("Body", exact=True).fill(BODY_CHANGED)
    page.get_by_label("What changed").fill("We also ask for new stations")
    question = page.get_by_role(
        "group", name="3 organizations signed an earlier text. Ask them to confirm the new one?"
    )
    # No default: neither answer is chosen until the lead chooses.
    assert not question.get_by_role("radio").nth(0).is_checked()
    assert not question.get_by_role("radio").nth(1).is_checked()
    question.get_by_label("Yes", exact=False).check()
    trip.step(page, "a material change")
    page.get_by_role("button", name="Save version").click()
    flash(page, "Saved as version 3. 3 reconfirmation emails queued")

    asks = {
        address: trip.mail(address, f"The text of “{TITLE}” has changed: do you still sign?")
        for address in (MARIA, JOON, CLAIRE)
    }
    assert "restore {+and extend+}" in asks[JOON].text  # as a reader reads it
    page.get_by_role("navigation", name="This letter").get_by_role(
        "link", name="Signatures"
    ).click()
    page.get_by_role("link", name="Signed an earlier text").click()
    assert page.locator(".version-note").all_inner_texts() == ["signed v2, current v3"] * 3

    # Only Joon reconfirms.
    joon = trip.person("joon-again")
    joon.goto(trip.link(asks[JOON], r"/s/manage/[^/]+/reconfirm"))
    joon.get_by_role("heading", name=f"“{TITLE}” has changed").wait_for()
    trip.step(joon, "reconfirm")
    joon.get_by_role("button", name="I still sign the current text").click()
    flash(joon, "Thank you: your signature now stands for the current text.")
    joon.get_by_role("heading", name=f"Your signature on “{TITLE}”").wait_for()
    trip.step(joon, "manage page after reconfirming")
    trip.leave(joon)

    page.get_by_role("link", name="Signed an earlier text").click()
    names = page.locator(".signature-table tbody tr td:nth-child(2) a").all_inner_texts()
    assert sorted(names) == ["Friends of the Delta", "Égalité Femmes Network (EFN)"]
    trip.step(page, "signatures, two signed the earlier text")

    # 6. Close, finalize, download the PDF and the DOCX. ----------------------------------
    page.get_by_role("navigation", name="This letter").get_by_role("link", name="Overview").click()
    page.get_by_role("button", name="Close sign-on").click()
    flash(page, "Sign-on is closed.")
    page.get_by_role("link", name="Finalize…").click()
    page.get_by_role("heading", name="Finalize the letter").wait_for()
    summary = page.locator(".finalize-summary")
    assert "2 listed signatories have not agreed to the final text" in summary.inner_text()
    assert summary.locator(".notice li").all_inner_texts() == [
        "Friends of the Delta (signed version 2)",
        "Égalité Femmes Network (EFN) (signed version 2)",
    ]
    assert summary.locator(".frozen-list li").all_inner_texts() == [
        f"{n}. {name}" for n, name in enumerate(FINAL_LIST, 1)
    ]
    # Including them is the lead's explicit choice, which names them; off unless ticked.
    assert not page.get_by_label(
        "Also list the 2 who did not confirm the final text: "
        "Friends of the Delta, Égalité Femmes Network (EFN)"
    ).is_checked()
    trip.step(page, "finalize")
    page.get_by_label("I understand that the final letter can never be changed").check()
    page.get_by_role("button", name="Finalize version 3").click()
    flash(page, "The letter is final (version 3).")
    trip.step(page, "overview, final")

    page.get_by_role("navigation", name="This letter").get_by_role("link", name="Exports").click()
    page.get_by_role("heading", name="Export the letter").wait_for()
    trip.step(page, "exports")
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="PDF (to print or send)").click()
    with page.expect_download() as docx_download:
        page.get_by_role("link", name="Word document (DOCX)").click()
    pdf_bytes = pdf_download.value.path().read_bytes()
    check_pdf(pdf_bytes)
    check_docx(docx_download.value.path().read_bytes())

    # 7. Published: a visitor, signed out, reads the list. --------------------------------
    page.get_by_role("navigation", name="This letter").get_by_role("link", name="Overview").click()
    page.get_by_role("link", name="Publish…").click()
    page.get_by_role("heading", name="Publish the letter").wait_for()
    trip.step(page, "publish, with a preview of the public page")
    page.get_by_role("button", name="Publish at this address").click()
    flash(page, f"The letter is published at {trip.base_url}/l/{slug}.")
    trip.step(page, "overview, published")

    visitor = trip.person("visitor")
    visitor.goto(f"/l/{slug}")
    visitor.get_by_role("heading", name=TITLE).wait_for()
    assert visitor.get_by_role("button", name="Log out").count() == 0
    assert visitor.locator(".public-facts strong").inner_text() == "2"
    assert "2 signatures" in visitor.locator(".public-facts").inner_text()
    assert visitor.locator("ol.org-list li").all_inner_texts() == [
        f"{n}. {name}" for n, name in enumerate(FINAL_LIST, 1)
    ]
    assert "restore and extend" in visitor.locator(".letter-body").inner_text()
    trip.step(visitor, "public page")

    # 8. Delivered to the Minister, the answer recorded; the public page tells the story. -
    page.get_by_role("navigation", name="This letter").get_by_role("link", name="Overview").click()
    page.get_by_role("link", name="Deliver", exact=True).click()
    assert MINISTER in page.get_by_label("To").input_value()
    trip.step(page, "deliver: the cover email")
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("heading", name="Preview").wait_for()
    trip.step(page, "deliver: preview")
    page.get_by_role("button", name="Send to the recipients").click()
    page.get_by_text("The letter is on its way").wait_for()
    cover = trip.mail(MINISTER, TITLE)
    (attached,) = list(cover.message.iter_attachments())
    # The very file the lead downloaded, whose hash the letter shows.
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_payload(decode=True) == pdf_bytes
    assert MINISTER not in "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(pdf_bytes)).pages
    )
    page.reload()
    page.get_by_text("Accepted by the recipients' mail server.").wait_for()
    trip.step(page, "delivered")
    page.get_by_role("link", name="Record a response").click()
    page.get_by_label("Date of the response").fill(datetime.now(UTC).date().isoformat())
    page.get_by_label("From").fill("Office of the Minister of Water")
    page.get_by_label("Summary").fill("The Minister will meet the coalition in January.")
    trip.step(page, "record a response")
    page.get_by_role("button", name="Record the response").click()
    page.get_by_text("Response recorded.").wait_for()

    visitor.reload()
    timeline = visitor.get_by_role("region", name="What happened")
    timeline.get_by_text("Delivered to The Honorable Rosa Ibarra").wait_for()
    timeline.get_by_text("Response from Office of the Minister of Water").wait_for()
    assert "meet the coalition in January" in timeline.inner_text()
    assert MINISTER not in visitor.content()  # a delivery address is never shown
    trip.step(visitor, "public page with its timeline")


def numbered_entries(lines: list[str]) -> list[str]:
    """The "N. name" lines of a document's text, in order."""
    return [line.strip() for line in lines if re.match(r"\s*\d+\.\s", line)]


def check_pdf(data: bytes) -> None:
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.title == TITLE
    text = "\n".join(p.extract_text() for p in reader.pages)
    for line in RECIPIENT_LINES:
        assert line in text, line
    assert "restore and extend" in text
    assert "DRAFT" not in text
    assert numbered_entries(text.splitlines()) == [
        f"{n}. {name}" for n, name in enumerate(FINAL_LIST, 1)
    ]


def check_docx(data: bytes) -> None:
    document = docx.Document(io.BytesIO(data))
    assert document.core_properties.title == TITLE
    paragraphs = document.paragraphs
    text = "\n".join(p.text for p in paragraphs)
    for line in RECIPIENT_LINES:
        assert line in text, line
    # Word numbers the list itself: the items are the paragraphs of one numbered list.
    listed = [p for p in paragraphs if p._p.pPr is not None and p._p.pPr.numPr is not None]
    assert [p.text for p in listed] == FINAL_LIST
    assert len({p._p.pPr.numPr.numId.val for p in listed}) == 1


# The keyboard alone --------------------------------------------------------------------------

KEYBOARD_FIELDS = [
    ("organization_name", "Tidewater Rights Project"),
    ("acronym", "TRP"),
    ("website", "tidewater.example.org"),
    ("country", "Norland"),
    ("signer_name", "Ana Lindqvist"),
    ("signer_title", "Director"),
    ("email", "ana@tidewater.example.org"),
]


def focused_id(page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def tab_to(page, element_id: str, limit: int = 80) -> None:
    """Press Tab until the element has the focus (links in the text come first)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused_id(page) == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_the_sign_page_works_with_the_keyboard_alone(app, make, page, smtp_server):
    letter = make_open_letter(make.user("amara@open-budgets.example.org"))
    page.goto(f"/l/{letter.slug}/sign")
    page.get_by_role("heading", name="The text you are signing").wait_for()
    assert_accessible(page)

    tab_to(page, "organization_name")
    for n, (element_id, value) in enumerate(KEYBOARD_FIELDS):
        if n:
            page.keyboard.press("Tab")
        assert focused_id(page) == element_id
        page.keyboard.type(value)
    page.keyboard.press("Tab")
    assert focused_id(page) == "note_to_lead"
    page.keyboard.press("Tab")
    assert focused_id(page) == "not_listed"  # left unticked: the organization is named
    page.keyboard.press("Tab")
    assert focused_id(page) == "authorized"
    page.keyboard.press("Space")
    assert page.get_by_label("I am authorized to sign on behalf of this organization").is_checked()
    # The hidden honeypot field is skipped; next comes the button.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Sign this letter"
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Check your email").wait_for()
    assert_accessible(page)

    deliver(app)
    (message,) = smtp_server.wait_for(1)
    assert message.to == "ana@tidewater.example.org"
    link = link_in(message.text, app.config["BASE_URL"], r"/s/verify/[^/]+")
    page.goto(link)
    page.get_by_role("heading", name="Confirm your signature").wait_for()
    assert "Tidewater Rights Project (TRP)" in page.locator("main").inner_text()
