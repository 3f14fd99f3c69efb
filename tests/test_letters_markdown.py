"""Letter bodies: what Markdown may do, what is removed, and that the writer is told."""

from __future__ import annotations

import pytest

from app.letters.markdown import render_body
from tests.conftest import login, post_form
from tests.letters_support import READY, make_letter, text_form


def render(text: str):
    return render_body(text, site_host="letters.example")


def test_the_formatting_a_letter_needs_is_kept():
    result = render(
        "## Our requests\n\nWe *urge* you to act **now**, as [the report](https://example.org/r) shows.\n\n"
        "1. First\n2. Second\n\n- one\n- two\n\n> A quoted finding.\n\nWrite to [us](mailto:desk@example.org)."
    )
    html = str(result.html)
    assert result.removed == []
    for piece in (
        "<h2>Our requests</h2>",
        "<em>urge</em>",
        "<strong>now</strong>",
        '<a href="https://example.org/r" rel="noopener noreferrer">the report</a>',
        "<ol>\n<li>First</li>",
        "<ul>\n<li>one</li>",
        "<blockquote>\n<p>A quoted finding.</p>\n</blockquote>",
        'href="mailto:desk@example.org"',
    ):
        assert piece in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "Before <script>alert(1)</script> after",
        "<SCRIPT src=https://evil.example/x.js></SCRIPT>",
        '<div onclick="alert(1)">block</div>',
    ],
)
def test_script_tags_and_raw_html_are_removed_and_reported(source):
    result = render(source)
    html = str(result.html).lower()
    assert "<script" not in html and "onclick" not in html and "<div" not in html
    assert result.removed
    assert all(item.startswith("HTML is not allowed") for item in result.removed)


@pytest.mark.parametrize(
    "source",
    [
        "[click](javascript:alert(1))",
        "[click](JavaScript:alert(1))",
        "[click](javascript&#58;alert(1))",
        "<javascript:alert(1)>",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
    ],
)
def test_javascript_and_other_dangerous_links_are_removed_and_reported(source):
    result = render(source)
    html = str(result.html).lower()
    assert "href" not in html
    assert "javascript:" not in html.replace("javascript:alert(1)", "") or "<a" not in html
    assert any(item.startswith("Link removed") for item in result.removed)


@pytest.mark.parametrize(
    "source",
    [
        '<img src="x" onerror="alert(1)">',
        '<p onmouseover="alert(1)">hover</p>',
        '<a href="https://example.org" onclick="steal()">x</a>',
    ],
)
def test_event_handler_attributes_never_survive(source):
    result = render(source)
    html = str(result.html).lower()
    assert "onerror" not in html and "onmouseover" not in html and "onclick" not in html
    assert result.removed


@pytest.mark.parametrize(
    "source",
    [
        "![tracker](https://evil.example/pixel.png)",
        "![tracker](//evil.example/pixel.png)",
        "![tracker](http://letters.example.evil.example/p.png)",
        "![inline](data:image/png;base64,iVBORw0KGgo=)",
    ],
)
def test_images_from_elsewhere_are_removed_and_reported(source):
    result = render(source)
    assert "<img" not in str(result.html)
    assert "tracker" in str(result.html) or "inline" in str(result.html)  # the alt text stays
    assert any(item.startswith("Image removed") for item in result.removed)


def test_images_on_the_site_are_kept():
    result = render("![logo](/static/logo.png) ![seal](https://letters.example/seal.png)")
    assert result.removed == []
    assert str(result.html).count("<img") == 2


def test_the_writer_sees_what_was_removed_when_saving_and_previewing(make, client):
    user = make.user("lead@example.org")
    letter = make_letter(user)
    login(client, "lead@example.org")
    body = "Please act. <script>alert(1)</script> [here](javascript:alert(2)) ![x](https://evil.example/p.png)"
    saved = post_form(client, f"/letters/{letter.slug}/edit", text_form(READY, 2, body=body))
    assert saved.status_code == 302
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Removed from the letter" in page
    assert "Link removed (only web and email links are allowed): javascript:alert(2)" in page
    assert "Image removed (images must be on this site): https://evil.example/p.png" in page
    assert "<script>alert(1)</script>" not in page.split('id="body-preview"')[1].split("</div>")[0]

    preview = post_form(
        client, f"/letters/{letter.slug}/edit/preview", {"body": body},
        token_from=f"/letters/{letter.slug}/edit",
    )  # fmt: skip
    assert preview.status_code == 200
    data = preview.get_json()
    assert "<script" not in data["html"] and "javascript:" not in data["html"]
    assert len(data["removed"]) == 3

    printed = client.get(f"/letters/{letter.slug}/preview").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in printed
    assert "evil.example/p.png" not in printed.split('class="paper"')[1]
