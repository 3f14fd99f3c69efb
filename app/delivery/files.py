"""Uploaded files (a delivery's proof, the recipients' response): PDF or image, checked by
their first bytes, never by the name or the type the browser claims.

They are kept in the database (outside the web root) and only ever served as downloads
(`download`), so a file that is not what it says can never be rendered by a browser here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

from flask import Response

from app.errors import Refused

MAX_BYTES = 5 * 1024 * 1024
# Magic bytes → (media type, file extension).
_SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Upload:
    filename: str
    mimetype: str
    content: bytes


def _kind(content: bytes) -> tuple[str, str] | None:
    for magic, mimetype, extension in _SIGNATURES:
        if content.startswith(magic):
            return mimetype, extension
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def safe_filename(name: str, extension: str) -> str:
    """An ASCII file name with the extension of what the file really is."""
    base = unicodedata.normalize("NFKD", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _UNSAFE_NAME.sub("-", stem.encode("ascii", "ignore").decode()).strip("-.")[:80]
    return f"{stem or 'file'}.{extension}"


def check_upload(filename: str, content: bytes) -> Upload:
    """The file as it will be kept, or Refused saying what is wrong with it."""
    if not content:
        raise Refused("The file is empty. Choose the PDF or image again.")
    if len(content) > MAX_BYTES:
        raise Refused(
            f"The file is too large ({len(content) // 1024:,} KB): at most "
            f"{MAX_BYTES // (1024 * 1024)} MB."
        )
    kind = _kind(content)
    if kind is None:
        raise Refused("Only a PDF or an image (PNG, JPEG, GIF or WebP) can be attached.")
    mimetype, extension = kind
    return Upload(safe_filename(filename or "file", extension), mimetype, content)


def download(filename: str, mimetype: str, content: bytes, *, public: bool = False) -> Response:
    """The file as an attachment: never shown in the browser, never sniffed as anything else."""
    response = Response(content, mimetype=mimetype)
    ascii_name = filename.encode("ascii", "replace").decode()
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    return response
