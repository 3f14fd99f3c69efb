"""Plain text: the letter wrapped at 72 columns, with a numbered list of signatories.

For pasting into an email or a form that takes no formatting. Links are written out after
their words ("the report <https://…>") so nothing is lost.
"""

from __future__ import annotations

import textwrap

from app.publishing.blocks import Block, Inline
from app.publishing.final_letter import FinalLetter

WIDTH = 72


def inline_text(inlines: tuple[Inline, ...]) -> str:
    parts: list[str] = []
    for node in inlines:
        if node.kind == "text" or node.kind == "code":
            parts.append(node.text)
        elif node.kind == "break":
            parts.append("\n")
        elif node.kind == "image":
            parts.append(f"[image: {node.text}]" if node.text else "[image]")
        elif node.kind == "link":
            words = inline_text(node.children)
            parts.append(words if words == node.href else f"{words} <{node.href}>")
        else:
            parts.append(inline_text(node.children))
    return "".join(parts)


def _wrap(text: str, first: str = "", rest: str = "") -> list[str]:
    lines: list[str] = []
    for n, piece in enumerate(text.split("\n")):
        lines += textwrap.wrap(
            piece,
            WIDTH,
            initial_indent=first if n == 0 else rest,
            subsequent_indent=rest,
            break_long_words=False,
            break_on_hyphens=False,
        ) or [first.rstrip()]
    return lines


def _block(block: Block, indent: str = "") -> list[str]:
    if block.kind == "heading":
        title = inline_text(block.inlines)
        return _wrap(title.upper() if block.level == 1 else title, indent, indent)
    if block.kind == "paragraph":
        return _wrap(inline_text(block.inlines), indent, indent)
    if block.kind == "code":
        return [indent + "    " + line for line in block.text.split("\n")]
    if block.kind == "rule":
        return [indent + "* * *"]
    if block.kind == "blockquote":
        return _blocks(block.children, indent + "> ")
    lines: list[str] = []
    for n, item in enumerate(block.items):
        marker = f"{block.start + n}. " if block.ordered else "- "
        lead, hang = indent + "  " + marker, indent + "  " + " " * len(marker)
        for k, child in enumerate(item):
            if child.kind == "paragraph":
                lines += _wrap(inline_text(child.inlines), lead if k == 0 else hang, hang)
            else:
                lines += _block(child, hang)
    return lines


def _blocks(blocks: tuple[Block, ...], indent: str = "") -> list[str]:
    lines: list[str] = []
    for n, block in enumerate(blocks):
        if n:
            lines.append(indent.rstrip())
        lines += _block(block, indent)
    return lines


def render_text(fl: FinalLetter) -> str:
    """The letter as plain text, lines of at most 72 characters where words allow."""
    out: list[str] = []
    if fl.is_draft:
        out += [f"DRAFT — version {fl.version}, not final", ""]
    if fl.letterhead:
        head = " · ".join(fl.letterhead)
        out += [*_wrap(head), "=" * min(len(head), WIDTH), ""]
    if fl.date_line:
        out += [fl.date_line, ""]
    if fl.date_note:
        out += _wrap(f"({fl.date_note})") + [""]
    for lines in fl.recipients:
        out += [*lines, ""]
    if fl.salutation:
        out += [*_wrap(fl.salutation), ""]
    if fl.body:
        out += [*_blocks(fl.body), ""]
    if fl.closing:
        out += [*_wrap(fl.closing), ""]
    out += signatory_lines(fl)
    if not fl.is_draft:
        out += [
            "",
            "--",
            f"Final letter, version {fl.version}. SHA-256 content hash:",
            fl.content_hash,
        ]
    return "\n".join(out).rstrip("\n") + "\n"


def signatory_lines(fl: FinalLetter) -> list[str]:
    out: list[str] = []
    width = len(str(len(fl.organizations))) if fl.numbered else 0
    for entry in fl.organizations:
        label = entry.name + (f", {entry.country}" if entry.country else "")
        if entry.number is not None:
            first = f"{entry.number:>{width}}. "
        else:
            first = "- "
        out += _wrap(label, first, " " * len(first))
    if fl.unnamed_line:
        out += _wrap(fl.unnamed_line)
    if fl.individuals:
        out += ["", "Individual signatories", "(Affiliations are listed for identification only.)"]
        for person in fl.individuals:
            label = ", ".join(p for p in (person.name, person.affiliation, person.country) if p)
            out += _wrap(label, "- ", "  ")
    return out
