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
# A line carries the blank lines after it (blank lines matched with each other were most of
# the pairs of a long text).
_LINE = re.compile(r"[^\n]*(?:\n\s*|$)")
_PARAGRAPH = re.compile(r"\s*\S.*?(?:\n[ \t]*\n\s*|\s*$)|\s+$", re.S)

# How much matching one diff may do, in steps: each search for the longest match costs the
# units it looks at plus the pairs of equal units it must consider (a word that occurs 30
# times on each side makes 900). When a level of detail would cost more than what is left,
# the diff is taken at a coarser level (lines, then paragraphs) and refined only inside the
# blocks that changed, so the work is bounded however long or repetitive the texts are
# (difflib alone is cubic on texts that share few words). 100,000 steps: a few tenths of a second at most.
WORK_BUDGET = 100_000


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


# Finest first; a diff starts at the coarsest and refines what changed.
_LEVELS: tuple[Callable[[str], list[str]], ...] = (tokenize, _lines, _paragraphs)

Run = tuple[str, str, str]  # (tag, old text, new text)


def _runs(old: str, new: str, budget: list[int], level: int = len(_LEVELS) - 1) -> list[Run]:
    """The edit at `level` (paragraphs, lines, tokens), each changed block refined at the
    next finer level while the budget lasts; what it cannot afford stays one change."""
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
    opcodes = _opcodes(mid_a, mid_b, budget)
    if opcodes is None:
        opcodes = [("replace", 0, len(mid_a), 0, len(mid_b))] if mid_a or mid_b else []
        level = 0  # nothing finer is affordable either
    runs: list[Run] = []
    if head:
        runs.append(("equal", "".join(a[:head]), "".join(b[:head])))
    for tag, i1, i2, j1, j2 in opcodes:
        old_text = "".join(a[head + i1 : head + i2])
        new_text = "".join(b[head + j1 : head + j2])
        if tag == "replace" and level > 0:
            runs.extend(_runs(old_text, new_text, budget, level - 1))
        else:
            runs.append((tag, old_text, new_text))
    if tail:
        runs.append(("equal", "".join(a[len(a) - tail :]), "".join(b[len(b) - tail :])))
    return runs


def _opcodes(a: list[str], b: list[str], budget: list[int]) -> list[tuple] | None:
    """difflib's opcodes from `a` to `b` (its matching, our loop, so the steps are counted),
    or None when finding them would take more steps than are left in `budget`."""
    matcher = SequenceMatcher(a=a, b=b, autojunk=False)
    left = budget[0]
    blocks, ranges = [], [(0, len(a), 0, len(b))]
    while ranges:
        alo, ahi, blo, bhi = ranges.pop()
        if alo >= ahi or blo >= bhi:
            continue
        # What this search will look at: the units, and the pairs of equal ones.
        counts = Counter(a[alo:ahi])
        left -= (ahi - alo) + (bhi - blo) + sum(counts.get(key, 0) for key in b[blo:bhi])
        if left < 0:
            budget[0] = 0  # the steps were taken: what is left is spent
            return None
        i, j, size = matcher.find_longest_match(alo, ahi, blo, bhi)
        if size:
            blocks.append((i, j, size))
            ranges += [(alo, i, blo, j), (i + size, ahi, j + size, bhi)]
    budget[0] = left
    opcodes, i, j = [], 0, 0
    for bi, bj, size in [*sorted(blocks), (len(a), len(b), 0)]:
        if i < bi and j < bj:
            opcodes.append(("replace", i, bi, j, bj))
        elif i < bi:
            opcodes.append(("delete", i, bi, j, j))
        elif j < bj:
            opcodes.append(("insert", i, i, j, bj))
        if size:
            opcodes.append(("equal", bi, bi + size, bj, bj + size))
        i, j = bi + size, bj + size
    return opcodes


def word_diff(old: str, new: str) -> list[Segment]:
    """The edit from `old` to `new` as equal / delete / insert runs of whole words."""
    runs = _runs(old, new, [WORK_BUDGET])
    segments: list[Segment] = []
    deleted, inserted = "", ""
    for index, (tag, old_text, new_text) in enumerate(runs):
        # A lone space between two changes belongs to the change: "~~write to ask~~ urge"
        # reads better than "~~write~~ urge ~~to ask~~".
        between_changes = 0 < index < len(runs) - 1 and old_text.isspace()
        if tag == "equal" and not between_changes:
            carried = _flush(segments, deleted, inserted)
            deleted, inserted = "", ""
            text = carried + new_text
            old_space = old_text[len(old_text.rstrip()) :]
            new_space = new_text[len(new_text.rstrip()) :]
            if old_space != new_space and index < len(runs) - 1 and text.strip():
                # The space after an equal word that only one side has is part of the next
                # change: "*restore{+ and extend+}*", not "*restore {+and extend+}*".
                text = text[: len(text) - len(new_space)]
                deleted, inserted = old_space, new_space
            segments.append(Segment("equal", text))
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
    if deleted.isspace():  # whitespace alone is not a change anyone reads
        deleted = ""
    if inserted.isspace():
        carried, inserted = inserted, ""
    elif inserted and not deleted:
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
    """`diff_texts` of two saved versions, computed once per pair in each process."""
    return once_per_pair("letters.diff", old, new, diff_texts)


def once_per_pair(
    store_name: str,
    old: LetterVersion,
    new: LetterVersion,
    compute: Callable[[LetterText, LetterText], list[SectionDiff]],
) -> list[SectionDiff]:
    """`compute` of two saved versions' texts, kept per process: versions never change, so
    their ids are the key (with their times: SQLite may give a rolled-back version's id to the
    next one)."""
    from app.core.recent import recent

    if old.id is None or new.id is None:
        return compute(LetterText.from_version(old), LetterText.from_version(new))
    store = recent(store_name, size=64)
    key = (old.id, old.created_at, new.id, new.created_at)
    found = store.get(key)
    if found is None:
        found = compute(LetterText.from_version(old), LetterText.from_version(new))
        store.put(key, found)
    return found
