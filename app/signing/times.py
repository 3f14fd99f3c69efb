"""Times in the lead's table: one short line, with the full moment for those who ask."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime


def short_time(moment: datetime | None, time_zone: str = "UTC") -> str:
    """ "Nov 27, 15:49", where the letter is (the full moment goes in a title)."""
    if moment is None:
        return ""
    return format_datetime(moment, "MMM d, HH:mm", tzinfo=ZoneInfo(time_zone), locale="en_US")


def iso_time(moment: datetime | None) -> str:
    """The machine-readable moment for `<time datetime>`, in UTC."""
    if moment is None:
        return ""
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(ZoneInfo("UTC")).isoformat(timespec="seconds")
