"""Word-level differences between two versions of a letter, for people to read."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from app.letters.text import LetterText

if TYPE_CHECKING:
    from app.models import LetterVersion

# Words (with inner apostrophes and hyphens) and single punctuation marks, each carrying the
# whitespace after it: changing "swift" to "decisive" marks one word, not the whole line, and
# spaces are never matched on their own (matching every space to every space made the diff
# cubic). Only leading whitespace of a text is a token by itself.
_TOKEN = re.compile(r"\w+(?:['’\-]\w+)*\s*|[^\w\s]\s*|\s+")
_LINE = re.compile(r"[^\n]*(?:\n|$)")
_PARAGRAPH = re.compile(r"\s*\S.*?(?:\n[ \t]*\n\s*|\s*$)|\s+$", re.S)

# How much matching difflib may do for one diff: the pairs of equal units it may have to
# consider (a token that occurs 30 times in each text makes 900), for all levels and blocks
# together. Past it the diff is taken at a coarser level (lines, then paragraphs) and refined
# only inside the blocks that changed, so the work stays bounded however long or repetitive
# the texts are (difflib's time grows faster than the pairs: 20,000 is ~50 ms at worst).
PAIR_BUDGET = 20_000


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


def _lines(text: str) -> list[str]:
    return [line for line in _LINE.findall(text) if line]


def _paragraphs(text: str) -> list[str]:
    return [p for p in _PARAGRAPH.findall(text) if p]


def _key(unit: str) -> str:
    """What two units must share to be equal: their words. Whitespace is not a change anyone
    reads (and "Norland" at the end of a text is the same word as "Norland" before a break);
    equal runs show the new text's spacing."""
    return " ".join(unit.split())


# Finest first: the diff is taken at the finest level whose matching fits the budget.
_LEVELS: tuple[Callable[[str], list[str]], ...] = (tokenize, _lines, _paragraphs)

Run = tuple[str, str, str]  # (tag, old text, new text)


def _runs(old: str, new: str, budget: list[int], coarsest: int = len(_LEVELS) - 1) -> list[Run]:
    for level in range(coarsest + 1):
        a, b = _LEVELS[level](old), _LEVELS[level](new)
        ka, kb = [_key(u) for u in a], [_key(u) for u in b]
        # Common ends cost nothing to match and are most of a typical edit.
        head = 0
        while head < min(len(ka), len(kb)) and ka[head] == kb[head]:
            head += 1
        tail = 0
        while tail < min(len(ka), len(kb)) - head and ka[-1 - tail] == kb[-1 - tail]:
            tail += 1
        mid_a, mid_b = ka[head : len(ka) - tail], kb[head : len(kb) - tail]
        if not _within_budget(mid_a, mid_b, budget):
            continue
        runs: list[Run] = []
        if head:
            runs.append(("equal", "".join(a[:head]), "".join(b[:head])))
        matcher = SequenceMatcher(a=mid_a, b=mid_b, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            old_text = "".join(a[head + i1 : head + i2])
            new_text = "".join(b[head + j1 : head + j2])
            if tag == "replace" and level > 0:
                # Refine a changed block of lines or paragraphs at a finer level, if small.
                runs.extend(_runs(old_text, new_text, budget, level - 1))
            else:
                runs.append((tag, old_text, new_text))
        if tail:
            runs.append(("equal", "".join(a[len(a) - tail :]), "".join(b[len(b) - tail :])))
        return runs
    return [("replace", old, new)]


def _within_budget(a: list[str], b: list[str], budget: list[int]) -> bool:
    """Whether matching `a` to `b` fits what is left of `budget` (and if so, spend it)."""
    counts = Counter(a)
    pairs = 0
    for key in b:
        pairs += counts.get(key, 0)
        if pairs > budget[0]:
            return False
    budget[0] -= pairs
    return True


def word_diff(old: str, new: str) -> list[Segment]:
    """The edit from `old` to `new` as equal / delete / insert runs of whole words."""
    runs = _runs(old, new, [PAIR_BUDGET])
    segments: list[Segment] = []
    deleted, inserted = "", ""
    for index, (tag, old_text, new_text) in enumerate(runs):
        # A lone space between two changes belongs to the change: "~~write to ask~~ urge"
        # reads better than "~~write~~ urge ~~to ask~~".
        between_changes = 0 < index < len(runs) - 1 and old_text.isspace()
        if tag == "equal" and not between_changes:
            carried = _flush(segments, deleted, inserted)
            deleted, inserted = "", ""
            segments.append(Segment("equal", carried + new_text))
        else:
            deleted, inserted = deleted + old_text, inserted + new_text
    carried = _flush(segments, deleted, inserted)
    if carried:
        segments.append(Segment("equal", carried))
    return segments


def _flush(segments: list[Segment], deleted: str, inserted: str) -> str:
    """Add a change; returns the whitespace both sides end with, which is not part of it
    ("<del>swift</del><ins>decisive</ins> action", not "<del>swift </del>…")."""
    carried = ""
    if inserted and not deleted:
        carried = inserted[len(inserted.rstrip()) :]
        inserted = inserted[: len(inserted) - len(carried)]
    elif deleted and inserted:
        shared = min(len(deleted) - len(deleted.rstrip()), len(inserted) - len(inserted.rstrip()))
        if shared and deleted[len(deleted) - shared :] == inserted[len(inserted) - shared :]:
            carried = inserted[len(inserted) - shared :]
            deleted, inserted = deleted[:-shared], inserted[:-shared]
    if deleted:
        segments.append(Segment("delete", deleted))
    if inserted:
        segments.append(Segment("insert", inserted))
    return carried


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


def diff_versions(old: LetterVersion, new: LetterVersion) -> list[SectionDiff]:
    """`diff_texts` of two saved versions, computed once per pair in each process: versions
    never change, so their ids are the key (with their times: SQLite may give a rolled-back
    version's id to the next one)."""
    from app.core.recent import recent

    if old.id is None or new.id is None:
        return diff_texts(LetterText.from_version(old), LetterText.from_version(new))
    store = recent("letters.diff", size=64)
    key = (old.id, old.created_at, new.id, new.created_at)
    found = store.get(key)
    if found is None:
        found = diff_texts(LetterText.from_version(old), LetterText.from_version(new))
        store.put(key, found)
    return found
