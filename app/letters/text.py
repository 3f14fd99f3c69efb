"""The text of a letter as plain values: what a version freezes and what the editor edits."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from app.models import LetterVersion

ADDRESS_FIELDS = ("honorific", "name", "title", "department", "street", "locality", "country")
# Where a delivered letter is emailed (issue 15). Stored with the recipient, never printed:
# `lines()` and `LetterText.sections()` leave them out, so diffs and the letter ignore them.
DELIVERY_FIELDS = ("delivery_to", "delivery_cc")
_SEPARATORS = re.compile(r"[,;\s]+")
# A plain address: one @, a dot in the domain, nothing that could end a header.
_PLAIN_ADDRESS = re.compile(r"[^@\s,;<>\"()\[\]\\]+@[^@\s,;<>\"()\[\]\\]+\.[^@\s,;<>\"()\[\]\\.]+")


def split_addresses(value: str | None) -> list[str]:
    """Email addresses typed into one field, separated by commas (or semicolons, spaces or
    lines), without repeats, in the order given."""
    seen: dict[str, str] = {}
    for part in _SEPARATORS.split(value or ""):
        if part:
            seen.setdefault(part.lower(), part)
    return list(seen.values())


def bad_addresses(value: str | None) -> list[str]:
    """The parts of `value` that are not an email address."""
    return [a for a in split_addresses(value) if not _PLAIN_ADDRESS.fullmatch(a) or len(a) > 254]


def join_addresses(value: str | None) -> str:
    return ", ".join(split_addresses(value))


@dataclass(frozen=True)
class Address:
    """One recipient's address block, printed top to bottom in this order."""

    honorific: str = ""
    name: str = ""
    title: str = ""
    department: str = ""
    street: tuple[str, ...] = ()
    locality: str = ""  # city, state and postcode as the country writes them
    country: str = ""
    delivery_to: str = ""  # "a@example.org, b@example.org": never printed
    delivery_cc: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Address:
        street = data.get("street") or ()
        if isinstance(street, str):
            street = street.splitlines()
        return cls(
            honorific=_clean(data.get("honorific")),
            name=_clean(data.get("name")),
            title=_clean(data.get("title")),
            department=_clean(data.get("department")),
            street=tuple(line.strip() for line in street if line and line.strip()),
            locality=_clean(data.get("locality")),
            country=_clean(data.get("country")),
            delivery_to=join_addresses(data.get("delivery_to")),
            delivery_cc=join_addresses(data.get("delivery_cc")),
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["street"] = list(self.street)
        return data

    @property
    def is_empty(self) -> bool:
        return not any(self.to_dict().values())

    @property
    def name_line(self) -> str:
        # "The Honorable" alone says nothing; it is only printed in front of a name.
        if not self.name:
            return ""
        return f"{self.honorific} {self.name}".strip()

    @property
    def printed(self) -> Address:
        """The address without what is never printed (its delivery addresses)."""
        return Address(
            **{**self.to_dict(), "street": self.street, **dict.fromkeys(DELIVERY_FIELDS, "")}
        )

    def lines(self) -> list[str]:
        # Never the delivery addresses: these lines are what the letter prints and diffs.
        parts = [self.name_line, self.title, self.department, *self.street]
        parts += [self.locality, self.country]
        return [p for p in parts if p]


def _clean(value: Any) -> str:
    return " ".join(str(value or "").split())


@dataclass(frozen=True)
class LetterText:
    recipients: tuple[Address, ...] = field(default_factory=tuple)
    salutation: str = ""
    body: str = ""
    closing: str = ""

    @classmethod
    def from_version(cls, version: LetterVersion) -> LetterText:
        return cls(
            recipients=tuple(Address.from_dict(r) for r in version.recipients or []),
            salutation=version.salutation,
            body=version.body,
            closing=version.closing,
        )

    def columns(self) -> dict[str, Any]:
        """The values a new LetterVersion row is made from."""
        return {
            "recipients": [r.to_dict() for r in self.recipients],
            "salutation": self.salutation,
            "body": self.body,
            "closing": self.closing,
        }

    def sections(self) -> list[tuple[str, str]]:
        """The text as labelled plain-text sections, for diffs."""
        blocks = "\n\n".join("\n".join(r.lines()) for r in self.recipients)
        return [
            ("Recipients", blocks),
            ("Salutation", self.salutation),
            ("Body", self.body),
            ("Closing", self.closing),
        ]


def normalize_body(body: str) -> str:
    """Line endings as \\n and no trailing blank space, so an unchanged body compares equal."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")
