"""The organization's letterhead: a logo (PNG or SVG) and address and contact lines, printed at
the top of its letters.

A logo is uploaded, checked by its content (never by its name), cleaned and stored in the
database; it is never fetched from a URL. Cleaning keeps only what draws a picture: a PNG
keeps its image chunks (no text, metadata or embedded profiles), an SVG keeps an allow-list
of shape elements and presentation attributes, so no script, link, external reference or
entity survives into a page, a PDF or a DOCX.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
import xml.etree.ElementTree as ET  # noqa: S405 - entities and DOCTYPEs are refused before parsing
import zlib
from dataclasses import dataclass

from app.actor import Actor
from app.audit import record
from app.errors import Refused
from app.models import Organization
from app.text import unsafe_characters

MAX_LOGO_BYTES = 512 * 1024
MAX_LOGO_PIXELS = 4000  # on either side
MAX_LINES = 6
MAX_LINE_LENGTH = 120
PNG, SVG = "image/png", "image/svg+xml"

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The chunks that make the picture; everything else (text, EXIF, ICC profiles, …) is dropped.
_PNG_KEEP = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"sRGB", b"cHRM", b"pHYs"}

_SVG_NS = "http://www.w3.org/2000/svg"
_SVG_ELEMENTS = {
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text",
    "tspan", "defs", "linearGradient", "radialGradient", "stop", "title", "desc", "clipPath",
}  # fmt: skip
_SVG_ATTRIBUTES = {
    "id", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "width", "height",
    "d", "points", "viewBox", "preserveAspectRatio", "transform", "fill", "fill-opacity",
    "fill-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-linecap",
    "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "opacity", "offset",
    "stop-color", "stop-opacity", "gradientUnits", "gradientTransform", "font-family",
    "font-size", "font-weight", "font-style", "text-anchor", "letter-spacing", "clip-path",
    "clip-rule", "version",
}  # fmt: skip
# A paint or clip may point inside the picture ("url(#grad)"), never outside it.
_URL = re.compile(r"url\s*\(", re.IGNORECASE)
_LOCAL_URL = re.compile(r"^\s*url\(\s*#[\w.\-]+\s*\)\s*$")


@dataclass(frozen=True)
class Logo:
    mimetype: str
    content: bytes

    def data_uri(self) -> str:
        return f"data:{self.mimetype};base64,{base64.b64encode(self.content).decode('ascii')}"


def clean_logo(data: bytes) -> Logo:
    """The uploaded file as a cleaned PNG or SVG, or Refused saying what is wrong."""
    if not data:
        raise Refused("Choose a PNG or SVG file for the logo.")
    if len(data) > MAX_LOGO_BYTES:
        raise Refused(f"The logo may be at most {MAX_LOGO_BYTES // 1024} kB.")
    if data.startswith(_PNG_SIGNATURE):
        return Logo(PNG, _clean_png(data))
    head = data[:512].lstrip().lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--")):
        return Logo(SVG, _clean_svg(data))
    raise Refused("The logo must be a PNG or an SVG image (its content is checked, not its name).")


def _clean_png(data: bytes) -> bytes:
    out, pos, seen_end = [_PNG_SIGNATURE], len(_PNG_SIGNATURE), False
    while pos + 8 <= len(data) and not seen_end:
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        crc = data[pos + 8 + length : pos + 12 + length]
        if len(body) != length or len(crc) != 4:
            raise Refused("This PNG file is cut short; save it again and upload it.")
        if struct.unpack(">I", crc)[0] != zlib.crc32(kind + body):
            raise Refused("This PNG file is damaged; save it again and upload it.")
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
            if not (0 < width <= MAX_LOGO_PIXELS and 0 < height <= MAX_LOGO_PIXELS):
                raise Refused(f"The logo may be at most {MAX_LOGO_PIXELS} pixels on a side.")
        if kind in _PNG_KEEP:
            out.append(data[pos : pos + 12 + length])
        seen_end = kind == b"IEND"
        pos += 12 + length
    if not seen_end or len(out) < 3:
        raise Refused("This PNG file is cut short; save it again and upload it.")
    return b"".join(out)


def _clean_svg(data: bytes) -> bytes:
    text = data.decode("utf-8", errors="replace")
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        raise Refused("This SVG declares a DOCTYPE or entities; export it as plain SVG.")
    try:
        root = ET.fromstring(text)  # noqa: S314 - no DOCTYPE or entity can reach the parser
    except ET.ParseError:
        raise Refused("This SVG file cannot be read; export it again as plain SVG.") from None
    if _local(root.tag) != "svg":
        raise Refused("The logo must be a PNG or an SVG image.")
    _clean_element(root)
    root.set("xmlns", _SVG_NS)
    cleaned = ET.tostring(root, encoding="unicode")
    # ElementTree writes the namespace as "ns0:" prefixes; an SVG reader wants the default one.
    cleaned = re.sub(r"<(/?)ns0:", r"<\1", cleaned).replace(f' xmlns:ns0="{_SVG_NS}"', "")
    return cleaned.encode("utf-8")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _clean_element(element: ET.Element) -> None:
    for name in list(element.attrib):
        value = element.attrib[name]
        keep = _local(name) in _SVG_ATTRIBUTES and "}" not in name
        if keep and _URL.search(value) and not _LOCAL_URL.match(value):
            keep = False
        if not keep:
            del element.attrib[name]
        else:
            element.attrib[_local(name)] = element.attrib.pop(name)
    for child in list(element):
        if _local(child.tag) in _SVG_ELEMENTS:
            child.tag = _local(child.tag)
            _clean_element(child)
        else:
            element.remove(child)


def clean_lines(text: str) -> tuple[str, ...]:
    """Address and contact lines as typed, one per line, blank lines dropped."""
    lines = tuple(" ".join(line.split()) for line in (text or "").splitlines())
    lines = tuple(line for line in lines if line)
    if len(lines) > MAX_LINES:
        raise Refused(f"Use at most {MAX_LINES} lines under the letterhead.")
    for line in lines:
        if len(line) > MAX_LINE_LENGTH:
            raise Refused(f"Keep each line to {MAX_LINE_LENGTH} characters.")
        if unsafe_characters(line):
            raise Refused("Remove the invisible control characters from the letterhead.")
    return lines


def logo_of(organization: Organization) -> Logo | None:
    content = getattr(organization, "letterhead_logo", None)
    mimetype = getattr(organization, "letterhead_logo_type", None)
    if not content or mimetype not in (PNG, SVG):
        return None
    return Logo(mimetype, content)


def letterhead_key(organization: Organization) -> tuple:
    """What of the organization a built letter depends on, for keeping built letters."""
    logo = organization.letterhead_logo or b""
    return (organization.name, organization.letterhead_lines, hashlib.sha256(logo).digest())


def update_letterhead(
    organization: Organization,
    *,
    lines: str,
    logo: bytes | None,
    remove_logo: bool,
    actor: Actor,
) -> list[str]:
    """Set the letterhead's lines and logo; returns what changed. The caller commits.

    Letters already final keep the letterhead they were frozen with.
    """
    changed = []
    new_lines = "\n".join(clean_lines(lines))
    if new_lines != (organization.letterhead_lines or ""):
        organization.letterhead_lines = new_lines
        changed.append("lines")
    if logo:
        cleaned = clean_logo(logo)
        organization.letterhead_logo = cleaned.content
        organization.letterhead_logo_type = cleaned.mimetype
        changed.append("logo")
    elif remove_logo and organization.letterhead_logo is not None:
        organization.letterhead_logo = None
        organization.letterhead_logo_type = None
        changed.append("logo removed")
    if changed:
        record("orgs.letterhead_changed", actor, organization, changed=changed)
    return changed
