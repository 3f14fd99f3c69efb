"""What the finalize page shows before the lead confirms: the list as it will be frozen."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from werkzeug.routing import BuildError

from app.letters.collaborators import co_lead_organizations
from app.models import Letter, utcnow
from app.publishing import fonts
from app.publishing.final_letter import FinalLetter, build_final_letter
from app.publishing.freezing import frozen_signatures
from app.publishing.store import build_live, text_version


@dataclass
class FinalizeSummary:
    fl: FinalLetter
    # Listed signers who have not agreed to the latest material change (signing feature).
    unconfirmed: list[Any] = field(default_factory=list)
    signatures_url: str | None = None
    # Characters the PDF would draw as empty boxes (no installed font has them).
    undrawable: list[fonts.Undrawable] = field(default_factory=list)
    font_packages: str = fonts.SUGGESTED_PACKAGES


def finalize_summary(letter: Letter, *, include_unconfirmed: bool = False) -> FinalizeSummary:
    """The list as finalizing would freeze it: by default without those who never agreed
    to the final text (named in `unconfirmed`), or with them when the lead includes them."""
    listed, left_out = frozen_signatures(letter, include_unconfirmed=False)
    try:
        signatures_url = url_for("signing.signatures", slug=letter.slug)
    except BuildError:
        signatures_url = None
    if include_unconfirmed or not left_out:
        fl = build_live(letter)
    else:
        co_leads = (
            [org.name for org in co_lead_organizations(letter)] if letter.show_co_leads else []
        )
        fl = build_final_letter(letter, text_version(letter), listed, co_leads, utcnow())
    return FinalizeSummary(fl, left_out, signatures_url, fonts.undrawable(fl) or [])
