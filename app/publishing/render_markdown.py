"""Markdown: the letter for wikis, websites and editors that speak Markdown.

The body is written back from the structured blocks (what survived sanitizing), and every
name is escaped, so an organization called `[x](javascript:…)` or `<script>` stays words
when the Markdown is rendered again somewhere else.
"""

from __future__ import annotations

import re

from app.publishing.blocks import Block, Inline
from app.publishing.final_letter import FinalLetter

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&!#])")
# What would turn the start of a line into a heading, quote, list item or rule.
_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+[.)])")


def escape(text: str) -> str:
    """Text that Markdown shows as written."""
    text = _SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _fence(text: str, shortest: int) -> str:
    """Backticks longer than any run inside `text`, so the text cannot close its own fence
    (a body holding ``` would otherwise end the code block and run as Markdown)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(shortest, longest + 1)


def _href(url: str) -> str:
    return "<" + url.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20") + ">"


def _inlines(inlines: tuple[Inline, ...]) -> str:
    parts: list[str] = []
    for node in inlines:
        if node.kind == "text":
            parts.append(_SPECIAL.sub(r"\\\1", node.text))
        elif node.kind == "code":
            fence = _fence(node.text, 1)
            parts.append(f"{fence} {node.text} {fence}" if "`" in node.text else f"`{node.text}`")
        elif node.kind == "break":
            parts.append("\\\n")
        elif node.kind == "image":
            parts.append(f"![{escape(node.text)}]({_href(node.href)})")
        elif node.kind == "link":
            parts.append(f"[{_inlines(node.children)}]({_href(node.href)})")
        elif node.kind == "strong":
            parts.append(f"**{_inlines(node.children)}**")
        elif node.kind == "em":
            parts.append(f"*{_inlines(node.children)}*")
    return "".join(parts)


def _block(block: Block, indent: str = "") -> list[str]:
    if block.kind == "heading":
        return [indent + "#" * block.level + " " + _inlines(block.inlines)]
    if block.kind == "paragraph":
        text = _inlines(block.inlines)
        text = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
        return [indent + line for line in text.split("\n")]
    if block.kind == "code":
        fence = _fence(block.text, 3)
        return [indent + fence, *(indent + line for line in block.text.split("\n")), indent + fence]
    if block.kind == "rule":
        return [indent + "---"]
    if block.kind == "blockquote":
        return _blocks(block.children, indent + "> ")
    lines: list[str] = []
    for n, item in enumerate(block.items):
        marker = f"{block.start + n}. " if block.ordered else "- "
        hang = indent + " " * len(marker)
        for k, child in enumerate(item):
            child_lines = _block(child, hang)
            if k == 0 and child_lines:
                child_lines[0] = indent + marker + child_lines[0][len(hang) :]
            elif k:
                lines.append("")
            lines += child_lines
    return lines


def _blocks(blocks: tuple[Block, ...], indent: str = "") -> list[str]:
    lines: list[str] = []
    for n, block in enumerate(blocks):
        if n:
            lines.append(indent.rstrip())
        lines += _block(block, indent)
    return lines


def render_markdown(fl: FinalLetter) -> str:
    out: list[str] = []
    if fl.is_draft:
        out += [f"**DRAFT — version {fl.version}, not final**", ""]
    if fl.letterhead:
        out += ["**" + " · ".join(escape(n) for n in fl.letterhead) + "**", ""]
    if fl.date_line:
        out += [escape(fl.date_line), ""]
    if fl.date_note:
        out += [f"*{escape(fl.date_note)}*", ""]
    for lines in fl.recipients:
        out += [" \\\n".join(escape(line) for line in lines), ""]
    if fl.salutation:
        out += [escape(fl.salutation), ""]
    if fl.body:
        out += [*_blocks(fl.body), ""]
    if fl.closing:
        out += [escape(fl.closing), ""]
    for entry in fl.organizations:
        marker = f"{entry.number}." if entry.number is not None else "-"
        country = f", {escape(entry.country)}" if entry.country else ""
        out.append(f"{marker} {escape(entry.name)}{country}")
    if fl.organizations:
        out.append("")
    if fl.unnamed_line:
        out += [f"*{escape(fl.unnamed_line)}*", ""]
    if fl.individuals:
        out += [
            "**Individual signatories**",
            "",
            "*Affiliations are listed for identification only.*",
            "",
        ]
        for person in fl.individuals:
            parts = (person.name, person.affiliation, person.country)
            out.append("- " + ", ".join(escape(p) for p in parts if p))
        out.append("")
    if not fl.is_draft:
        out += ["---", "", f"Final letter, version {fl.version}. SHA-256: `{fl.content_hash}`", ""]
    return "\n".join(out).rstrip("\n") + "\n"
