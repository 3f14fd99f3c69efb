"""Who is signing: canonical emails, names as written, look-alike organizations, and the
input a sign-on may contain."""

from __future__ import annotations

import pytest

from app.errors import Refused
from app.models import SignatureStatus
from app.signing import identity, operations, rules
from app.signing.identity import Kinship
from app.signing.listing import is_held_duplicate
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


SAME, DIFFERENT, UNRELATED = Kinship.same, Kinship.different, Kinship.unrelated

# (name, acronym), (other name, other acronym), verdict: the one principle, pair by pair.
PAIRS = [
    # The same organization, once case, accents, punctuation and spacing are folded.
    (("Égalité – Droits", ""), ("egalite droits", ""), SAME),
    (("FRIENDS  OF THE EARTH", ""), ("friends of the earth", ""), SAME),
    (("Human-Rights Watch", ""), ("Human Rights Watch", ""), SAME),
    (("Centro de Estudios Legales y Sociales", ""), ("Centro de Estudios Légales y Sociales", ""), SAME),
    (("St. Mary's Aid", ""), ("St Marys Aid", ""), SAME),
    (("Women’s Rights Action", ""), ("Womens Rights Action", ""), SAME),
    # A leading "The"; "&" and "and".
    (("The Tahrir Institute for Middle East Policy", ""), ("Tahrir Institute for Middle East Policy", ""), SAME),
    (("Peace & Justice Network", ""), ("Peace and Justice Network", ""), SAME),
    (("The Peace & Justice Network", ""), ("Peace and Justice Network", ""), SAME),
    # British and American spellings.
    (("Middle East Democracy Centre", ""), ("Middle East Democracy Center", ""), SAME),
    (("Organisation for Free Media", ""), ("Organization for Free Media", ""), SAME),
    (("Ministry of Defence Watch", ""), ("Ministry of Defense Watch", ""), SAME),
    (("Women's Rights Programme", ""), ("Women's Rights Program", ""), SAME),
    (("Labour Rights Forum", ""), ("Labor Rights Forum", ""), SAME),
    (("Harbour Workers Union", ""), ("Harbor Workers Union", ""), SAME),
    (("Neighbourhood Watch Alliance", ""), ("Neighborhood Watch Alliance", ""), SAME),
    (("Colour of Change", ""), ("Color of Change", ""), SAME),
    (("Centre for Civic Freedom", "CCF"), ("Center for Civic Freedom", ""), SAME),
    # A plural or singular last word.
    (("Coastal Defenders", ""), ("Coastal Defender", ""), SAME),
    (("Lawyers for Human Right", ""), ("Lawyers for Human Rights", ""), SAME),
    (("Friends of the Libraries", ""), ("Friends of the Library", ""), SAME),
    # An acronym, in parentheses or in the acronym field, against the other's name or acronym.
    (("Middle East Democracy Centre (MEDC)", ""), ("Middle East Democracy Center", ""), SAME),
    (("Middle East Democracy Center", "MEDC"), ("Middle East Democracy Centre (MEDC)", ""), SAME),
    (("MEDC", ""), ("Middle East Democracy Center", ""), SAME),
    (("FSI", ""), ("Freedom Seekers International", "FSI"), SAME),
    (("Freedom Seekers International (FSI)", ""), ("FSI", ""), SAME),
    (("Coastal Defenders", "CDC"), ("Coast Watch Union", "CDC"), SAME),
    (("Centre for Civic Freedom (CCF)", ""), ("Ctr. Civic Freedom", "CCF"), SAME),
    # Near-miss spellings of the same name.
    (("Middle East Democracy Centr", ""), ("Middle East Democracy Center", ""), SAME),
    (("Amnesty Internatonal", ""), ("Amnesty International", ""), SAME),
    (("Friends of Earth Norland", ""), ("Friends of the Earth Norland", ""), SAME),
    # Another organization: the name adds a qualifier (a place, a region, a section).
    (("Amnesty International", ""), ("Amnesty International USA", ""), DIFFERENT),
    (("Amnesty International UK", ""), ("Amnesty International USA", ""), DIFFERENT),
    (("Amnesty International (AI)", ""), ("Amnesty International USA (AI)", ""), DIFFERENT),
    (("Human Rights Watch", ""), ("Human Rights Watch Kenya", ""), DIFFERENT),
    (("Greenpeace", ""), ("Greenpeace EU", ""), DIFFERENT),
    (("Greenpeace", ""), ("Greenpeace Latin America", ""), DIFFERENT),
    (("Sunrise Movement", ""), ("Sunrise Movement Youth", ""), DIFFERENT),
    (("Sierra Club", ""), ("Sierra Club Chapter", ""), DIFFERENT),
    (("Oxfam", ""), ("Oxfam Kenya Chapter", ""), DIFFERENT),
    (("Friends of the Earth", ""), ("Friends of the Earth Europe", ""), DIFFERENT),
    (("Save the Children", ""), ("Save the Children Nairobi", ""), DIFFERENT),
    # A qualifier is never a near miss, even misspelled around it.
    (("Amnesty Internacional", ""), ("Amnesty International USA", ""), DIFFERENT),
    (("Oxfam Kenya", ""), ("Oxfam Uganda", ""), DIFFERENT),
    (("Oxfam Kenya", ""), ("Oxfam Kenia", ""), SAME),  # a near miss of the same qualifier
    # Unrelated.
    (("Freedom House", ""), ("Friends of Angola", ""), UNRELATED),
    (("Human Rights First", ""), ("Human Rights Watch", ""), UNRELATED),
    (("Oxfam", ""), ("Oxfan", ""), UNRELATED),  # too short to call a near miss
    (("Centre for Civic Freedom", ""), ("Centre for Press Freedom", ""), UNRELATED),
    (("ACLU", ""), ("ACLJ", ""), UNRELATED),
]  # fmt: skip


def test_the_table_has_enough_pairs():
    assert len(PAIRS) >= 40
    assert {k for *_, k in PAIRS} == {SAME, DIFFERENT, UNRELATED}


@pytest.mark.parametrize(("a", "b", "kinship"), PAIRS)
def test_compare_organizations(a, b, kinship):
    verdict = identity.compare_organizations(*a, *b)
    assert verdict.kinship is kinship, verdict.reason
    # The principle is symmetric: the order in which two sign-ons arrive does not matter.
    assert identity.compare_organizations(*b, *a).kinship is kinship
    if kinship is not UNRELATED:
        assert verdict.reason


def test_the_reason_names_what_made_the_difference():
    assert (
        "USA"
        in identity.compare_organizations(
            "Amnesty International", "", "Amnesty International USA"
        ).reason.upper()
    )
    assert "acronym" in identity.compare_organizations("A", "CDC", "B", "CDC").reason


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


def test_a_look_alike_is_listed_and_flagged_with_moderation_off(make):
    letter = make_open_letter(make.user())
    first = make_signature(letter, organization_name="Centre for Civic Freedom", acronym="CCF")
    second = make_signature(letter, organization_name="Center for Civic Freedom")
    assert second.status is SignatureStatus.approved
    assert second.possible_duplicate_of_id == first.id and is_held_duplicate(second)
    other = make_signature(letter, organization_name="Harbour Workers Union")
    assert other.possible_duplicate_of_id is None and not is_held_duplicate(other)
    usa = make_signature(letter, organization_name="Centre for Civic Freedom USA")
    assert usa.similar_to_id == first.id and not is_held_duplicate(usa)
    assert "USA" in usa.match_reason.upper()
