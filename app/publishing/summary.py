"""What the finalize page shows before the lead confirms: the list as it will be frozen."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from werkzeug.routing import BuildError

from app.models import Letter
from app.publishing import fonts
from app.publishing.final_letter import FinalLetter
from app.publishing.store import build_live


@dataclass
class FinalizeSummary:
    fl: FinalLetter
    # Listed signers who have not agreed to the latest material change (signing feature).
    unconfirmed: list[Any] = field(default_factory=list)
    signatures_url: str | None = None
    # Characters the PDF would draw as empty boxes (no installed font has them).
    undrawable: list[fonts.Undrawable] = field(default_factory=list)
    font_packages: str = fonts.SUGGESTED_PACKAGES


def finalize_summary(letter: Letter) -> FinalizeSummary:
    try:
        from app.signing.reconfirmation import unconfirmed_signatures
    except ImportError:  # without the signing feature there is nothing to reconfirm
        unconfirmed: list[Any] = []
    else:
        unconfirmed = unconfirmed_signatures(letter)
    try:
        signatures_url = url_for("signing.signatures", slug=letter.slug)
    except BuildError:
        signatures_url = None
    fl = build_live(letter)
    return FinalizeSummary(fl, unconfirmed, signatures_url, fonts.undrawable(fl) or [])
