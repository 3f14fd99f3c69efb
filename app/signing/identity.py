"""Who is signing: canonical email addresses, organization names, and the signals a lead uses
to judge a sign-on (webmail, email domain matching the website, possible duplicates).

Pure functions except `find_duplicate`, which reads the letter's other sign-ons.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

import sqlalchemy as sa
from rapidfuzz import fuzz

from app.extensions import db
from app.models import Signature, SignatureStatus, SignerKind
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


def same_organization(name: str, acronym: str, other_name: str, other_acronym: str) -> bool:
    """Whether two sign-ons look like the same organization (for the lead to decide)."""
    a, b = normalize_org_name(name), normalize_org_name(other_name)
    if a and a == b:
        return True
    acr, other_acr = normalize_org_name(acronym), normalize_org_name(other_acronym)
    if acr and acr in (other_acr, b) or other_acr and other_acr == a:
        return True
    return bool(a and b) and fuzz.ratio(a, b) >= FUZZY_THRESHOLD


def find_duplicate(signature: Signature) -> Signature | None:
    """An earlier confirmed sign-on of the letter that looks like the same organization.

    Only confirmed sign-ons count (verified or approved): an unconfirmed one may never be
    confirmed, and the later of two sign-ons is the one held back.
    """
    if signature.kind is not SignerKind.organization:
        return None
    others = db.session.scalars(
        sa.select(Signature)
        .where(
            Signature.letter_id == signature.letter_id,
            Signature.id != signature.id,
            Signature.kind == SignerKind.organization,
            Signature.status.in_([SignatureStatus.verified, SignatureStatus.approved]),
        )
        .order_by(Signature.created_at, Signature.id)
    )
    for other in others:
        if same_organization(
            signature.organization_name, signature.acronym, other.organization_name, other.acronym
        ):
            return other
    return None
