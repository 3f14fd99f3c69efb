"""The paste is as forgiving as the CSV upload: commas, semicolons or tabs, `Name <email>`
and `Organization <email>`; a skipped line is corrected in place on the preview, and the
rest of the list and the message stay as typed."""

from __future__ import annotations

import html

import pytest

from app.invitations.parsing import looks_like_person, parse_pasted
from tests.conftest import login, post_form
from tests.support.invitation_factories import open_letter
from tests.test_invitations_pages import hidden, invitations, preview, send_from


def read(text: str) -> list[tuple[str, str, str]]:
    parsed = parse_pasted(text)
    assert all(r.ok for r in parsed.rows), [r.problem for r in parsed.rows]
    return [(r.organization, r.contact, r.email) for r in parsed.rows]


def test_commas_semicolons_tabs_and_angle_forms():
    rows = read(
        "Friends of the Delta; Maria Ostrova; maria@delta.example.org\n"
        "Smith, Jones & Co; joon@sj.example.org\n"
        "Harbour Trust\tTom Reyes\ttom@harbour.example.org\n"
        "Ana Lindqvist <ana@tidewater.example.org>\n"
        "Friends of the Delta <info@delta.example.org>\n"
        "Tidewater Rights Project, Li Wei <li@tidewater.example.org>\n"
        '"Ostrova, Maria" <m.ostrova@delta.example.org>\n'
        "Riverkeepers, Ida Berg, ida@riverkeepers.example.org\n"
    )
    assert rows == [
        ("Friends of the Delta", "Maria Ostrova", "maria@delta.example.org"),
        ("Smith, Jones & Co", "", "joon@sj.example.org"),
        ("Harbour Trust", "Tom Reyes", "tom@harbour.example.org"),
        ("", "Ana Lindqvist", "ana@tidewater.example.org"),
        ("Friends of the Delta", "", "info@delta.example.org"),
        ("Tidewater Rights Project", "Li Wei", "li@tidewater.example.org"),
        ("", "Ostrova, Maria", "m.ostrova@delta.example.org"),
        ("Riverkeepers", "Ida Berg", "ida@riverkeepers.example.org"),
    ]


@pytest.mark.parametrize(
    ("name", "person"),
    [
        ("Maria Ostrova", True),
        ("Jean-Luc de la Tour", True),
        ("Human Rights Watch", False),
        ("Article 19", False),
        ("ACLU Texas", False),
        ("Oxfam", False),
        ("Friends of the Delta", False),
    ],
)
def test_a_name_before_an_address_is_a_person_or_an_organization(name, person):
    assert looks_like_person(name) is person


@pytest.fixture
def lead(make):
    return make.user("lena@lead.example.org", name="Lena Lead")


def test_a_skipped_line_is_corrected_in_place_and_the_message_is_kept(app_ctx, client, lead):
    letter = open_letter(lead)
    login(client, lead.email)
    text = (
        "Friends of the Delta, Maria Ostrova, maria@delta.example.org\n"
        "Harbour Trust, Tom Reyes, tom@harbour\n"
        "Riverkeepers <ida@riverkeepers.example.org>\n"
    )
    page = preview(client, letter, text).get_data(as_text=True)
    assert "<strong>2</strong> organizations will be invited" in page
    assert 'name="fix-2" value="Harbour Trust, Tom Reyes, tom@harbour"' in page
    assert 'name="fix-1"' not in page  # good lines are not offered for correction

    data = {k: hidden(page, k) for k in ("source", "kind", "fingerprint")}
    data |= {
        "message": "Please sign by Friday.",
        "fix-2": "Harbour Trust, Tom Reyes, tom@harbour.example.org",
    }  # noqa: E501
    response = post_form(
        client,
        f"/letters/{letter.slug}/invitations/preview",
        data,
        token_from=f"/letters/{letter.slug}/invitations/new",
    )
    again = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>3</strong> organizations will be invited" in again
    assert "Please sign by Friday." in html.unescape(again)
    assert "tom@harbour.example.org" in again and "Skipped" not in again

    send_from(client, letter, again, message="Please sign by Friday.")
    assert sorted(i.email for i in invitations(letter)) == [
        "ida@riverkeepers.example.org",
        "maria@delta.example.org",
        "tom@harbour.example.org",
    ]


def test_an_emptied_line_is_left_out_and_a_bad_form_is_no_error(app_ctx, client, lead):
    letter = open_letter(lead)
    login(client, lead.email)
    page = preview(client, letter, "nobody-here\n").get_data(as_text=True)
    assert 'name="fix-1" value="nobody-here"' in page
    data = {k: hidden(page, k) for k in ("source", "kind", "fingerprint")} | {"fix-1": ""}
    path = f"/letters/{letter.slug}/invitations/preview"
    token = f"/letters/{letter.slug}/invitations/new"
    again = post_form(client, path, data, token_from=token)
    assert again.status_code in (200, 422)
    assert "nobody-here" not in again.get_data(as_text=True)
    broken = post_form(client, path, {"kind": "csv"}, token_from=token)
    assert broken.status_code == 302
