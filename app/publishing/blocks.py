"""The letter body as simple structured blocks, for the formats that are not HTML.

The blocks are read back from the *sanitized* HTML of the body (markdown-it, then nh3), so
DOCX, Markdown and plain text can never show something the HTML does not: there is one
cleaning step, and every format follows it. The allowed tags are few (see
app/letters/markdown.py), which keeps this reader small.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

_SPACE = re.compile(r"\s+")
_INLINE_TAGS = {"em": "em", "strong": "strong", "code": "code", "a": "link"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


@dataclass(frozen=True)
class Inline:
    """A run of text: kind is text, em, strong, code, link (href), image (href = src) or break."""

    kind: str
    text: str = ""
    href: str = ""
    children: tuple[Inline, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.text:
            data["text"] = self.text
        if self.href:
            data["href"] = self.href
        if self.children:
            data["children"] = [c.to_dict() for c in self.children]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Inline:
        return cls(
            kind=data["kind"],
            text=data.get("text", ""),
            href=data.get("href", ""),
            children=tuple(cls.from_dict(c) for c in data.get("children", ())),
        )

    def plain(self) -> str:
        """The words of this run, without formatting."""
        if self.kind == "break":
            return "\n"
        if self.kind == "image":
            return self.text
        return self.text + "".join(c.plain() for c in self.children)


@dataclass(frozen=True)
class Block:
    """heading (level, inlines), paragraph (inlines), list (ordered, start, items),
    blockquote (children), code (text) or rule."""

    kind: str
    level: int = 0
    inlines: tuple[Inline, ...] = ()
    ordered: bool = False
    start: int = 1
    items: tuple[tuple[Block, ...], ...] = ()
    children: tuple[Block, ...] = ()
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.kind == "heading":
            data["level"] = self.level
        if self.inlines:
            data["inlines"] = [i.to_dict() for i in self.inlines]
        if self.kind == "list":
            data["ordered"] = self.ordered
            data["start"] = self.start
            data["items"] = [[b.to_dict() for b in item] for item in self.items]
        if self.children:
            data["children"] = [b.to_dict() for b in self.children]
        if self.text:
            data["text"] = self.text
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Block:
        return cls(
            kind=data["kind"],
            level=data.get("level", 0),
            inlines=tuple(Inline.from_dict(i) for i in data.get("inlines", ())),
            ordered=data.get("ordered", False),
            start=data.get("start", 1),
            items=tuple(tuple(cls.from_dict(b) for b in item) for item in data.get("items", ())),
            children=tuple(cls.from_dict(b) for b in data.get("children", ())),
            text=data.get("text", ""),
        )


class _Container:
    """A block being read: its finished blocks and the inline runs not yet in a paragraph."""

    def __init__(self, tag: str, attrs: dict[str, str] | None = None) -> None:
        self.tag = tag
        self.attrs = attrs or {}
        self.blocks: list[Block] = []
        self.items: list[tuple[Block, ...]] = []
        # Inline runs: a stack of (tag, attrs, children) for nested em/strong/a.
        self.inline_stack: list[tuple[str, dict[str, str], list[Inline]]] = [("", {}, [])]

    @property
    def pending(self) -> list[Inline]:
        return self.inline_stack[0][2]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[_Container] = [_Container("root")]
        self.in_pre = False

    @property
    def top(self) -> _Container:
        return self.stack[-1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag in _INLINE_TAGS and not self.in_pre:
            self.top.inline_stack.append((tag, values, []))
        elif tag == "br":
            self._add_inline(Inline("break"))
        elif tag == "img":
            self._add_inline(
                Inline("image", text=values.get("alt", ""), href=values.get("src", ""))
            )
        elif tag == "hr":
            self._flush_paragraph()
            self.top.blocks.append(Block("rule"))
        elif tag == "pre":
            self._flush_paragraph()
            self.in_pre = True
            self.stack.append(_Container("pre"))
        elif tag in _HEADINGS or tag in {"p", "blockquote", "ul", "ol", "li"}:
            self._flush_paragraph()  # words before a nested block become their own paragraph
            self.stack.append(_Container(tag, values))

    def handle_endtag(self, tag: str) -> None:
        if tag in _INLINE_TAGS and not self.in_pre:
            stack = self.top.inline_stack
            if len(stack) > 1 and stack[-1][0] == tag:
                name, attrs, children = stack.pop()
                node = Inline(
                    _INLINE_TAGS[name], href=attrs.get("href", ""), children=tuple(children)
                )
                if name == "code":
                    node = Inline("code", text="".join(c.plain() for c in children))
                stack[-1][2].append(node)
            return
        if tag == "pre" and self.top.tag == "pre":
            container = self.stack.pop()
            self.in_pre = False
            text = "".join(i.text for i in container.pending).rstrip("\n")
            self.top.blocks.append(Block("code", text=text))
            return
        if not self.stack or self.top.tag != tag:
            return
        container = self.stack.pop()
        inlines = _trim(container.pending)
        if tag in _HEADINGS:
            self.top.blocks.append(Block("heading", level=int(tag[1]), inlines=inlines))
        elif tag == "p":
            if inlines:
                self.top.blocks.append(Block("paragraph", inlines=inlines))
        elif tag == "li":
            blocks = list(container.blocks)
            if inlines:  # a tight list item holds its words directly
                blocks.insert(0, Block("paragraph", inlines=inlines))
            self.top.items.append(tuple(blocks))
        elif tag in {"ul", "ol"}:
            start = container.attrs.get("start", "1")
            self.top.blocks.append(
                Block(
                    "list",
                    ordered=tag == "ol",
                    start=int(start) if start.isdigit() else 1,
                    items=tuple(container.items),
                )
            )
        elif tag == "blockquote":
            self._flush_into(container)
            self.top.blocks.append(Block("blockquote", children=tuple(container.blocks)))

    def handle_data(self, data: str) -> None:
        if self.in_pre:
            self.top.pending.append(Inline("text", text=data))
            return
        # Whitespace between block tags becomes an empty paragraph, which _trim drops.
        self._add_inline(Inline("text", text=_SPACE.sub(" ", data)))

    def _add_inline(self, node: Inline) -> None:
        self.top.inline_stack[-1][2].append(node)

    def _flush_paragraph(self) -> None:
        self._flush_into(self.top)

    @staticmethod
    def _flush_into(container: _Container) -> None:
        inlines = _trim(container.pending)
        container.pending.clear()
        if inlines:
            container.blocks.append(Block("paragraph", inlines=inlines))

    def result(self) -> tuple[Block, ...]:
        self._flush_paragraph()
        return tuple(self.stack[0].blocks)


def _trim(inlines: list[Inline]) -> tuple[Inline, ...]:
    """Drop the spaces at the edges of a paragraph and around line breaks."""
    out = list(inlines)
    while out and out[0].kind == "text" and not out[0].text.strip():
        out.pop(0)
    while out and out[-1].kind == "text" and not out[-1].text.strip():
        out.pop()
    if not out:
        return ()
    cleaned: list[Inline] = []
    for n, node in enumerate(out):
        if node.kind == "text":
            text = node.text
            if n == 0 or out[n - 1].kind == "break":
                text = text.lstrip()
            if n == len(out) - 1 or out[n + 1].kind == "break":
                text = text.rstrip()
            if text:
                cleaned.append(Inline("text", text=text))
        else:
            cleaned.append(node)
    return tuple(cleaned)


def blocks_from_html(html: str) -> tuple[Block, ...]:
    """Read sanitized body HTML (the output of render_body) into blocks."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.result()
