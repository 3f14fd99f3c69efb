"""The letter laid out as it will be printed: letterhead, date line, addresses, text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date

from app.core import zones
from app.letters.collaborators import co_lead_organizations
from app.letters.markdown import RenderedBody, render_body_cached
from app.letters.text import LetterText
from app.models import DateMode, Letter, LetterVersion

# Locales offered for the date line; any locale Babel knows would work.
LOCALE_CODES = (
    "en_US", "en_GB", "fr_FR", "es_ES", "de_DE", "it_IT", "nl_NL", "pt_BR", "pt_PT",
    "pl_PL", "uk_UA", "ru_RU", "tr_TR", "ar", "fa", "zh_Hans_CN", "ja_JP", "sw_KE",
)  # fmt: skip


def locale_choices() -> list[tuple[str, str]]:
    return [(code, Locale.parse(code).get_display_name(code) or code) for code in LOCALE_CODES]


def time_zone_choices(current: str | None = None) -> list[tuple[str, str]]:
    """Common zones first with plain names, then every current zone (see app.core.zones)."""
    return zones.time_zone_choices(current)


def written_date(day: date, locale: str) -> str:
    """ "September 5, 2024" in en_US, "5 septembre 2024" in fr_FR."""
    try:
        return format_date(day, format="long", locale=locale)
    except (UnknownLocaleError, ValueError):
        return format_date(day, format="long", locale="en_US")


def date_line(letter: Letter, now: datetime) -> tuple[str, str | None]:
    """The date line and, while it is not yet fixed, a note saying what it will be."""
    if letter.letter_date is not None:
        return written_date(letter.letter_date, letter.locale), None
    if letter.date_mode is DateMode.fixed:
        return "", "No date is set yet: choose one in the settings."
    today = now.astimezone(ZoneInfo(letter.time_zone)).date()
    return (
        written_date(today, letter.locale),
        "Today's date is shown; the final letter carries the day it is finalized.",
    )


@dataclass
class PrintedLetter:
    letterhead: list[str]
    date_line: str
    date_note: str | None
    recipients: list[list[str]]
    salutation: str
    body: RenderedBody
    closing: str
    version_number: int


def build_printed(letter: Letter, version: LetterVersion, now: datetime) -> PrintedLetter:
    text = LetterText.from_version(version)
    letterhead = [letter.organization.name]
    if letter.show_co_leads:
        letterhead += [org.name for org in co_lead_organizations(letter)]
    line, note = date_line(letter, now)
    return PrintedLetter(
        letterhead=letterhead,
        date_line=line,
        date_note=note,
        recipients=[r.lines() for r in text.recipients],
        salutation=text.salutation,
        body=render_body_cached(text.body),
        closing=text.closing,
        version_number=version.number,
    )
