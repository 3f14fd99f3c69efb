"""The printed letter as it goes to two cabinet secretaries: no fingerprint on the pages unless
asked, the closing kept with the text, a letterhead with a logo and address lines, a
signature block, a long list in two columns, and the DOCX footer in one size. Each is read
back from the real PDF (pypdf) and the real DOCX (python-docx)."""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import replace

import docx
import pytest
from pypdf import PdfReader

from app.errors import Refused
from app.extensions import db
from app.orgs import letterhead
from app.publishing.render_docx import render_docx
from app.publishing.render_pdf import render_pdf
from tests.conftest import login, post_form
from tests.support.publishing_factories import letter_with, plain_final_letter

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LINE = "We ask the ministry to release the river guides now."


def png(width: int = 4, height: int = 2, extra: bytes = b"") -> bytes:
    """A real, tiny PNG (grey pixels), with optional extra chunks before the image data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + extra
        + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )  # fmt: skip


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def final(**changes):
    fl = plain_final_letter(["Friends of the Delta", "Lakeside Tenants Union"]).with_hash()
    return replace(fl, status="FINAL", **changes)


# The fingerprint --------------------------------------------------------------------------


def test_the_hash_is_not_on_the_pages_unless_the_lead_asks():
    fl = final()
    text = "\n".join(pdf_pages(render_pdf(fl)))
    assert fl.content_hash[:16] not in text and "SHA-256" not in text
    assert fl.content_hash in PdfReader(io.BytesIO(render_pdf(fl))).metadata.subject
    footer = docx.Document(io.BytesIO(render_docx(fl))).sections[0].footer.paragraphs[0].text
    assert "SHA-256" not in footer and footer.startswith("Page ")

    asked = replace(fl, fingerprint_on_pages=True)
    pages = pdf_pages(render_pdf(asked))
    assert all(fl.content_hash[:16] in page for page in pages)
    footer = docx.Document(io.BytesIO(render_docx(asked))).sections[0].footer.paragraphs[0].text
    assert footer.startswith(f"SHA-256 {fl.content_hash[:16]}")


def test_the_public_json_and_hash_of_an_older_frozen_letter_do_not_change():
    """Fields added for printing appear in the hashed content only when they are used."""
    fl = final()
    assert not {"letterhead_logo", "signature_block", "fingerprint_on_pages"} & set(
        fl.public_dict()
    )
    assert replace(fl, signature_block=("Amara Okafor",)).computed_hash() != fl.computed_hash()


def test_the_docx_page_numbers_are_as_small_as_the_footer_text():
    document = docx.Document(io.BytesIO(render_docx(final())))
    footer = document.sections[0].footer.paragraphs[0]._p
    sizes = {el.get(f"{W}val") for el in footer.iter(f"{W}sz")}
    fields = footer.findall(f"{W}fldSimple")
    assert [f.get(f"{W}instr") for f in fields] == ["PAGE", "NUMPAGES"]
    assert all(f.find(f"{W}r/{W}rPr/{W}sz").get(f"{W}val") == "16" for f in fields)
    assert sizes == {"16"}


# The closing stays with the text ----------------------------------------------------------


@pytest.mark.parametrize("paragraphs", [12, 13, 14, 15])
def test_the_closing_is_never_stranded_at_the_top_of_a_page(paragraphs):
    # With 13 and 14 one-line paragraphs "Sincerely," used to fall alone onto page 2.
    body = "\n\n".join(f"{LINE} P{i}." for i in range(paragraphs)) + " ENDMARK"
    fl = plain_final_letter([f"Org {i}" for i in range(30)], body=body)
    pages = pdf_pages(render_pdf(fl))
    closing = next(n for n, text in enumerate(pages) if "Sincerely," in text)
    end_of_text = next(n for n, text in enumerate(pages) if "ENDMARK" in text)
    assert closing == end_of_text
    assert not pages[closing].strip().startswith("Sincerely,")


def test_a_signature_block_prints_between_the_closing_and_the_list():
    fl = replace(final(), signature_block=("Amara Okafor", "Executive Director"))
    text = "\n".join(pdf_pages(render_pdf(fl)))
    assert text.index("Sincerely,") < text.index("Amara Okafor") < text.index("Executive Director")
    assert text.index("Executive Director") < text.index("1. Friends of the Delta")
    paragraphs = [p.text for p in docx.Document(io.BytesIO(render_docx(fl))).paragraphs]
    at = paragraphs.index("Sincerely,")
    assert paragraphs[at + 1] == "Amara Okafor\nExecutive Director"


# A long list in two columns ---------------------------------------------------------------


def _x_of(content: bytes, needle: str) -> float:
    found: list[float] = []

    def visit(text, cm, tm, font, size):  # noqa: ANN001
        if needle in text:
            found.append(tm[4])

    for page in PdfReader(io.BytesIO(content)).pages:
        page.extract_text(visitor_text=visit)
    assert found, needle
    return found[0]


def test_a_long_list_runs_in_two_columns_and_a_short_one_in_one():
    long_list = plain_final_letter([f"Organization {i:03d}" for i in range(60)])
    content = render_pdf(long_list)
    first, later = _x_of(content, "1. Organization 000"), _x_of(content, "Organization 059")
    assert later > first + 150  # points: the right-hand column
    short = render_pdf(plain_final_letter([f"Organization {i:03d}" for i in range(10)]))
    assert abs(_x_of(short, "Organization 009") - _x_of(short, "Organization 000")) < 5

    document = docx.Document(io.BytesIO(render_docx(long_list)))
    columns = [s._sectPr.find(f"{W}cols") for s in document.sections]
    assert [c.get(f"{W}num") if c is not None else None for c in columns][-2:] == ["2", "1"]


# The letterhead ---------------------------------------------------------------------------


def test_a_png_logo_is_cleaned_of_everything_but_the_picture():
    body = b"Comment\x00hidden"
    chunk = (
        struct.pack(">I", len(body))
        + b"tEXt"
        + body
        + struct.pack(">I", zlib.crc32(b"tEXt" + body))
    )
    cleaned = letterhead.clean_logo(png(extra=chunk))
    assert cleaned.mimetype == "image/png" and b"hidden" not in cleaned.content
    assert cleaned.content.startswith(b"\x89PNG") and cleaned.content.endswith(b"IEND\xaeB`\x82")
    damaged = bytearray(png())
    damaged[20] ^= 0xFF
    with pytest.raises(Refused, match="damaged"):
        letterhead.clean_logo(bytes(damaged))
    with pytest.raises(Refused, match="at most 4000 pixels"):
        letterhead.clean_logo(png(width=5000))
    with pytest.raises(Refused, match="PNG or an SVG"):
        letterhead.clean_logo(b"GIF89a" + b"\x00" * 20)


def test_an_svg_logo_keeps_its_shapes_and_loses_scripts_links_and_outside_references():
    hostile = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        b'viewBox="0 0 10 10" onload="alert(1)"><script>alert(2)</script>'
        b'<a href="https://evil.example/"><rect width="5" height="5"/></a>'
        b'<image xlink:href="http://169.254.169.254/x"/>'
        b'<circle cx="5" cy="5" r="4" fill="url(https://evil.example/p)" stroke="url(#ok)"/>'
        b'<foreignObject><p>hi</p></foreignObject><path d="M0 0L10 10" style="x"/></svg>'
    )
    cleaned = letterhead.clean_logo(hostile).content.decode()
    for gone in ("script", "onload", "evil.example", "169.254", "image", "foreignObject", "<a",
                 "style=", "xlink"):  # fmt: skip
        assert gone not in cleaned, gone
    assert '<circle cx="5" cy="5" r="4" stroke="url(#ok)"' in cleaned and "<path" in cleaned
    with pytest.raises(Refused, match="DOCTYPE"):
        letterhead.clean_logo(b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "b">]><svg/>')


def _org_page_post(client, org_id: int, **data):
    return post_form(client, f"/orgs/{org_id}/letterhead", data, content_type="multipart/form-data")


def test_the_lead_sets_a_letterhead_that_prints_with_logo_and_lines(make, client):
    lead = make.user("lead@example.org", name="Lena Lead")
    org = lead.organizations[0]
    login(client, "lead@example.org")
    response = _org_page_post(
        client, org.id, lines="12 Harbour Road, Port Selden\n+47 555 0100 · info@example.org",
        logo=(io.BytesIO(png()), "logo.png"),
    )  # fmt: skip
    assert response.status_code == 302
    refused = _org_page_post(client, org.id, logo=(io.BytesIO(b"<html>"), "logo.svg"))
    assert refused.status_code == 422 and "must be a PNG or an SVG" in refused.get_data(True)
    db.session.expire_all()
    assert org.letterhead_logo_type == "image/png"  # the refused upload changed nothing

    letter = letter_with(lead, ["Friends of the Delta"], status="final")
    pdf = client.get(f"/letters/{letter.slug}/export.pdf").get_data()
    first_page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert "12 Harbour Road, Port Selden" in first_page.extract_text()
    assert len(first_page.images) == 1
    document = docx.Document(io.BytesIO(client.get(f"/letters/{letter.slug}/export.docx").data))
    assert len(document.inline_shapes) == 1
    assert "+47 555 0100" in document.paragraphs[1].text


def test_only_an_admin_of_the_organization_edits_its_letterhead(make, client):
    make.user("lead@example.org")
    other = make.user("other@example.org")
    login(client, "lead@example.org")
    assert client.get(f"/orgs/{other.organizations[0].id}/letterhead").status_code == 404


def test_letter_settings_set_the_signature_block_and_the_fingerprint(make, client):
    lead = make.user("lead@example.org", name="Lena Lead")
    letter = letter_with(lead, ["Friends of the Delta"], status="open")
    assert not letter.fingerprint_on_pages and letter.signature_block == ""
    login(client, "lead@example.org")
    settings = {
        "title": letter.title, "slug": letter.slug, "date_mode": "on_finalize", "locale": "en_US",
        "time_zone": "UTC", "numbered": "y", "signatory_order": "alphabetical",
        "moderation": "y", "intro_template": "{lead} and {others} organizations urge …",
        "signature_block": "  Lena Lead \r\n\r\nDirector\r\n", "fingerprint_on_pages": "y",
    }  # fmt: skip
    response = post_form(client, f"/letters/{letter.slug}/settings", settings)
    assert response.status_code == 302
    db.session.expire_all()
    assert letter.fingerprint_on_pages and letter.signature_block == "Lena Lead\nDirector"
    pdf = client.get(f"/letters/{letter.slug}/export.pdf").get_data()
    assert "Lena Lead\nDirector" in "\n".join(pdf_pages(pdf))
