"""Text hygiene shared by every form: Unicode NFC, no control or bidi-override characters."""

from __future__ import annotations

import unicodedata

# Bidi embedding/override/isolate controls can make a name display as something else.
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


class UnsafeText(ValueError):
    """Text with characters that have no place in a name or a field."""


def clean_text(value: str | None) -> str | None:
    """NFC-normalize and trim a single-line value (a WTForms filter)."""
    if value is None:
        return None
    return unicodedata.normalize("NFC", value).strip()


def unsafe_characters(value: str, *, multiline: bool = False) -> list[str]:
    """The code points in `value` that a form must refuse, written like "U+202E"."""
    bad = []
    for ch in value:
        if multiline and ch in "\n\r\t":
            continue
        if ch in _BIDI_CONTROLS or unicodedata.category(ch) in {"Cc", "Cs", "Co", "Cn"}:
            bad.append(f"U+{ord(ch):04X}")
    return bad


def normalize_email(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip().lower()
