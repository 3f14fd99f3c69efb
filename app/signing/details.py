"""What a sign-on carries and how it ends: plain values for `operations.sign`."""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields

from email_validator import EmailNotValidError, validate_email

from app.errors import Refused
from app.models import Signature, SignerKind
from app.signing import rules


class SignOnClosed(Refused):
    """Nobody can sign this letter this way now (closed, past the deadline, invitation only)."""


class TextChanged(Refused):
    """The letter's text changed after the signer's page was loaded: they must read it again."""


@dataclass(frozen=True)
class SignOnDetails:
    email: str
    signer_name: str
    kind: SignerKind = SignerKind.organization
    organization_name: str = ""
    acronym: str = ""
    website: str = ""
    country: str = ""
    signer_title: str = ""
    affiliation: str = ""
    note_to_lead: str = ""
    attested_authorized: bool = False
    listed_publicly: bool = True

    def problem(self) -> str | None:
        """The first reason these details cannot be stored, or None."""
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str) and (p := rules.length_problem(f.name, value)):
                return f"{f.name.replace('_', ' ').capitalize()}: {p}"
        for name in ("organization_name", "acronym", "signer_name", "signer_title", "country",
                     "affiliation"):  # fmt: skip
            if p := rules.name_problem(getattr(self, name)):
                return p
        if p := rules.website_problem(self.website):
            return p
        try:
            validate_email(self.email.strip(), check_deliverability=False)
        except EmailNotValidError:
            return "Give a valid email address."
        if not self.signer_name.strip():
            return "Give your name."
        if self.kind is SignerKind.organization and not self.organization_name.strip():
            return "Give the organization's name as it should appear on the letter."
        if not self.attested_authorized:
            return "Please confirm that you may sign this letter."
        return None


class SignOutcome(enum.StrEnum):
    check_email = "check_email"  # a confirmation email went out (or the owner was told)
    signed = "signed"  # confirmed at once through the personal invitation


@dataclass
class SignResult:
    outcome: SignOutcome
    # None when the address already had a signature: the page must not differ for that.
    signature: Signature | None = None
