"""Names in any script reach the PDF as themselves, and when this server has no font for a
character, the lead is told before finalizing instead of sending empty boxes."""

from __future__ import annotations

import io
import os

import pytest
from pypdf import PdfReader

from app.publishing import fonts
from tests.conftest import login
from tests.support.publishing_factories import letter_with

# Names a coalition could well collect, one per script; each is read back from the PDF.
NAMES = {
    "Chinese": "北京人权中心",
    "Japanese": "東京人権ネットワーク",
    "Korean": "서울 인권 연대",
    "Thai": "ศูนย์ทนายความ",
    "Amharic": "የሰብአዊ መብቶች ማዕከል",
    "Hebrew": "מרכז לזכויות אדם",
    "Arabic": "مركز حقوق الإنسان",
    "Russian": "Центр прав человека",
    "Greek": "Κέντρο Δικαιωμάτων",
}
# Drawn too, but pypdf cannot give their text back in order (reordered vowel signs).
DRAWN_ONLY = {"Hindi": "मानवाधिकार केंद्र", "Burmese": "မြန်မာ လူ့အခွင့်အရေး"}


@pytest.fixture
def lead(make):
    return make.user("lead@example.org", name="Lena Lead")


def _fonts_for_every_script() -> None:
    coverage = fonts.installed_coverage()
    if coverage is None or not all(coverage.has(c) for c in "北서ศማ"):
        message = f"fonts for CJK, Thai and Ethiopic are missing (apt-get install {fonts.SUGGESTED_PACKAGES})"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def test_the_pdf_draws_and_gives_back_names_in_many_scripts(lead, client):
    _fonts_for_every_script()
    letter = letter_with(lead, [*NAMES.values(), *DRAWN_ONLY.values()], status="closed")
    login(client, "lead@example.org")
    page = client.get(f"/letters/{letter.slug}/finalize").get_data(as_text=True)
    assert "The list that will be frozen" in page and "cannot draw" not in page

    response = client.get(f"/letters/{letter.slug}/export.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.get_data()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    for script, name in NAMES.items():
        assert name in text, script
    embedded = {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for p in reader.pages
        for font in p["/Resources"]["/Font"].values()
    }
    assert any("CJK" in name for name in embedded), embedded


def test_the_finalize_page_names_each_character_no_font_has(lead, client, monkeypatch):
    # A server with Latin fonts only: the Chinese and Thai names cannot be drawn.
    latin_only = fonts.Coverage.from_charsets("20-7e a0-24f 2000-206f")
    monkeypatch.setattr(fonts, "installed_coverage", lambda: latin_only)
    letter = letter_with(lead, ["Alpha Org", "北京人权中心", "ศูนย์ทนายความ"], status="closed")
    login(client, "lead@example.org")
    page = client.get(f"/letters/{letter.slug}/finalize").get_data(as_text=True)
    assert "The PDF cannot draw 16 characters of this letter" in page
    assert (
        "“<bdi>北</bdi>” (U+5317, CJK UNIFIED IDEOGRAPH-5317) in “<bdi>北京人权中心</bdi>”" in page
    )
    assert "U+0E28" in page and "… and " not in page  # 6 + 10 different characters, all listed
    assert fonts.SUGGESTED_PACKAGES in page

    other = letter_with(lead, ["Alpha Org", "Égalité Coalition"], status="closed", title="Plain")
    page = client.get(f"/letters/{other.slug}/finalize").get_data(as_text=True)
    assert "cannot draw" not in page


def test_without_fontconfig_nothing_is_claimed(lead, client, monkeypatch):
    monkeypatch.setattr(fonts, "installed_coverage", lambda: None)
    letter = letter_with(lead, ["北京人权中心"], status="closed")
    login(client, "lead@example.org")
    page = client.get(f"/letters/{letter.slug}/finalize").get_data(as_text=True)
    assert "The list that will be frozen" in page and "cannot draw" not in page


def test_coverage_reads_fontconfig_ranges():
    coverage = fonts.Coverage.from_charsets("41-5a 20 30-39\n61-7a 5b-60 garbage 4e00-9fff")
    assert [coverage.has(c) for c in " A[z0北"] == [True] * 6
    assert not coverage.has("~") and not coverage.has("ก") and not coverage.has("\x1f")
    assert coverage.starts == (0x20, 0x30, 0x41, 0x4E00)  # 41-5a, 5b-60 and 61-7a merged
