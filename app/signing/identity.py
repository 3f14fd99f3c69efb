"""Who is signing: canonical email addresses, organization names, and the signals a lead uses
to judge a sign-on (webmail, email domain matching the website, possible duplicates).

Pure functions; `app.signing.matching` applies `compare_organizations` to a letter's sign-ons.
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from babel import Locale
from rapidfuzz import fuzz

from app.text import normalize_email

# Providers that deliver "a.b.c@gmail.com" to "abc@gmail.com": there dots never tell two
# people apart. Elsewhere a dot can be part of a different mailbox, so it is kept.
DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}

# Free mailboxes anyone can open: a sign-on from one says nothing about the organization.
WEBMAIL_DOMAINS = frozenset(
    """
    gmail.com googlemail.com yahoo.com yahoo.co.uk yahoo.fr yahoo.es yahoo.co.in ymail.com
    hotmail.com hotmail.co.uk hotmail.fr hotmail.es outlook.com outlook.fr live.com live.fr
    msn.com aol.com icloud.com me.com mac.com proton.me protonmail.com protonmail.ch pm.me
    tutanota.com tuta.io gmx.com gmx.de gmx.net web.de mail.com mail.ru yandex.ru yandex.com
    zoho.com fastmail.com hey.com riseup.net qq.com 163.com 126.com naver.com rediffmail.com
    """.split()
)

# A fuzzy ratio at or above this (0-100) on normalized names flags a possible duplicate:
# it catches "Friends of the Earth Norland" against "Friends of Earth Norland".
FUZZY_THRESHOLD = 90
# Two words this close (0-100) are one word spelled two ways ("Internatonal").
WORD_NEAR_MISS = 80

_NOT_WORD = re.compile(r"[\W_]+")


def canonical_email(email: str) -> str:
    """The address as the mailbox sees it: lower case, "+tag" dropped, gmail dots ignored."""
    address = normalize_email(email)
    local, sep, domain = address.rpartition("@")
    if not sep:
        return address
    local = local.split("+", 1)[0] or local
    if domain in DOTLESS_DOMAINS:
        local, domain = local.replace(".", ""), DOTLESS_DOMAINS[domain]
    return f"{local}@{domain}"


def email_domain(email: str | None) -> str:
    return (email or "").rpartition("@")[2].strip().lower()


def is_webmail(email: str | None) -> bool:
    return email_domain(email) in WEBMAIL_DOMAINS


def website_host(website: str | None) -> str:
    """The host of a website as typed ("www.example.org/about" → "example.org")."""
    value = (website or "").strip().lower()
    if not value:
        return ""
    if "://" not in value:
        value = "http://" + value
    host = urlsplit(value).hostname or ""
    return host.removeprefix("www.")


def email_matches_website(email: str | None, website: str | None) -> bool:
    """True when the address is at the organization's own domain (or a subdomain of it)."""
    domain, host = email_domain(email), website_host(website)
    if not domain or not host or domain in WEBMAIL_DOMAINS:
        return False
    return domain == host or domain.endswith("." + host) or host.endswith("." + domain)


def normalize_org_name(name: str | None) -> str:
    """A name reduced for comparison: case, accents, punctuation and spacing ignored.

    "Égalité – Droits" and "egalite droits" compare equal. Used only to compare; the
    name is always listed exactly as the signer wrote it.
    """
    decomposed = unicodedata.normalize("NFKD", (name or "").casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_WORD.sub(" ", stripped).split())


# British spellings folded to American ones, so "Centre" and "Center" compare equal.
SPELLINGS = {
    "centre": "center", "centres": "centers", "organisation": "organization",
    "organisations": "organizations", "defence": "defense", "programme": "program",
    "programmes": "programs", "labour": "labor", "colour": "color", "honour": "honor",
    "harbour": "harbor", "neighbour": "neighbor", "neighbourhood": "neighborhood",
    "behaviour": "behavior", "favour": "favor", "endeavour": "endeavor", "licence": "license",
    "offence": "offense", "theatre": "theater", "metre": "meter", "catalogue": "catalog",
    "dialogue": "dialog", "travellers": "travelers", "counselling": "counseling",
    "jewellery": "jewelry", "mobilisation": "mobilization", "civilisation": "civilization",
    "organising": "organizing", "aluminium": "aluminum", "paediatric": "pediatric",
    "humour": "humor", "rumour": "rumor", "splendour": "splendor", "vigour": "vigor",
}  # fmt: skip

# Words that make another organization of the same name: a branch, a section, a country.
QUALIFIER_WORDS = frozenset(
    """
    chapter section branch youth students student women womens eu usa us uk un
    regional local global north south east west central
    northern southern eastern western mena asean
    """.split()
)
# Small words that a name may carry or drop ("Friends of the Earth", "Friends of Earth").
_SMALL_WORDS = frozenset({"of", "the", "for", "and", "in", "on", "at", "a"})
_PAREN_ACRONYM = re.compile(r"\(\s*([^()]{1,40}?)\s*\)\s*$")


@functools.cache
def _places() -> tuple[frozenset[str], frozenset[tuple[str, ...]]]:
    """Country and region names (from the CLDR, in English) as qualifier words and phrases."""
    names = [_fold(name) for name in Locale("en").territories.values()]
    words = frozenset(n for n in names if " " not in n)
    phrases = frozenset(tuple(n.split()) for n in names if " " in n)
    return words | QUALIFIER_WORDS, phrases


def _fold(text: str) -> str:
    # An apostrophe joins ("Women's" is one word, "womens"); "&" is "and".
    text = text.casefold().replace("'", "").replace("’", "").replace("&", " and ")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_WORD.sub(" ", stripped).split())


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass(frozen=True)
class _Name:
    words: tuple[str, ...]  # folded, spellings unified, leading "the" dropped, last singular
    acronym: str  # from the acronym field or "(ACR)" at the end of the name, folded

    @property
    def key(self) -> str:
        return " ".join(self.words)

    @property
    def initials(self) -> str:
        return "".join(w[0] for w in self.words if w not in _SMALL_WORDS)


@functools.lru_cache(maxsize=8192)
def _parse(name: str, acronym: str) -> _Name:
    name = name or ""
    if (found := _PAREN_ACRONYM.search(name)) and not acronym:
        acronym, name = found.group(1), name[: found.start()]
    elif found and _fold(found.group(1)) == _fold(acronym):
        name = name[: found.start()]
    words = [SPELLINGS.get(w, w) for w in _fold(name).split()]
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    if words:
        words[-1] = _singular(words[-1])
    return _Name(tuple(words), _fold(acronym).replace(" ", ""))


class Kinship(enum.StrEnum):
    same = "same"  # the same organization: a possible duplicate for the lead
    different = "different"  # another organization with a similar name: "similar to …"
    unrelated = "unrelated"


@dataclass(frozen=True)
class Verdict:
    kinship: Kinship
    reason: str = ""

    @property
    def same(self) -> bool:
        return self.kinship is Kinship.same

    @property
    def similar(self) -> bool:
        return self.kinship is Kinship.different


def _is_subsequence(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    rest = iter(long)
    return all(word in rest for word in short)


def _qualifiers(extra: list[str], others: list[str]) -> list[str]:
    """The qualifiers among the words only one name has. A word misspelled on one side
    ("Kenia", "Kenya") is the same word, not a qualifier: those with a near twin among
    the other name's own words are left out (looked for last: it is the slow part)."""
    words, phrases = _places()
    found = [w for w in extra if w in words]
    for n in range(2, 5):
        for i in range(len(extra) - n + 1):
            if tuple(extra[i : i + n]) in phrases:
                found.append(" ".join(extra[i : i + n]))
    return [q for q in found if not all(_has_twin(w, others) for w in q.split())]


def _has_twin(word: str, others: list[str]) -> bool:
    return any(fuzz.ratio(word, o) >= WORD_NEAR_MISS for o in others)


def _without(words: tuple[str, ...], qualifiers: list[str]) -> tuple[str, ...]:
    dropped = {w for q in qualifiers for w in q.split()}
    return tuple(w for w in words if w not in dropped)


def _alike(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether what is left of two names once their qualifiers are set aside is the same
    (or one contains the other): only then does a qualifier tell two organizations apart."""
    if not a or not b:
        return False
    short, long = sorted((a, b), key=len)
    return _is_subsequence(short, long) or fuzz.ratio(" ".join(a), " ".join(b)) >= FUZZY_THRESHOLD


def compare_organizations(
    name: str, acronym: str, other_name: str, other_acronym: str = ""
) -> Verdict:
    """Whether two organizations, as signers wrote them, are the same one, another one with a
    similar name, or unrelated. The one principle for duplicates (DESIGN.md):

    - the same: equal once case, accents, punctuation, spacing, a leading "The", "&"/"and",
      British/American spellings and a plural last word are folded; or an acronym (given, or
      "(ACR)" at the end of the name) equal to the other's acronym, name or initials; or a
      near-miss spelling of the same words;
    - different: one name adds words to the other, or the two differ by a qualifier (a
      place, a country or region, "Chapter", "Youth", "EU", "USA"). A qualifier is never a
      near miss: "Amnesty International USA" is not "Amnesty International";
    - unrelated: anything else.
    """
    a, b = _parse(name, acronym), _parse(other_name, other_acronym)
    if a.key and a.key == b.key:
        if _fold(name) == _fold(other_name):
            return Verdict(Kinship.same, "the same name")
        return Verdict(Kinship.same, "the same name, written another way (spelling, “The”, "
                       "“&”, a plural or an acronym in parentheses)")  # fmt: skip
    # Names without a word in common can neither add a qualifier nor extend each other (and
    # skipping them keeps a check against thousands of sign-ons quick).
    if set(a.words) & set(b.words) - _SMALL_WORDS:
        only_a = [w for w in a.words if w not in b.words]
        only_b = [w for w in b.words if w not in a.words]
        qualifiers = _qualifiers(only_a, only_b) + _qualifiers(only_b, only_a)
        if qualifiers and _alike(_without(a.words, qualifiers), _without(b.words, qualifiers)):
            return Verdict(Kinship.different, f"the name differs by “{', '.join(qualifiers)}”")
        short, long = sorted((a.words, b.words), key=len)
        if len(short) < len(long) and _is_subsequence(short, long):
            extra = [w for w in long if w not in short]
            if any(w not in _SMALL_WORDS for w in extra):
                return Verdict(Kinship.different, f"the name adds “{' '.join(extra)}”")
            return Verdict(Kinship.same, "the same name but for small words")
    for mine, theirs in ((a, b), (b, a)):
        if mine.acronym and mine.acronym in (theirs.acronym, theirs.key.replace(" ", "")):
            return Verdict(Kinship.same, f"the same acronym ({mine.acronym.upper()})")
    for mine, theirs in ((a, b), (b, a)):
        short = mine.acronym or (mine.words[0] if len(mine.words) == 1 else "")
        if len(short) > 2 and len(theirs.words) > 2 and short == theirs.initials:
            return Verdict(Kinship.same, f"{short.upper()} is the other's initials")
    if min(len(a.key), len(b.key)) >= 8 and fuzz.ratio(a.key, b.key) >= FUZZY_THRESHOLD:
        return Verdict(Kinship.same, "a near-miss spelling of the same name")
    return Verdict(Kinship.unrelated)


def same_organization(name: str, acronym: str, other_name: str, other_acronym: str) -> bool:
    """Whether two sign-ons look like the same organization (for the lead to decide)."""
    return compare_organizations(name, acronym, other_name, other_acronym).same
