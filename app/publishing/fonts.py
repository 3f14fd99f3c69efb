"""Whether the PDF can draw every character of a letter with the fonts of this server.

WeasyPrint draws each character with the first installed font that has it; a character no
installed font has comes out as an empty box, and nothing fails. A letter to a government
with a signatory's name in boxes is worse than a refused export, so the finalize page says
which characters the PDF cannot draw, and where. (The HTML, DOCX and text files are drawn
by the reader's own fonts and are not affected.)

What the fonts cover is fontconfig's answer (`fc-list`, the library WeasyPrint finds fonts
through), read once per process.
"""

from __future__ import annotations

import bisect
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from app.publishing.final_letter import FinalLetter

# What to install on Debian when characters are missing (README: "Fonts").
SUGGESTED_PACKAGES = "fonts-noto-core fonts-noto-cjk"


@dataclass(frozen=True)
class Coverage:
    """The code points some installed font has, as sorted, merged [start, end] ranges."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def has(self, char: str) -> bool:
        point = ord(char)
        i = bisect.bisect_right(self.starts, point) - 1
        return i >= 0 and point <= self.ends[i]

    @classmethod
    def from_charsets(cls, charsets: str) -> Coverage:
        """From fontconfig's charset notation: hex code points and ranges ("20-7e a0 …")."""
        ranges = []
        for part in charsets.split():
            first, _, last = part.partition("-")
            try:
                ranges.append((int(first, 16), int(last or first, 16)))
            except ValueError:
                continue
        merged: list[list[int]] = []
        for start, end in sorted(ranges):
            if merged and start <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        return cls(tuple(s for s, _ in merged), tuple(e for _, e in merged))


@lru_cache(maxsize=1)
def installed_coverage() -> Coverage | None:
    """What the installed fonts cover; None when fontconfig cannot be asked."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        listed = subprocess.run(  # noqa: S603 - a fixed command, no input from anyone
            [fc_list, "--format", "%{charset}\n"],
            capture_output=True, text=True, timeout=30, check=True,
        ).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return Coverage.from_charsets(listed)


@dataclass(frozen=True)
class Undrawable:
    character: str
    example: str  # the first text of the letter it appears in

    @property
    def code_point(self) -> str:
        return f"U+{ord(self.character):04X}"

    @property
    def name(self) -> str:
        return unicodedata.name(self.character, "UNNAMED CHARACTER")


def undrawable(fl: FinalLetter, coverage: Coverage | None = None) -> list[Undrawable] | None:
    """The characters of the letter no installed font can draw, each with the first text it
    appears in; None when the fonts cannot be known (then nothing can be said)."""
    coverage = coverage or installed_coverage()
    if coverage is None:
        return None
    seen: set[str] = set()
    found = []
    for text in _texts(fl.to_dict()):
        new = set(text) - seen  # a list of thousands of names has only so many characters
        seen |= new
        for char in sorted(new):
            if not _invisible(char) and not coverage.has(char):
                found.append(Undrawable(char, text if len(text) <= 80 else text[:79] + "…"))
    return found


def _invisible(char: str) -> bool:
    # Spaces, joiners and other format characters are laid out, not drawn from a font.
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)
