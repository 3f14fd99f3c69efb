"""Every export read back: the same list, in the same order, with the same count and hash."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import docx
import pytest
from pypdf import PdfReader

from app.models import SignatoryOrder
from tests.conftest import login
from tests.support.publishing_factories import TRICKY, TRICKY_ORDER, letter_with

FORMATS = ("pdf", "docx", "html", "md", "txt", "csv", "json")
W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def lead(make):
    return make.user("lead@example.org", name="Lena Lead")


def get_export(client, slug: str, fmt: str, **query) -> tuple[bytes, str]:
    response = client.get(f"/letters/{slug}/export.{fmt}", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert "attachment" in response.headers["Content-Disposition"]
    return response.get_data(), response.headers["X-Content-Hash"]


def pdf_text(content: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def numbered(text: str) -> list[tuple[int, str]]:
    """(number, name) of every "12. Name, Norland" line."""
    return [
        (int(m.group(1)), m.group(2))
        for m in re.finditer(r"^\s*(\d+)\. (.+?), Norland\s*$", text, re.MULTILINE)
    ]


def docx_list(content: bytes) -> tuple[list[str], list[str]]:
    """The signatory paragraphs (those in the list that holds "Norland") and the number
    formats of that list's numbering definition."""
    document = docx.Document(io.BytesIO(content))
    items: dict[int, list[str]] = {}
    for paragraph in document.paragraphs:
        p_pr = paragraph._p.pPr
        if p_pr is not None and p_pr.numPr is not None:
            items.setdefault(p_pr.numPr.numId.val, []).append(paragraph.text)
    num_id, texts = next((k, v) for k, v in items.items() if v[0].endswith(", Norland"))
    numbering = document.part.numbering_part.element
    num = next(n for n in numbering.findall(f"{W_NS}num") if n.get(f"{W_NS}numId") == str(num_id))
    abstract_id = num.find(f"{W_NS}abstractNumId").get(f"{W_NS}val")
    abstract = next(
        a
        for a in numbering.findall(f"{W_NS}abstractNum")
        if a.get(f"{W_NS}abstractNumId") == abstract_id
    )
    formats = [f.get(f"{W_NS}val") for f in abstract.iter(f"{W_NS}numFmt")]
    return [t.removesuffix(", Norland") for t in texts], formats


class _ListItems(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inside, self.items = False, []

    def handle_starttag(self, tag, attrs):
        if tag == "ol" and ("class", "org-list") in attrs:
            self.inside = True
        elif tag == "li" and self.inside:
            self.items.append("")

    def handle_endtag(self, tag):
        if tag == "ol":
            self.inside = False

    def handle_data(self, data):
        if self.inside and self.items:
            self.items[-1] += data


def test_every_format_agrees_on_order_count_and_hash(lead, client):
    letter = letter_with(
        lead, TRICKY, status="final", unnamed=["Hidden Org"], individuals=[("Jane Roe", "Lab")]
    )
    login(client, "lead@example.org")
    out = {fmt: get_export(client, letter.slug, fmt) for fmt in FORMATS}
    hashes = {h for _, h in out.values()}
    assert len(hashes) == 1
    (content_hash,) = hashes
    expected = [(n, name) for n, name in enumerate(TRICKY_ORDER, start=1)]
    n = len(TRICKY_ORDER)

    text, pages = pdf_text(out["pdf"][0])
    assert numbered(text) == expected
    # The hash is in the document's properties, not on its pages, unless the lead asks.
    assert f"Page 1 of {pages}" in text and content_hash[:16] not in text
    assert content_hash in PdfReader(io.BytesIO(out["pdf"][0])).metadata.subject
    assert "and 1 organization that cannot be named for its safety" in text

    names, formats = docx_list(out["docx"][0])
    assert names == list(TRICKY_ORDER)  # N paragraphs, numbered by Word, not typed
    assert formats[0] == "decimal" and not any(re.match(r"\d+\.", t) for t in names)

    rows = list(csv.DictReader(io.StringIO(out["csv"][0].decode("utf-8-sig"))))
    orgs = [r for r in rows if r["type"] == "organization"]
    assert [(int(r["number"]), r["organization"]) for r in orgs] == expected
    assert [r["signer"] for r in rows if r["type"] == "individual"] == ["Jane Roe"]
    assert "email" not in rows[0]  # the public CSV has no contact columns

    data = json.loads(out["json"][0])
    assert [(o["number"], o["name"]) for o in data["organizations"]] == expected
    assert data["content_hash"] == content_hash and data["count"] == n + 2

    assert numbered(out["txt"][0].decode()) == expected
    assert numbered(out["md"][0].decode()) == expected
    parser = _ListItems()
    parser.feed(out["html"][0].decode())
    assert [item.strip().removesuffix(", Norland") for item in parser.items] == [
        f"{k}. {name}" for k, name in expected
    ]
    for fmt in ("txt", "md", "html"):
        assert content_hash in out[fmt][0].decode(), fmt


def test_other_orders_reach_every_format(lead, client):
    names = ["Zulu Org", "Alpha Org", "Coalition Member", "Mike Org"]
    letter = letter_with(lead, names, status="final", order=SignatoryOrder.time)
    login(client, "lead@example.org")
    expected = list(enumerate(names, start=1))  # signed in this order
    assert numbered(pdf_text(get_export(client, letter.slug, "pdf")[0])[0]) == expected
    assert docx_list(get_export(client, letter.slug, "docx")[0])[0] == names
    assert numbered(get_export(client, letter.slug, "txt")[0].decode()) == expected


def test_a_draft_is_marked_draft_in_every_format(lead, client):
    letter = letter_with(lead, ["Alpha Org"], status="open")
    login(client, "lead@example.org")
    out = {fmt: get_export(client, letter.slug, fmt)[0] for fmt in FORMATS}
    assert "DRAFT — version" in pdf_text(out["pdf"])[0]
    document = docx.Document(io.BytesIO(out["docx"]))
    assert "DRAFT" in document.sections[0].header.paragraphs[0].text
    assert "DRAFT" in document.core_properties.title
    for fmt in ("html", "md", "txt"):
        assert "DRAFT — version" in out[fmt].decode(), fmt
    assert next(csv.DictReader(io.StringIO(out["csv"].decode("utf-8-sig"))))["status"] == "DRAFT"
    assert json.loads(out["json"])["status"] == "DRAFT"


def test_body_structure_survives_into_docx_markdown_and_text(lead, client):
    letter = letter_with(lead, ["Alpha Org"], status="final")
    login(client, "lead@example.org")
    document = docx.Document(io.BytesIO(get_export(client, letter.slug, "docx")[0]))
    assert any(p.style.name == "Heading 2" and p.text == "Our request" for p in document.paragraphs)
    links = [h for p in document.paragraphs for h in p.hyperlinks]
    assert [(h.text, h.address) for h in links] == [("the report", "https://example.org/report")]
    body_items = [p for p in document.paragraphs if p.text in ("release them", "drop the charges")]
    assert len(body_items) == 2 and all(p._p.pPr.numPr is not None for p in body_items)
    markdown = get_export(client, letter.slug, "md")[0].decode()
    assert "## Our request" in markdown and "[the report](<https://example.org/report>)" in markdown
    assert "**ministry**" in markdown and "*now*" in markdown
    text = get_export(client, letter.slug, "txt")[0].decode()
    assert "the report <https://example.org/report>" in " ".join(text.split())
    assert max(len(line) for line in text.splitlines()) <= 72


def test_pdf_paper_size_follows_the_locale(lead, client):
    letter = letter_with(lead, ["Alpha Org"], status="open")
    login(client, "lead@example.org")
    box = PdfReader(io.BytesIO(get_export(client, letter.slug, "pdf")[0])).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)  # US Letter
    letter.locale = "fr_FR"
    from app.extensions import db

    db.session.commit()
    box = PdfReader(io.BytesIO(get_export(client, letter.slug, "pdf")[0])).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4


def test_pdf_links_are_clickable_and_names_in_other_scripts_render(lead, client):
    names = ["Асоціація вільних журналістів", "Ελληνική Ένωση", "Alpha Org"]
    letter = letter_with(lead, names, status="final")
    login(client, "lead@example.org")
    reader = PdfReader(io.BytesIO(get_export(client, letter.slug, "pdf")[0]))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for name in names:
        assert name in text
    uris = [
        a.get_object()["/A"]["/URI"]
        for page in reader.pages
        for a in page.get("/Annots", [])
        if "/A" in a.get_object()
    ]
    assert "https://example.org/report" in uris
