"""Word-level differences between two versions of a letter, for people to read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from markupsafe import Markup, escape

from app.letters.text import LetterText

# Words (with inner apostrophes and hyphens), runs of space, and single punctuation marks:
# changing "swift" to "decisive" marks one word, not the whole line.
_TOKEN = re.compile(r"\s+|\w+(?:['’\-]\w+)*|[^\w\s]")


@dataclass(frozen=True)
class Segment:
    op: str  # "equal", "insert" or "delete"
    text: str


@dataclass(frozen=True)
class SectionDiff:
    label: str
    segments: tuple[Segment, ...]

    @property
    def changed(self) -> bool:
        return any(s.op != "equal" for s in self.segments)

    def html(self) -> Markup:
        return render_segments(self.segments)


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def word_diff(old: str, new: str) -> list[Segment]:
    """The edit from `old` to `new` as equal / delete / insert runs of whole words."""
    a, b = tokenize(old), tokenize(new)
    runs: list[tuple[str, str, str]] = []  # (tag, old text, new text)
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        runs.append((tag, "".join(a[i1:i2]), "".join(b[j1:j2])))
    segments: list[Segment] = []
    deleted, inserted = "", ""
    for index, (tag, old_text, new_text) in enumerate(runs):
        # A lone space between two changes belongs to the change: "~~write to ask~~ urge"
        # reads better than "~~write~~ urge ~~to ask~~".
        between_changes = 0 < index < len(runs) - 1 and old_text.isspace()
        if tag == "equal" and not between_changes:
            _flush(segments, deleted, inserted)
            deleted, inserted = "", ""
            segments.append(Segment("equal", old_text))
        else:
            deleted, inserted = deleted + old_text, inserted + new_text
    _flush(segments, deleted, inserted)
    return segments


def _flush(segments: list[Segment], deleted: str, inserted: str) -> None:
    if deleted:
        segments.append(Segment("delete", deleted))
    if inserted:
        segments.append(Segment("insert", inserted))


def render_segments(segments: tuple[Segment, ...] | list[Segment]) -> Markup:
    parts: list[str] = []
    for seg in segments:
        if seg.op == "insert":
            parts.append(f"<ins>{escape(seg.text)}</ins>")
        elif seg.op == "delete":
            parts.append(f"<del>{escape(seg.text)}</del>")
        else:
            parts.append(str(escape(seg.text)))
    return Markup("".join(parts))  # noqa: S704 - every piece is escaped above


def diff_texts(old: LetterText, new: LetterText) -> list[SectionDiff]:
    """One diff per section of the letter (recipients, salutation, body, closing)."""
    return [
        SectionDiff(label, tuple(word_diff(old_text, new_text)))
        for (label, old_text), (_, new_text) in zip(old.sections(), new.sections(), strict=True)
    ]
