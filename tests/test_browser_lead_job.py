"""The lead's whole job in a real browser, with every page action counted (issue 14).

From a logged-in account whose recipient book holds two offices: a draft to both, 30
organizations invited by pasting a list, opening, deciding the 30 sign-ons (one of them a
look-alike of another), a material change, closing, finalizing, the PDF and the DOCX,
publishing. A page action is a click on a link or a button, a form submission or a download;
typing, ticking and choosing an option are not. The lead's page is wrapped in `LeadPage`, whose
`click_link`, `click_button`, `submit` and `download` each count one action and whose `fill`,
`check` and `select` count none, so the count is honest by construction. The test prints the
actions and fails above the limit.

The partners' sign-ons and reconfirmations go through the domain operations (the sign pages
have journeys of their own in tests/test_browser_journey.py); they are not the lead's actions.
Every step leaves a numbered screenshot in test-artifacts/journey/ (emptied first), also when
the test passes, and every page is checked with axe-core. `make journey` runs it alone.
"""

from __future__ import annotations

import io
import re
import shutil
from dataclasses import dataclass, field

import docx
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.extensions import db
from app.models import Invitation, RecipientBookEntry, Signature, SignatureStatus
from app.signing import operations
from tests.conftest import ARTIFACTS
from tests.support.journey import Journey
from tests.support.signing_factories import SIGNER, details

pytestmark = pytest.mark.browser

# The promise: the lead's whole job in at most this many page actions.
LIMIT = 15

TITLE = "Keep the river monitors working"
LEAD_EMAIL = "amaru@andes-water.example.org"
PASSWORD = "a long enough password"
LEAD_ORG = "Andes Water Defenders"
BODY = (
    "We write to ask you to *restore* the funding of the river monitoring stations.\n\n"
    "Without them, nobody measures what flows into the water that two million people drink."
)
BODY_CHANGED = BODY.replace("*restore*", "*restore and extend*")
BOOK = [
    {"honorific": "The Honorable", "name": "Rosa Ibarra", "title": "Minister of Water",
     "department": "Ministry of Water and Sanitation", "street": "12 Aqueduct Road",
     "locality": "Velden 2200"},
    {"honorific": "The Honorable", "name": "Marcus Okonjo", "title": "Secretary of State",
     "department": "U.S. Department of State", "street": "2201 C Street NW",
     "locality": "Washington, D.C. 20520"},
]  # fmt: skip
RECIPIENT_LINES = ["The Honorable Rosa Ibarra", "Minister of Water", "The Honorable Marcus Okonjo"]

# 30 invited organizations. The last one signs under a name that is the first one's with a
# leading "The": a look-alike, held for the lead as a possible duplicate.
PARTNERS = [
    "Friends of the Delta", "Lakeside Tenants Union", "Riverwatch Collective",
    "Highland Farmers Cooperative", "Clean Springs Alliance", "Coastal Fisherfolk Network",
    "Glacier Watch", "Mountain Women Council", "Urban Water Forum", "Wetland Trust",
    "Basin Youth Assembly", "Rainfall Research Group", "Quarry Neighbours Association",
    "Salt Flats Solidarity", "Open Budgets Institute", "Valley Health Workers",
    "Irrigators Union", "Forest Peoples Circle", "Harbour Monitors", "Delta Legal Aid",
    "Aquifer Defense League", "Stormwater Citizens", "River Schools Project",
    "Canal Boat Cooperative", "Drylands Network", "Pueblo Water Board", "Tidewater Rights Project",
    "Estuary Birders", "Mangrove Keepers",
]  # fmt: skip
LOOK_ALIKE = ("The Friends of the Delta", "Delta Friends Kollektiv")  # signs as, was invited as
NOT_RECONFIRMING = "Mangrove Keepers"  # never answers the material change: left out


def email_of(name: str) -> str:
    return re.sub(r"[^a-z]+", "-", name.lower()).strip("-") + "@partners.example.org"


@dataclass
class LeadPage:
    """The lead's browser page, counting page actions as it goes. Each counted action waits
    for the page it leads to, then takes the step's screenshot and runs axe-core on it."""

    page: object
    trip: Journey
    actions: list[str] = field(default_factory=list)

    def _scope(self, within: str | None):
        if within is None:
            return self.page
        return self.page.get_by_role("navigation", name=within)

    def _done(self, what: str) -> None:
        self.actions.append(what)
        self.page.wait_for_load_state()
        self.trip.step(self.page, f"action {len(self.actions)} {what}")

    # Page actions: one each.
    def click_link(self, name: str, *, within: str | None = None) -> None:
        self._scope(within).get_by_role("link", name=name, exact=True).first.click()
        self._done(f"link “{name}”")

    def click_button(self, name: str) -> None:
        self.page.get_by_role("button", name=name, exact=True).click()
        self._done(f"button “{name}”")

    def submit(self, label: str) -> None:
        """Submit the form by pressing Enter in the field labelled `label`."""
        self.page.get_by_label(label, exact=True).press("Enter")
        self._done(f"submit “{label}”")

    def download(self, name: str) -> bytes:
        with self.page.expect_download() as download:
            self.page.get_by_role("link", name=name, exact=True).click()
        self._done(f"download “{name}”")
        return download.value.path().read_bytes()

    # Not page actions.
    def fill(self, label: str, value: str, *, within=None) -> None:
        (within or self.page).get_by_label(label, exact=True).fill(value)

    def check(self, label: str) -> None:
        self.page.get_by_label(label, exact=True).check()

    def select(self, label: str, option: str) -> None:
        self.page.get_by_label(label, exact=True).select_option(label=option)

    def step(self, name: str) -> None:
        """A screenshot (and axe) of a state between actions, e.g. a form filled in."""
        self.trip.step(self.page, name)

    def flash(self, text: str) -> None:
        self.page.locator(".flash", has_text=text).wait_for()


@pytest.fixture
def lead_job(app, make, browser, live_server, page):
    shots = ARTIFACTS / "journey"
    if shots.exists():
        shutil.rmtree(shots)
    shots.mkdir(parents=True)
    trip = Journey(app=app, smtp=None, browser=browser, base_url=live_server.url, shots=shots)
    trip.pages["lead"] = page
    user = make.user(LEAD_EMAIL, name="Amaru Quispe", password=PASSWORD)
    organization = user.organizations[0]
    organization.name = LEAD_ORG
    for entry in BOOK:
        db.session.add(RecipientBookEntry(organization_id=organization.id, **entry))
    db.session.commit()
    # Where the job starts: logged in, on the dashboard (not counted).
    page.goto("/auth/login?next=/letters/")
    page.get_by_label("Email").fill(LEAD_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Letters", exact=True).wait_for()
    trip.step(page, "0 dashboard, logged in")
    yield trip, LeadPage(page, trip)
    trip.close()


# The partners, through the domain operations ---------------------------------------------


def partners_sign(app, slug: str) -> None:
    """Each invitee signs from its invitation, with the invited address (confirmed at once);
    the look-alike signs under the first partner's name with a leading "The"."""
    with app.app_context():
        invitations = db.session.scalars(
            sa.select(Invitation).where(Invitation.letter.has(slug=slug)).order_by(Invitation.id)
        ).all()
        assert len(invitations) == 30
        for invitation in invitations:
            name = invitation.organization_name
            signs_as = LOOK_ALIKE[0] if name == LOOK_ALIKE[1] else name
            operations.sign(
                invitation.letter,
                details(email=invitation.email, organization_name=signs_as, country=""),
                actor=SIGNER, invitation=invitation,
            )  # fmt: skip
        db.session.commit()
        db.session.remove()


def partners_reconfirm(app, slug: str, version: int) -> None:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(Signature).where(
                Signature.letter.has(slug=slug),
                Signature.status == SignatureStatus.approved,
                Signature.version_number < version,
                Signature.organization_name != NOT_RECONFIRMING,
            )
        ).all()
        for signature in rows:
            operations.reconfirm(signature, version_number=version, actor=SIGNER)
        db.session.commit()
        db.session.remove()


# The job -------------------------------------------------------------------------------------


def test_the_leads_whole_job_in_at_most_15_page_actions(lead_job, app):
    trip, lead = lead_job
    page = lead.page

    # A draft to the two offices of the recipient book. -----------------------------------
    lead.click_link("New letter")
    lead.fill("Title", TITLE)
    lead.submit("Title")
    lead.flash("Letter started. Write its text below.")
    slug = re.search(r"/letters/([^/]+)/edit$", page.url).group(1)
    # Choosing an entry adds its address block at once: no button, no page load.
    lead.select("Add from the recipient book", "Minister of Water — Rosa Ibarra")
    lead.select("Add from the recipient book", "Secretary of State — Marcus Okonjo")
    second = page.get_by_role("group", name="Recipient 2")
    assert second.get_by_label("Name", exact=True).input_value() == "Marcus Okonjo"
    lead.fill("Salutation", "Dear Minister Ibarra and Secretary Okonjo:")
    lead.fill("Body", BODY)
    lead.fill("Closing", "Sincerely,")
    lead.step("the draft, filled in")
    lead.click_button("Save version")
    lead.flash("Saved as version 2.")  # on the overview, where the next step is

    # Opening, and 30 invitations from a pasted list. ---------------------------------------
    # From the draft's overview: the invitations first, and one click opens and sends.
    lead.click_link("Invite organizations")
    pasted = [f"{name}, Contact {n}, {email_of(name)}" for n, name in enumerate(PARTNERS, 1)]
    pasted.append(f"{LOOK_ALIKE[1]}, Ola Berg, ola@delta-friends.example.net")
    lead.fill("Invitees, one per line", "\n".join(pasted))
    # The list is checked as it is typed: no Preview page.
    page.locator("[data-live-summary]", has_text="30 organizations will be invited").wait_for()
    lead.step("30 invitations checked as they were pasted")
    lead.click_button("Open the letter and send 30 invitations")
    lead.flash("The letter is open. 30 invitations queued for sending.")

    partners_sign(app, slug)

    # Deciding the sign-ons: 29 approved, the look-alike merged into the one it resembles. --
    lead.click_link("Signatures", within="This letter")
    assert page.locator(".lede").inner_text().startswith("1 listed, 30 awaiting you,")
    # The look-alike is shown beside the one it resembles, with a button that says what stays.
    lead.click_button(f"Keep {PARTNERS[0]} (merge {LOOK_ALIKE[0]} into it)")
    page.get_by_label(re.compile(r"^Select all \d+ on this page")).check()  # a tick
    lead.step("29 sign-ons ticked with one box")
    lead.click_button("Approve ticked")
    lead.flash("29 sign-ons approved.")

    # A material change, answered "Yes": the 29 are asked to confirm the new text. -----------
    lead.click_link("Edit text", within="This letter")
    lead.fill("Body", BODY_CHANGED)
    lead.fill("What changed", "We also ask for new stations")
    page.get_by_role(
        "group", name="29 organizations signed an earlier text. Ask them to confirm the new one?"
    ).get_by_label("Yes", exact=False).check()
    lead.step("a material change")
    lead.click_button("Save version")
    lead.flash("Saved as version 3. 29 reconfirmation emails queued")

    partners_reconfirm(app, slug, 3)

    # Closing, finalizing and publishing in one submission. ------------------------------------
    lead.click_link("Finalize…")
    final_names = sorted([LEAD_ORG, *(p for p in PARTNERS if p != NOT_RECONFIRMING)], key=str.lower)
    summary = page.locator(".finalize-summary")
    assert summary.locator(".notice li").all_inner_texts() == [
        f"{NOT_RECONFIRMING} (signed version 2)"
    ]
    numbered = [f"{n}. {name}" for n, name in enumerate(final_names, 1)]
    assert summary.locator(".frozen-list li").all_inner_texts() == numbered
    preview = page.locator(".publish-with-final")
    assert TITLE in preview.inner_text()
    assert preview.locator(".public-preview-list li").all_inner_texts() == numbered
    lead.check("I understand that the final letter can never be changed")
    lead.check(f"Publish it at {trip.base_url}/l/{slug} once final")
    lead.step("finalize, with the public page's preview")
    lead.click_button("Close sign-on and finalize")
    lead.flash(f"The letter is final (version 3). It is published at {trip.base_url}/l/{slug}.")

    # The PDF and the DOCX, from the page the lead lands on. ---------------------------------
    check_pdf(lead.download("Download the PDF"), final_names)
    check_docx(lead.download("Download the Word document (DOCX)"), final_names)

    # A visitor reads the published list (not the lead's action). ---------------------------
    visitor = trip.person("visitor")
    visitor.goto(f"/l/{slug}")
    visitor.get_by_role("heading", name=TITLE).wait_for()
    assert visitor.locator("ol.org-list li").all_inner_texts() == numbered
    trip.step(visitor, "the public page")

    count = len(lead.actions)
    print(f"\nThe lead's page actions: {count}")
    for n, what in enumerate(lead.actions, 1):
        print(f"{n:3}. {what}")
    assert count <= LIMIT, lead.actions


def numbered_entries(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if re.match(r"\s*\d+\.\s", line)]


def check_pdf(data: bytes, names: list[str]) -> None:
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    for line in RECIPIENT_LINES:
        assert line in text, line
    assert "restore and extend" in text and "DRAFT" not in text
    assert numbered_entries(text) == [f"{n}. {name}" for n, name in enumerate(names, 1)]


def check_docx(data: bytes, names: list[str]) -> None:
    paragraphs = docx.Document(io.BytesIO(data)).paragraphs
    text = "\n".join(p.text for p in paragraphs)
    for line in RECIPIENT_LINES:
        assert line in text, line
    listed = [p.text for p in paragraphs if p._p.pPr is not None and p._p.pPr.numPr is not None]
    assert listed == names
