"""The print HTML: one standalone document for the HTML export and the PDF.

Rendered with a Jinja environment of its own (not Flask's), so the CLI, the benchmark and
the background export thread can render without a request. The same `_letter.html`
fragment is what the site's pages include.
"""

from __future__ import annotations

import hashlib
from base64 import b64encode
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.publishing.final_letter import FinalLetter

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent.parent / "static"
STYLESHEET = STATIC / "css" / "final-letter.css"
PAPER = {"A4": "A4", "letter": "letter"}

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    auto_reload=False,
)


@lru_cache(maxsize=1)
def _stylesheet() -> str:
    return STYLESHEET.read_text(encoding="utf-8")


def page_css(fl: FinalLetter) -> str:
    """Paper size, margins, and the page footer: "DRAFT · version 3" or the hash, and
    "Page 2 of 5" (the hash only when the lead asks for it on the pages). Built only from the paper setting, the version number and the hex hash,
    never from text a person typed."""
    if fl.is_draft:
        left = f"DRAFT · version {int(fl.version)}"
    elif fl.fingerprint_on_pages:
        left = f"Final · version {int(fl.version)} · SHA-256 {fl.content_hash[:16]}"
    else:
        left = ""
    return (
        f"@page {{ size: {PAPER.get(fl.paper, 'A4')}; margin: 20mm 20mm 22mm 20mm;"
        f' @bottom-left {{ content: "{left}"; font: 8pt "DejaVu Sans", sans-serif; color: #555; }}'
        ' @bottom-right { content: "Page " counter(page) " of " counter(pages);'
        ' font: 8pt "DejaVu Sans", sans-serif; color: #555; } }\n'
    )


def document_css(fl: FinalLetter) -> str:
    return page_css(fl) + _stylesheet()


def render_print_html(fl: FinalLetter) -> str:
    """The standalone printable document, stylesheet embedded."""
    return _env.get_template("publishing/print.html").render(fl=fl, css=document_css(fl))


def style_csp_source(fl: FinalLetter) -> str:
    """The CSP source allowing exactly this document's embedded stylesheet."""
    digest = hashlib.sha256(document_css(fl).encode("utf-8")).digest()
    return f"'sha256-{b64encode(digest).decode('ascii')}'"
