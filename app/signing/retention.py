"""Retention: a final letter's contact data is erased once its organization's period is over.

`flask --app wsgi retention apply` (safe from cron at any frequency; `flask jobs work` runs it
daily) erases every final letter whose `finalized_at + Organization.retention_days` has
passed, and tells the lead NOTICE_DAYS before, once (`Letter.retention_notice_at`). Both
steps are conditional on columns the run itself sets, so running twice, or two runs at the
same moment, erases and writes once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from babel.dates import format_date

from app.actor import Actor
from app.audit import record
from app.extensions import db
from app.invitations.deadline import lead_contact
from app.mail.outbox import queue_email
from app.models import Letter, LetterStatus, Organization, utcnow
from app.signing import erasure
from app.urls import external_url

NOTICE_DAYS = 14
_SYSTEM = Actor.system("retention")


@dataclass
class RetentionReport:
    erased: list[str] = field(default_factory=list)  # slugs
    notified: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.erased)} letter(s) erased, {len(self.notified)} lead(s) told of an "
            "erasure in 14 days."
        )


def erase_on(letter: Letter, days: int) -> datetime | None:
    """When the letter's contact data is due to be erased (None: not final)."""
    if letter.status is not LetterStatus.final or letter.finalized_at is None:
        return None
    return letter.finalized_at + timedelta(days=days)


def _pending() -> list[tuple[Letter, int]]:
    rows = db.session.execute(
        sa.select(Letter, Organization.retention_days)
        .join(Organization, Organization.id == Letter.organization_id)
        .where(Letter.status == LetterStatus.final, Letter.contacts_erased_at.is_(None))
        .order_by(Letter.id)
    ).all()
    return [(letter, days) for letter, days in rows]


def apply(now: datetime | None = None) -> RetentionReport:
    """Erase what is due and warn about what will be; commits after each letter."""
    now = now or utcnow()
    report = RetentionReport()
    for letter, days in _pending():
        due = erase_on(letter, days)
        if due is None:
            continue
        slug = letter.slug
        if due <= now:
            if _erase(letter, now):
                report.erased.append(slug)
        elif due - timedelta(days=NOTICE_DAYS) <= now and letter.retention_notice_at is None:
            if _notify(letter, due, now):
                report.notified.append(slug)
        db.session.commit()
    return report


def _claim(letter: Letter, column: sa.Column, now: datetime) -> bool:
    # Whoever sets the column first does the work: two runs at once never both do it.
    result = db.session.execute(
        sa.update(Letter)
        .where(Letter.id == letter.id, column.is_(None))
        .values({column.key: now})
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _erase(letter: Letter, now: datetime) -> bool:
    if not _claim(letter, Letter.contacts_erased_at, now):
        return False
    db.session.refresh(letter)
    erasure.erase_contacts(letter, actor=_SYSTEM, now=now, reason="retention")
    return True


def _notify(letter: Letter, due: datetime, now: datetime) -> bool:
    if not _claim(letter, Letter.retention_notice_at, now):
        return False
    contact = lead_contact(letter)
    erase_date = format_date(due.date(), format="long", locale="en_US")
    if contact.email:
        queue_email(
            kind="retention_notice",
            to=contact.email,
            subject=f"Signers' contact data of “{letter.title}” will be erased on {erase_date}",
            template="signing/emails/retention_notice",
            context={
                "letter": letter,
                "name": contact.name,
                "organization": contact.organization,
                "erase_date": erase_date,
                "erase_url": external_url("signing.erase_contacts", slug=letter.slug),
                "org_url": external_url("orgs.home"),
            },
            ref=letter,
        )
    record("letter.retention_notice", _SYSTEM, letter, erase_on=due.isoformat())
    return True
