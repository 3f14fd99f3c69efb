"""What the lead shares once the letter is open: the open sign link, its QR code (drawn on
the server with segno, so it works without scripts and prints sharply) and the snippet that
embeds the live count on a partner's website."""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from markupsafe import Markup, escape

from app.models import Letter, LetterStatus
from app.urls import external_url

QR_TITLE = "QR code of the sign link"


@dataclass(frozen=True)
class Share:
    sign_url: str
    count_url: str
    embed: str


def share_links(letter: Letter) -> Share | None:
    """The links to share, while the letter is open with its open sign link on; else None."""
    if letter.status is not LetterStatus.open or not letter.open_link:
        return None
    sign = external_url("signing.sign_open", slug=letter.slug)
    count = external_url("publishing.count_svg", slug=letter.slug)
    alt = escape(f"Signatures so far on “{letter.title}”")
    embed = f'<a href="{escape(sign)}"><img src="{escape(count)}" alt="{alt}"></a>'
    return Share(sign_url=sign, count_url=count, embed=embed)


def _qr(url: str) -> segno.QRCode:
    # Error correction "M" survives a crease or a smudge on a printed flyer.
    return segno.make(url, error="m", micro=False)


def qr_inline_svg(url: str) -> Markup:
    """The QR code as an inline <svg>, named for screen readers."""
    svg = _qr(url).svg_inline(scale=4, title=QR_TITLE, svgclass="share-qr", lineclass=None)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{QR_TITLE}" ', 1))  # noqa: S704 - segno's own markup


def qr_file(url: str, kind: str) -> bytes:
    """The QR code as a file to print: "svg" (any size) or "png" (large, 10 px a module)."""
    buffer = io.BytesIO()
    if kind == "svg":
        _qr(url).save(buffer, kind="svg", scale=10, title=QR_TITLE)
    else:
        _qr(url).save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()
