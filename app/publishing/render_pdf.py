"""The PDF, by WeasyPrint from the print HTML.

WeasyPrint fetches whatever a document points at (images, stylesheets, fonts) through a
URL fetcher. Ours answers only for the project's own static files, read from disk, and
refuses everything else: a letter can never make the server read a local file or call an
internal address (http://169.254.169.254/), whatever its text contains. Names are
autoescaped text, so `<img src=file:///etc/passwd>` in a name never even reaches it.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from app.publishing.final_letter import FinalLetter
from app.publishing.render_html import STATIC, render_print_html

DEFAULT_BASE_URL = "http://undersigned.invalid/"


class RefusedFetch(Exception):  # noqa: N818 - WeasyPrint logs it and carries on without the file
    """A URL outside the project's static files."""


class StaticOnlyFetcher:
    """A WeasyPrint url_fetcher that serves /static/… from disk and refuses the rest.

    `requested` lists every URL WeasyPrint asked for, `refused` those it did not get: tests
    assert through them that rendering a hostile letter asks for nothing outside.
    """

    def __init__(self, base_url: str = DEFAULT_BASE_URL, static_root: Path = STATIC) -> None:
        self.base_url = base_url
        base = urlsplit(base_url)
        self.origin = (base.scheme, base.netloc.lower())
        self.static_root = static_root.resolve()
        self.requested: list[str] = []
        self.refused: list[str] = []

    def local_path(self, url: str) -> Path | None:
        """The file under static/ that `url` names, or None."""
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc.lower()) != self.origin:
            return None
        path = unquote(parts.path)
        if not path.startswith("/static/") or "\\" in path or "\x00" in path:
            return None
        target = (self.static_root / path.removeprefix("/static/")).resolve()
        if not target.is_relative_to(self.static_root) or not target.is_file():
            return None
        return target

    def __call__(self, url: str, timeout: int = 10, ssl_context: Any = None) -> dict[str, Any]:
        self.requested.append(url[:200])
        inline = _inline_image(url)
        if inline is not None:
            return inline
        target = self.local_path(url)
        if target is None:
            self.refused.append(url)
            raise RefusedFetch(f"not fetched: {url[:200]}")
        mime, _ = mimetypes.guess_type(target.name)
        return {
            "string": target.read_bytes(),
            "mime_type": mime or "application/octet-stream",
            "redirected_url": url,
        }


# The letterhead logo travels inside the letter as a data: URI of a cleaned image.
_INLINE_TYPES = ("image/png", "image/svg+xml")


def _inline_image(url: str) -> dict[str, Any] | None:
    """A base64 data: URI of a PNG or SVG, decoded; None for anything else."""
    if not url.startswith("data:"):
        return None
    header, sep, payload = url[5:].partition(",")
    mime, _, encoding = header.partition(";")
    if not sep or mime not in _INLINE_TYPES or encoding != "base64":
        return None
    try:
        content = base64.b64decode(payload, validate=True)
    except ValueError:
        return None
    return {"string": content, "mime_type": mime, "redirected_url": url}


class _PageProgress(logging.Handler):
    """Counts the pages WeasyPrint reports laying out, for this thread only."""

    def __init__(self, callback: Callable[[int], None]) -> None:
        super().__init__(logging.INFO)
        self.callback = callback
        self.thread = threading.get_ident()
        self.pages = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread or "Creating layout - Page" not in record.getMessage():
            return
        self.pages += 1
        self.callback(self.pages)


def render_pdf(
    fl: FinalLetter,
    *,
    base_url: str | None = None,
    fetcher: StaticOnlyFetcher | None = None,
    on_page: Callable[[int], None] | None = None,
) -> bytes:
    """The letter as PDF bytes. `on_page(n)` is called as page n is laid out."""
    return html_to_pdf(render_print_html(fl), base_url=base_url, fetcher=fetcher, on_page=on_page)


def html_to_pdf(
    html: str,
    *,
    base_url: str | None = None,
    fetcher: StaticOnlyFetcher | None = None,
    on_page: Callable[[int], None] | None = None,
) -> bytes:
    """Any HTML to PDF through the static-only fetcher (relative URLs resolve against the
    site, so the fetcher can tell its own static files from everything else)."""
    from weasyprint import HTML  # heavy import, paid only by the PDF export

    fetcher = fetcher or StaticOnlyFetcher(base_url or DEFAULT_BASE_URL)
    progress_logger = logging.getLogger("weasyprint.progress")
    handler = _PageProgress(on_page) if on_page else None
    old_level = progress_logger.level
    if handler:
        progress_logger.addHandler(handler)
        progress_logger.setLevel(logging.INFO)
    try:
        document = HTML(string=html, base_url=fetcher.base_url, url_fetcher=fetcher)
        return document.write_pdf()
    finally:
        if handler:
            progress_logger.removeHandler(handler)
            progress_logger.setLevel(old_level)
