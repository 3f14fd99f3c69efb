"""Reading invitees from pasted lines and CSV files, with problems tied to their lines."""

from __future__ import annotations

from app.invitations.parsing import canonical_email, parse_csv, parse_pasted


def test_pasted_lines_in_the_three_forms_and_from_a_spreadsheet():
    parsed = parse_pasted(
        "Friends of the Delta <maria@delta.example.org>\n"
        "\n"
        "  info@riverwatch.example.net  \n"
        "Lakeside Tenants Union, Joon Park, joon@lakeside.example.org\n"
        '"Bread, Roses & Co", Ana Ruiz, ana@bread.example.org\n'
        "Harbor Defenders\tLi Wei\tli@harbor.example.org\n"
    )
    got = [(r.line, r.organization, r.contact, r.email, r.problem) for r in parsed.rows]
    assert got == [
        (1, "Friends of the Delta", "", "maria@delta.example.org", None),
        (3, "", "", "info@riverwatch.example.net", None),
        (4, "Lakeside Tenants Union", "Joon Park", "joon@lakeside.example.org", None),
        (5, "Bread, Roses & Co", "Ana Ruiz", "ana@bread.example.org", None),
        (6, "Harbor Defenders", "Li Wei", "li@harbor.example.org", None),
    ]


def test_bad_addresses_and_duplicates_are_reported_by_line():
    parsed = parse_pasted(
        "Good Org <good@example.org>\n"
        "Broken Org <not-an-address>\n"
        "Spaces Org, someone, some one@example.org\n"
        "Again <GOOD+news@Example.org>\n"
        "=HYPERLINK(1), x, formula@example.org\n"
        "No Address Org, Someone,\n"
    )
    problems = {r.line: r.problem for r in parsed.rows}
    assert problems[1] is None
    assert problems[2].startswith("Bad address “not-an-address”")
    assert problems[3].startswith("Bad address")
    assert problems[4] == "Duplicate: the same address as line 1."
    assert "formula" in problems[5]
    assert problems[6] == "No email address." or problems[6].startswith("Bad address")


def test_canonical_email_catches_plus_tags_and_gmail_dots():
    assert canonical_email(" Maria.Ostrova+letters@GMail.com ") == "mariaostrova@gmail.com"
    assert canonical_email("maria.ostrova@googlemail.com") == "mariaostrova@gmail.com"
    assert canonical_email("Joon.Park+x@lakeside.example.org") == "joon.park@lakeside.example.org"


def test_csv_with_bom_semicolons_quoted_commas_and_columns_in_another_order():
    data = (
        "\ufeffE-mail;Contact name;Organisation\r\n"
        'ana@bread.example.org;Ana Ruiz;"Bread; Roses, and Co"\r\n'
        "li@harbor.example.org;Li Wei;Harbor Defenders\r\n"
    ).encode()
    parsed = parse_csv(data)
    assert parsed.error is None
    got = [(r.line, r.organization, r.contact, r.email) for r in parsed.rows]
    assert got == [
        (2, "Bread; Roses, and Co", "Ana Ruiz", "ana@bread.example.org"),
        (3, "Harbor Defenders", "Li Wei", "li@harbor.example.org"),
    ]


def test_csv_with_commas_quoted_newlines_and_first_and_last_names():
    data = (
        b"Organization,First name,Last name,Email\n"
        b'"Delta, Inc.",Maria,Ostrova,maria@delta.example.org\n'
        b'"Two\nLines Org",Joon,Park,joon@lakeside.example.org\n'
        b"Broken,Ana,Ruiz,ana@\n"
        b"Copy,Maria,O,MARIA@delta.example.org\n"
    )
    parsed = parse_csv(data)
    assert [(r.line, r.organization, r.contact) for r in parsed.rows][:2] == [
        (2, "Delta, Inc.", "Maria Ostrova"),
        (3, "Two Lines Org", "Joon Park"),
    ]
    problems = {r.line: r.problem for r in parsed.rows}
    # The quoted cell spans lines 3 and 4, so the broken row is on line 5.
    assert problems[5].startswith("Bad address “ana@”")
    assert problems[6] == "Duplicate: the same address as line 2."


def test_csv_without_an_email_column_is_a_clear_error():
    parsed = parse_csv(b"Organization,Contact\nDelta,Maria\n")
    assert parsed.rows == []
    assert parsed.error.startswith("The file has no email column.")
    assert "“Organization”, “Contact”" in parsed.error


def test_csv_that_is_not_utf8_or_is_empty():
    assert "UTF-8" in parse_csv("Email\nzoë@example.org\n".encode("latin-1")).error
    assert "empty" in parse_csv(b"").error
