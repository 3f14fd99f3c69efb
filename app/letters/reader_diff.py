"""Changes between two versions as a reader sees them: the Markdown of the body turned into
reader text (a link as its text and address, no emphasis markers, list items as lines)
before the word diff, so a signer never has to read `[text](url)` to see what changed."""

from __future__ import annotations

from app.letters.diff import SectionDiff, once_per_pair, word_diff
from app.letters.markdown import reader_text
from app.letters.text import LetterText
from app.models import LetterVersion


def reader_sections(text: LetterText) -> list[tuple[str, str]]:
    """`text.sections()` with the body as reader text."""
    return [
        (label, reader_text(value) if label == "Body" else value)
        for label, value in text.sections()
    ]


def reader_diff(old: LetterText, new: LetterText) -> list[SectionDiff]:
    """One diff per section, of what a reader sees (`word_diff` does the diffing)."""
    return [
        SectionDiff(label, tuple(word_diff(old_text, new_text)))
        for (label, old_text), (_, new_text) in zip(
            reader_sections(old), reader_sections(new), strict=True
        )
    ]


def reader_diff_versions(old: LetterVersion, new: LetterVersion) -> list[SectionDiff]:
    """`reader_diff` of two saved versions, computed once per pair in each process."""
    return once_per_pair("letters.reader_diff", old, new, reader_diff)
