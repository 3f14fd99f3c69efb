"""The demo's invitations and address book (`flask demo` calls `create_demo_invitations`).

Every organization, person and address here is invented. The invitations go on the demo's
open letter (`demo-open`) when it exists, else on a letter of our own, `demo-invitations`.
Their emails are queued like any others, so in development the dev mailbox shows them with
working personal links.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app import workflow
from app.actor import Actor
from app.errors import Refused
from app.extensions import db
from app.invitations import addressbook, operations, parsing, partners, sources
from app.letters import operations as letters
from app.letters.lifecycle import Transition
from app.letters.text import Address, LetterText
from app.models import (
    ArrivedVia,
    Invitation,
    InvitationStatus,
    Letter,
    Organization,
    OutboxMessage,
    OutboxStatus,
    PartnerContact,
    Signature,
    SignatureStatus,
    User,
    utcnow,
)
from app.tokens import new_token

OPEN_SLUG, OWN_SLUG = "demo-open", "demo-invitations"

# (organization, contact, address, state, days ago it happened)
INVITEES = (
    (
        "Friends of Marrow Bay",
        "Maria Ostrova",
        "maria.ostrova@marrowbay-friends.example.org",
        "signed",
        6,
    ),
    ("Estavia Fisherfolk Alliance", "Joon Park", "joon.park@fisherfolk.example.org", "signed", 4),
    (
        "Saltmarsh Community Land Trust",
        "Ines Barros",
        "ines@saltmarsh-trust.example.org",
        "signed",
        4,
    ),
    ("Harbor Rights Watch", "Li Wei", "li.wei@harborwatch.example.org", "opened", 2),
    ("Lantern Press Freedom Project", "Sam Adeyemi", "sam@lanternpress.example.org", "sent", 3),
    ("Coastal Housing Network", "Ana Ruiz", "ana.ruiz@coastalhousing.example.org", "declined", 1),
    ("Port Workers Solidarity Fund", "Olu Bankole", "olu@portworkers.example.org", "queued", 0),
    ("Tidewater Legal Clinic", "Dana Whitfield", "intake@tidewater-legal.example.org", "failed", 5),
    ("Green Estuary Trust", "Kim Sørensen", "kim@greenestuary.example.org", "withdrawn", 5),
)
GROUP = "Marrow Bay core partners"
REMOVED = ("Harbor Rights Watch", "Former Office", "old-office@harborwatch.example.org")
ALIAS = "maria@marrowbay-friends.example.org"

OWN_TEXT = LetterText(
    recipients=(
        Address(
            honorific="The Honorable",
            name="Rosa Valdane",
            title="Minister of Ports and Fisheries",
            department="Ministry of Ports and Fisheries",
            street=("4 Quay Street",),
            locality="Port Estava 2201",
            country="Estavia",
        ),
    ),
    salutation="Dear Minister Valdane:",
    body=(
        "We, the undersigned organizations, ask you to publish the accounts of the Marrow Bay "
        "port expansion, including every contract and payment made since it began.\n\n"
        "Families who fished the bay for generations were moved without notice. They, and the "
        "public who pays for the port, have a right to know where the money went."
    ),
    closing="Sincerely,",
)


def _letter(organization: Organization, user: User, actor: Actor) -> Letter | None:
    letter = db.session.scalar(sa.select(Letter).where(Letter.slug == OPEN_SLUG))
    if letter is not None:
        return letter if letter.organization_id == organization.id else None
    letter = db.session.scalar(sa.select(Letter).where(Letter.slug == OWN_SLUG))
    if letter is not None:
        return letter
    letter = letters.create_letter(
        organization=organization,
        title="Open the Marrow Bay port accounts",
        actor=actor,
        slug=OWN_SLUG,
    )
    letters.save_text(letter, base_number=1, text=OWN_TEXT, actor=actor, note="Demo text")
    letter.time_zone = "America/New_York"
    letter.deadline_at = utcnow() + timedelta(days=9)
    letter.reminder_days_before = 3
    workflow.move(letter, Transition.open, actor=actor)
    db.session.flush()
    letter.opened_at = utcnow() - timedelta(days=7)
    return letter


def create_demo_invitations(organization: Organization, user: User) -> None:
    """Invitations in every state and an address book, once. The caller commits."""
    actor = Actor(user_id=user.id, label="demo")
    letter = _letter(organization, user, actor)
    if letter is None:
        return
    emails = [parsing.canonical_email(i[2]) for i in INVITEES]
    done = db.session.scalar(
        sa.select(Invitation.id).where(
            Invitation.letter_id == letter.id, Invitation.canonical_email.in_(emails)
        )
    )
    if done is not None:
        return
    lines = sources.as_lines(
        addressbook.Person(o, c, e, parsing.canonical_email(e)) for o, c, e, *_ in INVITEES
    )
    rows = [r for r in parsing.parse_pasted(lines).rows if r.ok]
    try:
        operations.invite(
            letter,
            rows,
            message="We would be proud to have you with us.",
            inviter=user,
            actor=actor,
        )
    except Refused:
        return  # the demo letter is not open (or past its deadline): nothing to invite to
    db.session.flush()
    for _, _, email, state, days in INVITEES:
        _put_in_state(letter, parsing.canonical_email(email), state, days)
    _address_book(organization, actor)


def _put_in_state(letter: Letter, canonical: str, state: str, days: int) -> None:
    invitation = db.session.scalar(
        sa.select(Invitation).where(
            Invitation.letter_id == letter.id, Invitation.canonical_email == canonical
        )
    )
    at = utcnow() - timedelta(days=days, hours=3)
    invitation.created_at = at - timedelta(days=1)
    invitation.status = InvitationStatus(state)
    if state != "queued":
        invitation.sent_at = at - timedelta(hours=20)
    if state in ("opened", "signed", "declined"):
        invitation.opened_at = at - timedelta(hours=2)
    if state in ("signed", "declined"):
        invitation.answered_at = at
    if state == "declined":
        invitation.decline_reason = (
            "Our board only meets next month; we hope to join the next letter."
        )
    if state == "failed":
        invitation.failure_reason = (
            "intake@tidewater-legal.example.org: 550 5.1.1 No such user here"
        )
    if state == "sent":
        invitation.reminders_sent, invitation.last_reminded_at = 1, at + timedelta(days=1)
    if state == "signed":
        _signature(letter, invitation, at)
    if state != "queued":
        # Its email went (or bounced) long ago: the outbox says so too, and the dev mailbox
        # shows it with its working links.
        failed = state == "failed"
        db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.ref_type == "invitations", OutboxMessage.ref_id == invitation.id)
            .values(
                status=OutboxStatus.failed if failed else OutboxStatus.sent,
                sent_at=None if failed else invitation.sent_at,
                last_error=invitation.failure_reason or None,
                attempts=1,
            )
            .execution_options(synchronize_session=False)
        )


def _signature(letter: Letter, invitation: Invitation, at) -> None:  # noqa: ANN001
    version = letters.latest_version(letter)
    db.session.add(
        Signature(
            letter_id=letter.id,
            status=SignatureStatus.approved,
            organization_name=invitation.organization_name,
            signer_name=invitation.contact_name,
            signer_title="Director",
            email=invitation.email,
            canonical_email=invitation.canonical_email,
            attested_authorized=True,
            via=ArrivedVia.invitation,
            invitation_id=invitation.id,
            version_id=version.id,
            version_number=version.number,
            manage_token_hash=new_token()[1],
            created_at=at,
            verified_at=at,
            approved_at=at,
        )
    )


def _address_book(organization: Organization, actor: Actor) -> None:
    org_id = organization.id
    addressbook.remember(
        org_id,
        [
            addressbook.Person(*REMOVED, parsing.canonical_email(REMOVED[2])),
            addressbook.Person(
                INVITEES[0][0], "Maria Ostrova", ALIAS, parsing.canonical_email(ALIAS)
            ),
        ],
    )
    db.session.flush()
    book = {
        c.canonical_email: c
        for c in db.session.scalars(
            sa.select(PartnerContact).where(PartnerContact.organization_id == org_id)
        )
    }
    partners.remove_contact(book[parsing.canonical_email(REMOVED[2])], actor=actor)
    partners.merge_contacts(book[parsing.canonical_email(INVITEES[0][2])], ALIAS, actor=actor)
    core = [book[parsing.canonical_email(i[2])].id for i in INVITEES[:4]]
    partners.save_group(org_id, GROUP, core, actor=actor)
    db.session.flush()
