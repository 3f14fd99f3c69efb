"""What the letter's overview shows its leads: the live letter with its real, numbered list as
it will print, the counts that matter, and the next step in words.

A fixed number of queries whatever the list's length: the live FinalLetter (kept by the app
while nothing it shows changes) and one grouped count.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for

from app.extensions import db
from app.models import Letter, LetterStatus, Signature, SignatureStatus
from app.publishing.final_letter import FinalLetter
from app.publishing.store import load_final_letter

S = SignatureStatus


@dataclass(frozen=True)
class ListCounts:
    listed: int = 0  # approved: on the list, named or not
    not_named: int = 0  # of those, the ones that asked not to be named
    awaiting: int = 0  # confirmed by email, waiting for the lead's decision
    unconfirmed: int = 0  # the signer has not yet confirmed the address

    def phrases(self) -> list[str]:
        """ "12 listed (1 not named)", "3 awaiting your decision", "2 unconfirmed"."""
        listed = f"{self.listed:,} listed"
        if self.not_named:
            listed += f" ({self.not_named:,} not named)"
        parts = [listed]
        if self.awaiting:
            parts.append(f"{self.awaiting:,} awaiting your decision")
        if self.unconfirmed:
            parts.append(f"{self.unconfirmed:,} unconfirmed")
        return parts


@dataclass(frozen=True)
class NextStep:
    text: str
    url: str | None = None
    link: str | None = None


@dataclass(frozen=True)
class OverviewPanel:
    fl: FinalLetter
    counts: ListCounts
    next_step: NextStep | None


def list_counts(letter: Letter) -> ListCounts:
    rows = db.session.execute(
        sa.select(Signature.status, Signature.listed_publicly, sa.func.count())
        .where(
            Signature.letter_id == letter.id,
            Signature.status.in_([S.approved, S.verified, S.unverified]),
        )
        .group_by(Signature.status, Signature.listed_publicly)
    ).all()
    found: dict[str, int] = {"listed": 0, "not_named": 0, "awaiting": 0, "unconfirmed": 0}
    for status, listed_publicly, n in rows:
        if status is S.approved:
            found["listed"] += n
            found["not_named"] += 0 if listed_publicly else n
        elif status is S.verified:
            found["awaiting"] += n
        else:
            found["unconfirmed"] += n
    return ListCounts(**found)


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def next_step(letter: Letter, counts: ListCounts) -> NextStep | None:
    """The one thing the lead would do next, in words, with where to do it."""
    signatures = url_for("signing.signatures", slug=letter.slug)
    if letter.archived:
        return None
    if counts.awaiting and letter.status is not LetterStatus.final:
        waiting = _plural(counts.awaiting, "sign-on awaits", "sign-ons await")
        return NextStep(
            f"{waiting} your decision.",
            url_for("signing.signatures", slug=letter.slug, show="verified"),
            "Decide now",
        )
    if letter.status is LetterStatus.draft:
        return NextStep(
            "When the text is ready, invite organizations: one click then opens the letter "
            "and sends the invitations.",
            url_for("invitations.new", slug=letter.slug),
            "Invite organizations",
        )
    if letter.status is LetterStatus.open:
        if not counts.listed:
            return NextStep(
                "Nobody is listed yet: invite organizations, or share the sign link.",
                url_for("invitations.new", slug=letter.slug),
                "Invite organizations",
            )
        return NextStep(
            f"{_plural(counts.listed, 'signatory is', 'signatories are')} listed. "
            "Close sign-on when you have enough, then finalize.",
            signatures,
            "See the signatures",
        )
    if letter.status is LetterStatus.closed:
        # The "Finalize…" button is on the page already.
        return NextStep("Sign-on is closed. Check the list below, then finalize the letter.")
    if not letter.published:
        return NextStep("The letter is final. Publish it to give it a public page.")
    return NextStep(
        "The letter is final and published.",
        url_for("publishing.public_letter", slug=letter.slug),
        "Open the public page",
    )


def overview_panel(letter: Letter) -> OverviewPanel:
    counts = list_counts(letter)
    return OverviewPanel(load_final_letter(letter), counts, next_step(letter, counts))
