"""The export formats: what each is called, its media type, and how it is rendered.

Every format renders the same FinalLetter. Only the lead's CSV reads anything more: the
contact and consent trail of the signatures, given as `contacts`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.publishing.final_letter import FinalLetter

FORMATS = ("pdf", "docx", "html", "md", "txt", "csv", "json")
# Rendering cost grows with the list; above these many signatories a format is rendered in
# the background with a progress page (see jobs.py). Measured (bench/export_bench.py, best
# of 2 on a busy 2-core machine): PDF 1.1 s for 100 names, 5 s for 1,000, 26 s for 5,000;
# DOCX 0.2 s, 0.8 s and 6 s.
BACKGROUND_ABOVE = {"pdf": 400, "docx": 2_000}


@dataclass(frozen=True)
class ExportFormat:
    name: str
    mimetype: str
    binary: bool


_TYPES = {
    "pdf": ExportFormat("pdf", "application/pdf", True),
    "docx": ExportFormat(
        "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", True
    ),
    "html": ExportFormat("html", "text/html; charset=utf-8", False),
    "md": ExportFormat("md", "text/markdown; charset=utf-8", False),
    "txt": ExportFormat("txt", "text/plain; charset=utf-8", False),
    "csv": ExportFormat("csv", "text/csv; charset=utf-8", False),
    "json": ExportFormat("json", "application/json", False),
}


def export_format(name: str) -> ExportFormat | None:
    return _TYPES.get(name)


def size_of(fl: FinalLetter) -> int:
    """How many lines the list has: what rendering time follows."""
    return len(fl.organizations) + len(fl.individuals)


def is_slow(fl: FinalLetter, fmt: str) -> bool:
    return size_of(fl) > BACKGROUND_ABOVE.get(fmt, 10**9)


def expected_pages(fl: FinalLetter) -> int:
    """A fair guess of the page count, for the progress bar: ~44 list lines a page."""
    return 2 + size_of(fl) // 44


def filename(fl: FinalLetter, fmt: str, *, lead: bool = False) -> str:
    state = "final" if not fl.is_draft else "DRAFT"
    if fmt == "csv":
        return f"{fl.slug}-signatories-v{fl.version}-{state}{'-with-contacts' if lead else ''}.csv"
    return f"{fl.slug}-v{fl.version}-{state}.{fmt}"


def render(
    fl: FinalLetter,
    fmt: str,
    *,
    contacts: Mapping[int, Any] | None = None,
    base_url: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """The export as bytes. Text formats are UTF-8; the CSV starts with a byte-order mark so
    spreadsheet programs read accented names correctly. `progress(percent)` is called now
    and then while a PDF or DOCX is made (never with 100: that is when it returns)."""
    if fmt == "pdf":
        from app.publishing.render_pdf import render_pdf

        pages = expected_pages(fl)
        on_page = (lambda n: progress(min(95, n * 100 // pages))) if progress else None
        return render_pdf(fl, base_url=base_url, on_page=on_page)
    if fmt == "docx":
        from app.publishing.render_docx import render_docx

        return render_docx(fl, progress=progress)
    if fmt == "csv":
        from app.publishing.render_csv import render_csv

        return render_csv(fl, contacts).encode("utf-8-sig")
    text: Callable[[FinalLetter], str]
    if fmt == "html":
        from app.publishing.render_html import render_print_html as text
    elif fmt == "md":
        from app.publishing.render_markdown import render_markdown as text
    elif fmt == "txt":
        from app.publishing.render_text import render_text as text
    elif fmt == "json":
        from app.publishing.render_json import render_json as text
    else:
        raise ValueError(f"unknown export format: {fmt}")
    return text(fl).encode("utf-8")
