"""Who has signed so far, as the sign pages show it when the lead allows ("Show who has
signed", on by default): only listed signatories who agreed to be named, in the letter's
order, and a line for those who cannot be named."""

from __future__ import annotations

from dataclasses import dataclass

from app.models import Letter, SignerKind
from app.signing.queries import listed_signatures

# A letter with thousands of signatories shows the first ones and says how many more.
SHOWN = 300


@dataclass(frozen=True)
class SignedSoFar:
    organizations: list[str]
    individuals: list[str]
    unnamed: str  # "and 2 organizations that cannot be named for their safety", or ""
    more: int

    @property
    def empty(self) -> bool:
        return not (self.organizations or self.individuals or self.unnamed)


def signed_so_far(letter: Letter) -> SignedSoFar | None:
    """None when the lead chose not to show the list."""
    if not letter.show_signatories:
        return None
    from app.publishing.final_letter import unnamed_phrase
    from app.publishing.ordering import order_signatures

    signatures = listed_signatures(letter)
    named = [s for s in signatures if s.listed_publicly]
    lead = letter.organization.name if letter.lead_first else None
    ordered = order_signatures(named, letter.signatory_order, lead_name=lead)
    organizations = [s.display_name for s in ordered if s.kind is SignerKind.organization]
    individuals = [s.display_name for s in ordered if s.kind is SignerKind.individual]
    hidden = [s for s in signatures if not s.listed_publicly]
    unnamed = unnamed_phrase(
        sum(s.kind is SignerKind.organization for s in hidden),
        sum(s.kind is SignerKind.individual for s in hidden),
    )
    more = max(len(organizations) - SHOWN, 0) + max(len(individuals) - SHOWN, 0)
    return SignedSoFar(organizations[:SHOWN], individuals[:SHOWN], unnamed, more)
