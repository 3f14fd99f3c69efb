"""`flask notices send-due`: each member gets the new notices of the letters their
organizations lead, at once or in a digest, as they chose.

Safe from cron and when two runs overlap: a batch is claimed by moving the member's
watermark with a conditional UPDATE (`… WHERE last_event_id = <what we read>`) in the same
transaction as its emails; a second run's UPDATE matches no row and sends nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.mail.outbox import queue_email, unsubscribe_headers
from app.models import Membership, NoticeMode, NoticeWatermark, User, utcnow
from app.notices import events, preferences
from app.notices.events import Notice
from app.urls import external_url

PERIODS = {NoticeMode.hourly: timedelta(hours=1), NoticeMode.daily: timedelta(days=1)}
# Events older than this are never sent: a member added today is not told last week's news.
LOOKBACK = timedelta(days=3)
CHANNELS = (NoticeMode.every, NoticeMode.hourly, NoticeMode.daily)


@dataclass
class Member:
    user_id: int
    email: str
    name: str
    organizations: set[int] = field(default_factory=set)


def send_due(now: datetime | None = None, *, force: bool = False) -> int:
    """Queue the notices that are due (every digest with `force`); returns emails queued.
    Commits once per member and channel."""
    now = now or utcnow()
    events.announce_deadlines(now)
    db.session.commit()
    found = events.notices(events.recent_events(0, now - LOOKBACK))
    if not found:
        return 0
    members = _members({n.letter.organization_id for n in found})
    choices = preferences.modes(members)
    queued = 0
    for member in members.values():
        general, per_letter = choices[member.user_id]
        channels: dict[NoticeMode, list[Notice]] = defaultdict(list)
        for notice in found:
            if notice.letter.organization_id not in member.organizations:
                continue
            mode = per_letter.get(notice.letter.id, general)
            if mode is NoticeMode.none:
                if not notice.is_note:
                    continue
                mode = NoticeMode.every  # a note to the lead always arrives
            channels[mode].append(notice)
        for channel, pending in channels.items():
            queued += _send_channel(member, channel, pending, now=now, force=force)
    return queued


def _members(organization_ids: set[int]) -> dict[int, Member]:
    rows = db.session.execute(
        sa.select(User.id, User.email, User.name, Membership.organization_id)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organization_id.in_(organization_ids),
            User.is_active.is_(True),
            User.email_verified_at.is_not(None),
        )
    ).all()
    members: dict[int, Member] = {}
    for user_id, email, name, organization_id in rows:
        members.setdefault(user_id, Member(user_id, email, name)).organizations.add(organization_id)
    return members


def _watermark(user_id: int, channel: NoticeMode) -> int:
    table = NoticeWatermark.__table__
    dialect = db.session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        db.session.execute(
            insert(table)
            .values(user_id=user_id, channel=channel.value, last_event_id=0)
            .on_conflict_do_nothing()
        )
    elif db.session.get(NoticeWatermark, (user_id, channel.value)) is None:
        db.session.add(NoticeWatermark(user_id=user_id, channel=channel.value))
        db.session.flush()
    return db.session.execute(
        sa.select(table.c.last_event_id).where(
            table.c.user_id == user_id, table.c.channel == channel.value
        )
    ).scalar_one()


def _send_channel(
    member: Member, channel: NoticeMode, pending: list[Notice], *, now: datetime, force: bool
) -> int:
    mark = _watermark(member.user_id, channel)
    db.session.commit()  # the watermark row exists for every run from here on
    batch = [n for n in pending if n.event_id > mark]
    if not batch:
        return 0
    if channel in PERIODS and not force and min(n.at for n in batch) > now - PERIODS[channel]:
        return 0  # the digest waits until its oldest news is an hour (a day) old
    claimed = db.session.execute(
        sa.update(NoticeWatermark)
        .where(
            NoticeWatermark.user_id == member.user_id,
            NoticeWatermark.channel == channel.value,
            NoticeWatermark.last_event_id == mark,
        )
        .values(last_event_id=max(n.event_id for n in batch), sent_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()  # another run sent these
        return 0
    if channel is NoticeMode.every:
        for notice in batch:
            _queue(member, [notice], digest=None)
    else:
        _queue(member, batch, digest=channel)
    db.session.commit()
    return 1 if digest_of(channel) else len(batch)


def digest_of(channel: NoticeMode) -> bool:
    return channel in PERIODS


def _queue(member: Member, batch: list[Notice], *, digest: NoticeMode | None) -> None:
    settings = external_url("notices.preferences")
    if digest is None:
        [notice] = batch
        subject = f"{notice.headline} — {notice.letter.title}"
    else:
        word = "Hourly" if digest is NoticeMode.hourly else "Daily"
        count = len(batch)
        subject = f"{word} digest: {count} update{'s' if count != 1 else ''} on your letters"
    by_letter: dict[int, list[Notice]] = defaultdict(list)
    for notice in batch:
        by_letter[notice.letter.id].append(notice)
    queue_email(
        kind="notice.digest" if digest else "notice.event",
        to=member.email,
        subject=" ".join(subject.split())[:300],
        template="notices/emails/notice",
        context={
            "name": member.name,
            "groups": [(items[0].letter, items) for items in by_letter.values()],
            "digest": digest.value if digest else None,
            "settings_url": settings,
            "site": current_app.config["SITE_NAME"],
        },
        headers=unsubscribe_headers(settings),
    )
