"""The order of the signatory list: alphabetical (Unicode Collation Algorithm), by time of
signing, or manual; optionally with the lead organization pinned first.

Alphabetical order is the UCA order of the display name as pyuca's default table gives it,
compared case-insensitively: "Freedom House" < "Friends of Angola" < "FSI – Freedom Seekers
International"; "The Tahrir Institute" files under T, before "TI Madagascar" (a leading
"The" is not skipped); "Égalité" sits beside "Egalite". Punctuation and spaces weigh as UCA
weighs them. Ties (names equal but for case) fall back to the name's code points and then
to the time of signing, so the order never depends on the database's row order.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Protocol, TypeVar

import pyuca

from app.models import SignatoryOrder

_COLLATOR = pyuca.Collator()


class Orderable(Protocol):
    """What ordering needs from a signature (a Signature row or a test double)."""

    id: int
    manual_position: int | None
    created_at: datetime
    approved_at: datetime | None

    @property
    def display_name(self) -> str: ...


T = TypeVar("T", bound=Orderable)


def _normal(name: str) -> str:
    return unicodedata.normalize("NFC", " ".join(name.split()))


@lru_cache(maxsize=8192)
def collation_key(name: str) -> tuple:
    """The sort key of a display name: the UCA key of its case-folded form, then the name
    itself, so names equal but for case still come out in one stable order. (pyuca is pure
    Python, about half a millisecond a key: one key per name, cached.)"""
    text = _normal(name)
    return (_COLLATOR.sort_key(text.casefold()), text)


def same_name(a: str, b: str) -> bool:
    """Whether two organization names are the same, ignoring case and spacing."""
    return _folded(a) == _folded(b)


def _folded(name: str) -> str:
    return _normal(name).casefold()


def signed_at(signature: Orderable) -> datetime:
    """When the signature counts as signed: its approval, or its creation before that."""
    return signature.approved_at or signature.created_at


def _alphabetical(signature: Orderable) -> tuple:
    return (*collation_key(signature.display_name), signed_at(signature), signature.id)


def _by_time(signature: Orderable) -> tuple:
    return (signed_at(signature), signature.id)


def _manual(signature: Orderable) -> tuple:
    # Placed signatories first, by position; newcomers at the end, in the order they came.
    position = signature.manual_position
    return (position is None, position or 0, signed_at(signature), signature.id)


_KEYS: dict[SignatoryOrder, Callable[[Orderable], tuple]] = {
    SignatoryOrder.alphabetical: _alphabetical,
    SignatoryOrder.time: _by_time,
    SignatoryOrder.manual: _manual,
}


def order_signatures(
    signatures: Iterable[T],
    order: SignatoryOrder,
    *,
    lead_name: str | None = None,
) -> list[T]:
    """`signatures` in the letter's order; with `lead_name`, the lead's own signature first."""
    ordered = sorted(signatures, key=_KEYS[SignatoryOrder(order)])
    if lead_name:
        index = find_lead(ordered, lead_name)
        if index is not None:
            ordered.insert(0, ordered.pop(index))
    return ordered


def find_lead(signatures: Sequence[Orderable], lead_name: str) -> int | None:
    """The index of the lead organization's signature, matched on its name (with or without
    its acronym), or None when the lead has not signed."""
    lead = _folded(lead_name)  # once, not once per signatory
    for index, signature in enumerate(signatures):
        names = {signature.display_name, getattr(signature, "organization_name", "")}
        if any(name and _folded(name) == lead for name in names):
            return index
    return None


def sort_names(names: Iterable[str]) -> list[str]:
    """Plain names in alphabetical (UCA) order: for tests and for callers without rows."""
    return sorted(names, key=collation_key)
