"""The letter at a glance: the invitation funnel and a chart of sign-ons per day.

The chart is drawn here as SVG geometry (no script), so it shows in any browser, on paper,
and in the page's print preview; the template only places the shapes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import format_date

from app.extensions import db
from app.models import Invitation, InvitationStatus, Letter, Signature, SignatureStatus, utcnow

S = InvitationStatus
COUNTED = (SignatureStatus.verified, SignatureStatus.approved)
MAX_DAYS = 120
WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 36, 12, 22, 40


@dataclass
class Funnel:
    counts: dict[str, int]
    opened: int  # visited their link at least once, whatever happened next

    @property
    def invited(self) -> int:
        return sum(n for status, n in self.counts.items() if status != S.withdrawn.value)

    def __getitem__(self, status: str) -> int:
        return self.counts.get(status, 0)

    def share(self, n: int) -> int:
        """Percent of the invited, for the funnel bars."""
        return round(100 * n / self.invited) if self.invited else 0


def funnel(letter: Letter) -> Funnel:
    counts = {
        status.value: n
        for status, n in db.session.execute(
            sa.select(Invitation.status, sa.func.count())
            .where(Invitation.letter_id == letter.id)
            .group_by(Invitation.status)
        )
    }
    opened = db.session.scalar(
        sa.select(sa.func.count()).where(
            Invitation.letter_id == letter.id,
            Invitation.opened_at.is_not(None),
            Invitation.status != S.withdrawn,
        )
    )
    return Funnel(counts, opened or 0)


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: date
    count: int


@dataclass
class Chart:
    bars: list[Bar] = field(default_factory=list)
    total: int = 0
    peak: int = 0
    y_ticks: list[tuple[float, int]] = field(default_factory=list)
    x_labels: list[tuple[float, str]] = field(default_factory=list)
    deadline_x: float | None = None
    deadline_label: str = ""
    today_x: float | None = None
    summary: str = ""
    width: int = WIDTH
    height: int = HEIGHT
    baseline: float = HEIGHT - BOTTOM
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def chart(letter: Letter, now: datetime | None = None) -> Chart:
    """Sign-ons (verified or listed) per day in the letter's time zone, with the deadline."""
    now = now or utcnow()
    zone = ZoneInfo(letter.time_zone or "UTC")
    moments = db.session.scalars(
        sa.select(Signature.created_at).where(
            Signature.letter_id == letter.id, Signature.status.in_(COUNTED)
        )
    ).all()
    per_day = Counter(_local_day(m, zone) for m in moments)
    today = _local_day(now, zone)
    deadline = _local_day(letter.deadline_at, zone) if letter.deadline_at else None
    start = min([*per_day, _local_day(letter.opened_at or now, zone)])
    end = max([*per_day, today, *([deadline] if deadline else [])])
    start = max(start, end - timedelta(days=MAX_DAYS - 1))
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    peak = max(per_day.values(), default=0)
    top = _nice_ceiling(peak)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / len(days)
    result = Chart(total=sum(per_day.values()), peak=peak)
    for i, day in enumerate(days):
        count = per_day.get(day, 0)
        h = plot_h * count / top
        result.bars.append(
            Bar(LEFT + i * step + step * 0.1, TOP + plot_h - h, max(step * 0.8, 1), h, day, count)
        )
    result.y_ticks = [(TOP + plot_h - plot_h * v / top, v) for v in _ticks(top)]
    label_every = max(1, round(len(days) / 6))
    result.x_labels = [
        (LEFT + i * step + step / 2, format_date(day, "MMM d", locale="en_US"))
        for i, day in enumerate(days)
        if i % label_every == 0
    ]
    if deadline and start <= deadline <= end:
        result.deadline_x = LEFT + (days.index(deadline) + 1) * step
        result.deadline_label = "Deadline " + format_date(deadline, "MMM d", locale="en_US")
    if start <= today <= end and today != deadline:
        result.today_x = LEFT + days.index(today) * step + step / 2
    result.summary = _summary(result, days, per_day, deadline)
    return result


def _nice_ceiling(peak: int) -> int:
    for nice in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if peak <= nice:
            return nice
    return -(-peak // 1000) * 1000


def _ticks(top: int) -> list[int]:
    if top <= 5:
        return list(range(top + 1))
    return [0, top // 2, top] if top % 2 == 0 else [0, top]


def _summary(result: Chart, days: list[date], per_day: Counter, deadline: date | None) -> str:
    span = f"{format_date(days[0], 'MMMM d', locale='en_US')} to {format_date(days[-1], 'MMMM d', locale='en_US')}"
    # Confirmed sign-ons (listed or waiting for the lead), as the chart counts them.
    text = f"{result.total} confirmed sign-on{'s' if result.total != 1 else ''} from {span}"
    if result.peak:
        busiest = max(per_day, key=lambda d: (per_day[d], d))
        text += f"; the most on {format_date(busiest, 'MMMM d', locale='en_US')} ({result.peak})"
    if deadline:
        text += f"; the deadline is {format_date(deadline, 'MMMM d', locale='en_US')}"
    return text + "."


@dataclass
class Glance:
    funnel: Funnel
    chart: Chart


def glance(letter: Letter) -> Glance:
    """What the letter overview shows (template global `invitation_glance`)."""
    return Glance(funnel(letter), chart(letter))
