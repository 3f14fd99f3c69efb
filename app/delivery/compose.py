"""The cover email of a delivery: its addresses from the recipients, and a subject and note
from a template the lead edits before sending."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template

from app.letters.text import LetterText, split_addresses
from app.models import Letter
from app.publishing.store import load_final_letter, text_version

DEFAULT_SUBJECT = "Joint letter: {title}"
DEFAULT_NOTE = (
    "Please find attached a joint letter from {lead} and {others}, “{title}”, "
    "dated {date}.\n\n"
    "The letter and its list of signatories are attached as a PDF. We would welcome your "
    "response; replies to this email reach {lead}."
)
TEMPLATE = "delivery/emails/cover"


@dataclass(frozen=True)
class CoverEmail:
    to: list[str]
    cc: list[str]
    subject: str
    note: str


def on_file(letter: Letter) -> tuple[list[str], list[str]]:
    """The recipients' delivery addresses (to, cc), from the final text, without repeats."""
    text = LetterText.from_version(text_version(letter))
    to = split_addresses(", ".join(r.delivery_to for r in text.recipients))
    seen = {a.lower() for a in to}
    cc = [a for a in split_addresses(", ".join(r.delivery_cc for r in text.recipients))
          if a.lower() not in seen]  # fmt: skip
    return to, cc


def default_cover(letter: Letter) -> CoverEmail:
    fl = load_final_letter(letter)
    others = fl.count - 1
    values = {
        "title": fl.title,
        "lead": fl.lead,
        "others": f"{others} other signator{'y' if others == 1 else 'ies'}",
        "date": fl.date_line or "today",
    }
    to, cc = on_file(letter)
    return CoverEmail(to, cc, DEFAULT_SUBJECT.format(**values), DEFAULT_NOTE.format(**values))


def context(letter: Letter, cover: CoverEmail, *, public_url: str | None) -> dict:
    fl = load_final_letter(letter)
    return {
        "letter": letter,
        "fl": fl,
        "note": cover.note,
        "paragraphs": [p.strip() for p in cover.note.split("\n\n") if p.strip()],
        "public_url": public_url,
        "subject": cover.subject,
        "site_name": current_app.config["SITE_NAME"],
    }


def render(letter: Letter, cover: CoverEmail, *, public_url: str | None) -> tuple[str, str]:
    """The text and HTML of the cover email, as the preview shows and the outbox sends."""
    ctx = context(letter, cover, public_url=public_url)
    return render_template(f"{TEMPLATE}.txt", **ctx), render_template(f"{TEMPLATE}.html", **ctx)
