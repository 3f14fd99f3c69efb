"""Hostile names and bodies come out as inert text, and the PDF renderer fetches nothing."""

from __future__ import annotations

import csv
import io
import json
import re

import docx
import pytest
from pypdf import PdfReader

from app.publishing import exports
from app.publishing.render_html import render_print_html
from app.publishing.render_markdown import render_markdown
from app.publishing.render_pdf import StaticOnlyFetcher, render_pdf
from tests.conftest import login
from tests.support.publishing_factories import HOSTILE, letter_with, plain_final_letter

NASTY_BODY = (
    "Hello ![x](http://169.254.169.254/latest/meta-data/) and ![y](file:///etc/passwd) "
    '<img src="http://169.254.169.254/"> <link rel=stylesheet href="http://evil.example/x.css">'
    "\n\n<style>@import url(http://evil.example/a.css);</style>\n\n"
    "[ok](https://example.org) ![local](/static/css/../../../../etc/passwd)"
)


@pytest.fixture
def lead(make):
    return make.user("lead@example.org", name="Lena Lead")


def test_print_html_escapes_every_hostile_name():
    html = render_print_html(plain_final_letter(HOSTILE))
    assert "<script>" not in html and "<img src=file" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Watch" in html
    assert "&lt;img src=file:///etc/passwd&gt; Group" in html
    assert 'href="javascript' not in html and "\u202e" not in html
    assert "&lt;img src=file:///etc/passwd&gt; Group, Norland</li>" in html


def test_the_web_fragment_isolates_each_name(lead, client):
    letter = letter_with(lead, HOSTILE, status="published")
    html = client.get(f"/l/{letter.slug}").get_data(as_text=True)
    # Each name is isolated, so a right-to-left name cannot reorder the numbers around it.
    assert html.count("<bdi>") >= len(HOSTILE) and "<img src=file" not in html


def test_hostile_names_never_reach_the_pdf_fetcher():
    fetcher = StaticOnlyFetcher("http://testserver.localhost/")
    pdf = render_pdf(plain_final_letter(HOSTILE), fetcher=fetcher)
    assert fetcher.requested == []  # not one URL was asked for, let alone fetched
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    for name in ("<img src=file:///etc/passwd> Group", "http://169.254.169.254/latest/meta-data/"):
        assert name in text
    assert "<script>alert('x')</script> Watch" in text


def test_a_hostile_body_makes_no_outbound_request():
    fetcher = StaticOnlyFetcher("http://testserver.localhost/")
    render_pdf(plain_final_letter(HOSTILE, body=NASTY_BODY), fetcher=fetcher)
    # Off-site images and raw HTML were removed when the body was rendered. What is left,
    # a path on the site that climbs out of /static/, reached the fetcher and was refused.
    assert all(u.startswith("http://testserver.localhost/") for u in fetcher.requested)
    assert fetcher.refused == fetcher.requested == ["http://testserver.localhost/etc/passwd"]


def test_the_fetcher_serves_static_files_and_refuses_everything_else():
    fetcher = StaticOnlyFetcher("http://testserver.localhost/")
    served = fetcher("http://testserver.localhost/static/css/final-letter.css")
    assert served["mime_type"] == "text/css" and b".final-letter" in served["string"]
    for url in (
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "http://evil.example/static/css/site.css",
        "https://testserver.localhost/static/css/site.css",  # another origin (scheme)
        "http://testserver.localhost/static/../../config.py",
        "http://testserver.localhost/static/%2e%2e/%2e%2e/config.py",
        "http://testserver.localhost/auth/login",
        "data:text/html,<p>x</p>",
    ):
        with pytest.raises(Exception, match="not fetched"):
            fetcher(url)
    assert len(fetcher.refused) == 8


def test_a_site_image_goes_through_the_fetcher_and_nothing_else_does():
    body = "![logo](/static/css/site.css) ![far](http://evil.example/x.png)"
    fetcher = StaticOnlyFetcher("http://testserver.localhost/")
    render_pdf(plain_final_letter(["Alpha"], body=body), fetcher=fetcher)
    # The off-site image was removed when the body was rendered; the local one was asked
    # for (and served from disk, not over the network).
    assert fetcher.requested == ["http://testserver.localhost/static/css/site.css"]
    assert fetcher.refused == []


def test_docx_csv_markdown_and_json_keep_hostile_names_inert(lead, client):
    letter = letter_with(lead, HOSTILE, status="final", body=NASTY_BODY)
    login(client, "lead@example.org")

    def export(fmt: str, **query) -> bytes:
        response = client.get(f"/letters/{letter.slug}/export.{fmt}", query_string=query)
        assert response.status_code == 200
        return response.get_data()

    document = docx.Document(io.BytesIO(export("docx")))
    texts = [p.text for p in document.paragraphs]
    assert "<img src=file:///etc/passwd> Group, Norland" in texts
    assert '=HYPERLINK("http://evil.example/","Click"), Norland' in texts
    hyperlinks = [h.address for p in document.paragraphs for h in p.hyperlinks]
    assert hyperlinks == ["https://example.org"]  # only the body's real link is a link

    for query in ({}, {"lead": "1"}):
        rows = list(csv.reader(io.StringIO(export("csv", **query).decode("utf-8-sig"))))
        cells = [cell for row in rows[1:] for cell in row]
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
        assert '\'=HYPERLINK("http://evil.example/","Click")' in cells
        assert "'+SUM(A1:A9) Union" in cells and "'@cmd Alliance" in cells

    markdown = export("md").decode()
    assert "<script>" not in markdown and not re.search(r"(?<!\\)\]\(javascript", markdown)
    assert r"\[Click\](javascript:alert(1)) Forum" in markdown
    data = json.loads(export("json"))
    assert "<script>alert('x')</script> Watch" in [o["name"] for o in data["organizations"]]


def test_html_export_has_a_strict_policy_of_its_own(lead, client):
    letter = letter_with(lead, HOSTILE, status="open")
    login(client, "lead@example.org")
    response = client.get(f"/letters/{letter.slug}/export.html")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "style-src 'sha256-" in policy
    html = response.get_data(as_text=True)
    assert "<script" not in html.lower().replace("&lt;script", "")


def test_markdown_escapes_names_that_would_become_markup():
    md = render_markdown(plain_final_letter(["# Heading Org", "- Dash Org", "*Star* _Org_"]))
    assert r"\# Heading Org" in md and r"\- Dash Org" in md and r"\*Star\* \_Org\_" in md


def test_export_formats_are_known():
    assert set(exports.FORMATS) == {"pdf", "docx", "html", "md", "txt", "csv", "json"}
