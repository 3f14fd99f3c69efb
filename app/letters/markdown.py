"""Letter bodies: Markdown rendered by markdown-it-py, cleaned by nh3, with a report.

The writer's Markdown is stored as written and rendered through this module every time, so
what is removed is removed everywhere. Removal happens on the token stream, where we still
know what the writer meant and can say so ("link to javascript:… removed"); nh3 then runs
over the HTML as a second net with a short allow-list.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import nh3
from flask import current_app, has_app_context
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from app.core.recent import recent

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
LINK_SCHEMES = {"http", "https", "mailto"}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
# Browsers ignore these inside a scheme ("java\tscript:"), so we do too before judging it.
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]")
# Inline elements whose content is code, not words: dropped with their content.
_CODE_ELEMENT = re.compile(r"^<(script|style|iframe|object|template|textarea|title)\b", re.I)


@dataclass
class RenderedBody:
    html: Markup
    removed: list[str] = field(default_factory=list)


def _parser() -> MarkdownIt:
    # "html": True so raw HTML arrives as tokens we can report, instead of silently as text.
    md = MarkdownIt("commonmark", {"html": True})
    # We judge every link ourselves below, so the writer is told when one is dropped.
    md.validateLink = lambda url: True
    return md


_MD = _parser()


def render_body(text: str, *, site_host: str | None = None) -> RenderedBody:
    """Render Markdown to safe HTML and list what was removed, in the writer's words."""
    if site_host is None and has_app_context():
        site_host = site_of(current_app.config.get("BASE_URL", ""))
    removed: list[str] = []
    tokens = [t for t in _MD.parse(text or "") if not _drop_block(t, removed)]
    for token in tokens:
        if token.children:
            token.children = _clean_inline(token.children, site_host, removed)
    html = _MD.renderer.render(tokens, _MD.options, {})
    safe = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=LINK_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return RenderedBody(Markup(safe), list(dict.fromkeys(removed)))  # noqa: S704 - nh3 output


def render_body_cached(text: str, *, site_host: str | None = None) -> RenderedBody:
    """`render_body`, kept by this app for the body's SHA-256 and the options: the sign page
    shows the same body on every visit, and a crafted 98 kB body took 2.6 s to render."""
    if not has_app_context():
        return render_body(text, site_host=site_host)
    if site_host is None:
        site_host = urlsplit(current_app.config.get("BASE_URL", "")).hostname
    key = (hashlib.sha256((text or "").encode("utf-8")).hexdigest(), site_host)
    store = recent("rendered_bodies", size=16)
    found = store.get(key)
    if found is None:
        found = render_body(text, site_host=site_host)
        store.put(key, found)
    # A copy: a caller may change its list of removals, never the one kept here.
    return RenderedBody(found.html, list(found.removed))


def _drop_block(token: Token, removed: list[str]) -> bool:
    if token.type == "html_block":
        removed.append(_html_removed(token.content))
        return True
    return False


def _clean_inline(children: list[Token], site_host: str | None, removed: list[str]) -> list[Token]:
    kept: list[Token] = []
    dropping_link = False
    swallowing: tuple[str, list[str]] | None = None  # inside <script>…</script>
    for child in children:
        if swallowing is not None:
            tag, parts = swallowing
            parts.append(child.content)
            if child.type == "html_inline" and child.content.lower().startswith(f"</{tag}"):
                removed.append(_html_removed("".join(parts)))
                swallowing = None
            continue
        if child.type == "html_inline":
            code = _CODE_ELEMENT.match(child.content)
            if code:
                swallowing = (code.group(1).lower(), [child.content])
            else:
                removed.append(_html_removed(child.content))
            continue
        if child.type == "link_open":
            href = str(child.attrGet("href") or "")
            if not _link_allowed(href):
                removed.append(
                    f"Link removed (only web and email links are allowed): {_snippet(href)}"
                )
                dropping_link = True  # keep the link's words, drop the link itself
                continue
        if child.type == "link_close" and dropping_link:
            dropping_link = False
            continue
        if child.type == "image":
            src = str(child.attrGet("src") or "")
            if not _image_allowed(src, site_host):
                removed.append(f"Image removed (images must be on this site): {_snippet(src)}")
                alt = Token("text", "", 0)
                alt.content = child.content
                kept.append(alt)
                continue
        kept.append(child)
    if swallowing is not None:  # an element never closed: everything after it went with it
        removed.append(_html_removed("".join(swallowing[1])))
    return kept


def _html_removed(content: str) -> str:
    return f"HTML is not allowed in the letter; removed {_snippet(content)}"


def _scheme(url: str) -> str | None:
    match = _SCHEME.match(_IGNORED_IN_URL.sub("", url))
    return match.group(1).lower() if match else None


def _link_allowed(href: str) -> bool:
    scheme = _scheme(href)
    return scheme is None or scheme in LINK_SCHEMES


_DEFAULT_PORTS = {"http": 80, "https": 443}


def site_of(base_url: str) -> str | None:
    """ "host:port" of the site's own address (the port written out even when it is the
    scheme's default), for the image allow-list."""
    parts = urlsplit(base_url)
    try:
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return f"{parts.hostname}:{port}" if port else parts.hostname


def _image_allowed(src: str, site_host: str | None) -> bool:
    """Images only from this site: a relative path, or an absolute URL with this site's host
    AND port (another port on the same host is another server, e.g. one of a tracker's)."""
    compact = _IGNORED_IN_URL.sub("", src)
    scheme = _scheme(compact)
    if scheme is None:
        # A path on this site; "//host/x.png" is another site without a scheme.
        return not compact.startswith(("//", "\\\\", "/\\", "\\/"))
    scheme = scheme.lower()
    if scheme not in _DEFAULT_PORTS or not site_host:
        return False
    image, site = urlsplit(compact), urlsplit("//" + site_host)
    try:
        image_port = image.port or _DEFAULT_PORTS[scheme]
        site_port = site.port
    except ValueError:  # "host:99999" or "host:x"
        return False
    if (image.hostname or "").lower() != (site.hostname or "").lower():
        return False
    # A bare host allows only the default port of the image's scheme.
    return image_port == (site_port or _DEFAULT_PORTS[scheme])


def _snippet(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def reader_text(text: str) -> str:
    """The body as a reader sees it, in plain text: emphasis markers gone, a link as
    "its text (https://its.address)", each list item and heading on a line of its own, a
    blank line between blocks. Used to show changes as readers see them."""
    blocks: list[str | None] = []
    numbers: list[int | None] = []  # per open list: the next number, or None for bullets
    prefix = ""
    for token in _MD.parse(text or ""):
        if token.type == "ordered_list_open":
            numbers.append(int(token.attrGet("start") or 1))
        elif token.type == "bullet_list_open":
            numbers.append(None)
        elif token.type in ("ordered_list_close", "bullet_list_close"):
            numbers.pop()
            blocks.append(None)  # the next block starts a new paragraph
        elif token.type == "list_item_open" and numbers:
            n = numbers[-1]
            prefix = "• " if n is None else f"{n}. "
            if n is not None:
                numbers[-1] = n + 1
        elif token.type == "inline":
            line = _inline_text(token.children or [])
            blocks.append(("  " * max(len(numbers) - 1, 0)) + prefix + line)
            prefix = ""
        elif token.type in ("fence", "code_block"):
            blocks.append(token.content.rstrip("\n"))
        elif token.type == "hr":
            blocks.append("———")
    return _join_blocks(blocks)


def _join_blocks(blocks: list[str | None]) -> str:
    # Items of one list read as consecutive lines; other blocks are paragraphs apart.
    out: list[str] = []
    in_list = False
    for block in blocks:
        if block is None:
            in_list = False
            continue
        is_item = bool(_ITEM.match(block))
        if out:
            out.append("\n" if is_item and in_list else "\n\n")
        out.append(block)
        in_list = is_item
    return "".join(out)


_ITEM = re.compile(r"\s*(•|\d+\.) ")


def _inline_text(children: list[Token]) -> str:
    parts: list[str] = []
    href_stack: list[str] = []
    for child in children:
        kind = child.type
        if kind in ("text", "code_inline"):
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif kind == "image":
            parts.append(child.content)
        elif kind == "link_open":
            href_stack.append(str(child.attrGet("href") or ""))
        elif kind == "link_close" and href_stack:
            href = href_stack.pop()
            if href and _link_allowed(href):
                parts.append(f" ({href.removeprefix('mailto:')})")
        # html_inline and emphasis markers: a reader never sees them
    return "".join(parts)
