"""The demo's open letter `demo-open` with sign-ons in every state (`flask demo` calls
`create_demo_signing`). Every organization, person and place here is invented.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app import workflow
from app.actor import Actor
from app.extensions import db
from app.letters import operations as letters
from app.letters.lifecycle import Transition
from app.letters.text import Address, LetterText
from app.models import (
    Invitation,
    Letter,
    Organization,
    OutboxMessage,
    Signature,
    SignerKind,
    User,
    utcnow,
)
from app.signing import identity, operations
from app.signing.operations import SignOnDetails
from app.tokens import new_token

DEMO_SLUG = "demo-open"

MINISTER = Address(
    honorific="Her Excellency",
    name="Odile Brannock",
    title="Minister of Environment and Water",
    department="Ministry of Environment and Water",
    street=("7 Weir Street",),
    locality="Calder Vale 3300",
    country="Lowmarsh",
    delivery_to="minister@environment.lowmarsh.example.org",
)
BODY = (
    "We, the undersigned organizations, ask for the immediate release of the six volunteers "
    "of the Lowland Delta water-quality network, held since May without charge.\n\n"
    "For eleven years these volunteers have sampled the delta's rivers and published what "
    "they found. Their readings are the only public record of the spills that followed the "
    "opening of the Saltmere tannery district.\n\n"
    "We urge you to:\n\n"
    "1. release the six volunteers and drop any proceedings against them;\n"
    "2. return their equipment and data; and\n"
    "3. invite *independent* monitors to continue their work."
)
FIRMER = BODY.replace(
    "ask for the immediate release", "demand the immediate and unconditional release"
)


def _text(body: str) -> LetterText:
    return LetterText(
        recipients=(MINISTER,),
        salutation="Dear Minister Brannock:",
        body=body,
        closing="Sincerely,",
    )


# (organization, acronym, website, country, signer, title, email)
SIGNERS = {
    "riverbank": ("Riverbank Legal Aid Network", "RLAN", "riverbank-legal.example.org",
                  "Lowmarsh", "Amina Sorel", "Director", "amina@riverbank-legal.example.org"),
    "coastal": ("Coastal Defenders Collective", "", "coastal-defenders.example.net", "Norland",
                "Piet Vandenberg", "Coordinator", "piet@coastal-defenders.example.net"),
    "observatorio": ("Observatorio Ciudadano del Sur", "", "", "Estavia", "Lucía Ferrán",
                     "Researcher", "lucia@observatorio-sur.example.org"),
    "forest": ("Friends of the Lowland Forest", "", "lowland-forest.example.org", "Lowmarsh",
               "Tobias Wren", "Volunteer", "lowland.forest.demo@gmail.com"),
    "civic": ("Centre for Civic Freedom", "CCF", "civic-freedom.example.org", "Norland",
              "Hana Kowal", "Executive Director", "hana@civic-freedom.example.org"),
    "civic_again": ("Center for Civic Freedom", "", "civic-freedom.example.org", "Norland",
                    "Jonas Pike", "Program Officer", "jonas.pike@civic-freedom.example.org"),
    "coastal_youth": ("Coastal Defenders Collective Youth", "", "", "Norland", "Mira Elst",
                      "Organizer", "mira.elst.demo@proton.me"),
    "mountain": ("Mountain Water Alliance", "", "mountain-water.example.org", "Lowmarsh",
                 "Sefa Ndlovu", "Campaigner", "sefa@mountain-water.example.org"),
    "harbour": ("Harbour Workers’ Union", "HWU", "harbour-union.example.org", "Lowmarsh",
                "Ivo Marr", "Secretary", "ivo@harbour-union.example.org"),
    "tardy": ("Salt Flats Heritage Trust", "", "", "Lowmarsh", "Ada Quill", "Trustee",
              "ada@saltflats-trust.example.org"),
    "spam": ("Best Cheap Watches Ltd", "", "", "", "Sales Team", "", "sales@watches.example.com"),
}  # fmt: skip


def _details(key: str, *, listed: bool = True) -> SignOnDetails:
    org, acronym, website, country, name, title, email = SIGNERS[key]
    return SignOnDetails(
        email=email, signer_name=name, organization_name=org, acronym=acronym, website=website,
        country=country, signer_title=title, attested_authorized=True, listed_publicly=listed,
    )  # fmt: skip


def create_demo_signing(organization: Organization, user: User) -> None:
    """Create `demo-open` with its sign-ons, once; the caller commits."""
    if db.session.scalar(sa.select(Letter.id).where(Letter.slug == DEMO_SLUG)) is not None:
        return
    lead = Actor(user_id=user.id, label="demo")
    letter = letters.create_letter(
        organization=organization, title="Free the Lowland Delta water monitors", actor=lead,
        slug=DEMO_SLUG,
    )  # fmt: skip
    letters.save_text(letter, base_number=1, text=_text(BODY), actor=lead, note="First draft")
    letters.update_settings(
        letter,
        {"open_link": True, "moderation": False, "individuals_allowed": True,
         "time_zone": "Europe/Amsterdam", "deadline_at": utcnow() + timedelta(weeks=4)},
        actor=lead,
    )  # fmt: skip
    # Opening lists the lead organization, signed by the member who opened it.
    workflow.move(letter, Transition.open, actor=lead)
    now = utcnow()  # every sign-on below comes after the text it signs was saved

    def signer(label: str) -> Actor:
        return Actor(label=f"demo signer {label}", ip="192.0.2.10", user_agent="Demo browser")

    def sign_and_confirm(key: str, **kw: bool) -> Signature:
        result = operations.sign(letter, _details(key, **kw), actor=signer(key), now=now)
        operations.verify(result.signature, actor=signer(key), now=now)
        return result.signature

    # Listed: open link, own domain; one not named publicly; one from a webmail address.
    sign_and_confirm("riverbank")
    sign_and_confirm("observatorio", listed=False)
    sign_and_confirm("forest")
    # Invited, and signed with the invited address: listed at once.
    raw, token_hash = new_token()
    invitation = Invitation(
        letter_id=letter.id, email=SIGNERS["coastal"][6], organization_name=SIGNERS["coastal"][0],
        canonical_email=identity.canonical_email(SIGNERS["coastal"][6]),
        contact_name=SIGNERS["coastal"][4], token_hash=token_hash, invited_by_id=user.id,
    )  # fmt: skip
    db.session.add(invitation)
    db.session.flush()
    operations.sign(letter, _details("coastal"), actor=signer("coastal"), invitation=invitation)
    # An individual signatory.
    operations.verify(
        operations.sign(
            letter,
            SignOnDetails(
                email="l.vorster@univ-calder.example.edu",
                signer_name="Lena Vorster",
                kind=SignerKind.individual,
                affiliation="University of Calder Vale",
                country="Lowmarsh",
                attested_authorized=True,
            ),  # fmt: skip
            actor=signer("vorster"),
        ).signature,
        actor=signer("vorster"),
    )
    # A possible duplicate, listed (moderation is off) and flagged for the lead: the same
    # organization spelled another way. And another organization with a similar name: it
    # adds a qualifier, so it is only shown to the lead as "similar to …".
    sign_and_confirm("civic")
    sign_and_confirm("civic_again")
    sign_and_confirm("coastal_youth")
    # Withdrawn by its signer, rejected by the lead, never confirmed, and expired.
    operations.withdraw(sign_and_confirm("harbour"), actor=signer("harbour"))
    operations.reject(sign_and_confirm("spam"), actor=lead, note="Not an organization")
    operations.sign(letter, _details("mountain"), actor=signer("mountain"), now=now)
    tardy = operations.sign(letter, _details("tardy"), actor=signer("tardy"), now=now).signature
    tardy.verify_expires_at = now - timedelta(minutes=1)  # its link ran out unused
    db.session.flush()
    operations.expire_unverified(now, actor=lead)
    # A material change: the earlier signers are asked to reconfirm; one already has.
    # (Coastal, Observatorio, Forest and the others do not answer: they show "signed v2".)
    version = workflow.save_text(
        letter, base_number=2, text=_text(FIRMER), actor=lead, material=True,
        note="Stronger demand",
    ).version  # fmt: skip
    riverbank = db.session.scalar(
        sa.select(Signature).where(Signature.letter_id == letter.id, Signature.acronym == "RLAN")
    )
    operations.reconfirm(riverbank, version_number=version.number, actor=signer("riverbank"))
    # The signers are invented: nothing is mailed to them.
    db.session.execute(
        sa.delete(OutboxMessage).where(
            OutboxMessage.ref_type == "signatures",
            OutboxMessage.ref_id.in_(
                sa.select(Signature.id).where(Signature.letter_id == letter.id)
            ),
        )
    )
