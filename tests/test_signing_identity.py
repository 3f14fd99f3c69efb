"""Who is signing: canonical emails, names as written, look-alike organizations, and the
input a sign-on may contain."""

from __future__ import annotations

import pytest

from app.errors import Refused
from app.models import SignatureStatus
from app.signing import identity, operations, rules
from tests.support.signing_factories import SIGNER, details, make_open_letter, make_signature

REAL_NAMES = (
    "StoptheDrugWar.org",
    "PA “Bir Duino-Kyrgyzstan”",
    "FSI – Freedom Seekers International",
    "Égalité",
    "The Tahrir Institute for Middle East Policy",
)


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("Ana@Tidewater.Example.org", "ana@tidewater.example.org"),
        ("ana+letters@tidewater.example.org", "ana@tidewater.example.org"),
        ("a.n.a@tidewater.example.org", "a.n.a@tidewater.example.org"),  # dots matter here
        ("Hana.Kowal+sign@gmail.com", "hanakowal@gmail.com"),
        ("hana.kowal@googlemail.com", "hanakowal@gmail.com"),
        ("  ana@example.org ", "ana@example.org"),
    ],
)
def test_canonical_email(typed, canonical):
    assert identity.canonical_email(typed) == canonical


def test_signals_webmail_and_domain():
    assert identity.is_webmail("someone@gmail.com") and identity.is_webmail("x@proton.me")
    assert not identity.is_webmail("ana@tidewater.example.org")
    assert identity.email_matches_website(
        "ana@tidewater.example.org", "https://www.tidewater.example.org/about"
    )
    assert identity.email_matches_website("ana@mail.tidewater.example.org", "tidewater.example.org")
    assert not identity.email_matches_website("ana@tidewater.example.org", "other.example.org")
    assert not identity.email_matches_website("ana@gmail.com", "gmail.com")
    assert not identity.email_matches_website("ana@tidewater.example.org", "")


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (("Égalité – Droits", ""), ("egalite droits", ""), True),
        (("Centre for Civic Freedom", "CCF"), ("Center for Civic Freedom", ""), True),
        (("Coastal Defenders", "CDC"), ("Coast Watch Union", "CDC"), True),
        (("FSI", ""), ("Freedom Seekers International", "FSI"), True),
        (("Freedom House", ""), ("Friends of Angola", ""), False),
        (("Human Rights First", ""), ("Human Rights Watch", ""), False),
    ],
)
def test_same_organization(a, b, same):
    assert identity.same_organization(*a, *b) is same


@pytest.mark.parametrize("name", REAL_NAMES)
def test_real_names_are_accepted_exactly(make, name):
    letter = make_open_letter(make.user())
    result = operations.sign(letter, details(organization_name=name, acronym=""), actor=SIGNER)
    assert result.signature.organization_name == name
    assert result.signature.display_name == name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ('=HYPERLINK("http://x")', "cannot start with"),
        ("+Tidewater", "cannot start with"),
        ("-Tidewater", "cannot start with"),
        ("@Tidewater", "cannot start with"),
        ("Tidewater https://evil.example", "without a web address"),
        ("Visit www.evil.example", "without a web address"),
        ("Tide\u202ewater", "invisible"),
        ("Tide\x00water", "invisible"),
    ],
)
def test_bad_names_are_refused_with_a_message(make, name, message):
    assert message in rules.name_problem(name)
    letter = make_open_letter(make.user())
    with pytest.raises(Refused, match=message):
        operations.sign(letter, details(organization_name=name), actor=SIGNER)


@pytest.mark.parametrize(
    ("website", "ok"),
    [
        ("tidewater.example.org", True),
        ("https://www.tidewater.example.org/en", True),
        ("javascript:alert(1)", False),
        ("not a site", False),
        ("ftp://files.example.org", False),
        ("https://", False),
        ("http://[", False),  # urlsplit raises on it: a message, not a 500
        ("tidewater.example.org]", False),
    ],
)
def test_websites(website, ok):
    assert (rules.website_problem(website) is None) is ok


def test_limits_attestation_and_email_are_checked_by_the_operation(make):
    letter = make_open_letter(make.user())
    with pytest.raises(Refused, match="at most 300"):
        operations.sign(letter, details(organization_name="x" * 301), actor=SIGNER)
    with pytest.raises(Refused, match="may sign"):
        operations.sign(letter, details(attested_authorized=False), actor=SIGNER)
    with pytest.raises(Refused, match="valid email"):
        operations.sign(letter, details(email="not-an-address"), actor=SIGNER)


def test_a_look_alike_is_held_even_with_moderation_off(make):
    letter = make_open_letter(make.user())
    first = make_signature(letter, organization_name="Centre for Civic Freedom", acronym="CCF")
    second = make_signature(
        letter, organization_name="Center for Civic Freedom", status=SignatureStatus.verified
    )
    assert second.possible_duplicate_of_id == first.id
    other = make_signature(letter, organization_name="Harbour Workers Union")
    assert other.possible_duplicate_of_id is None
