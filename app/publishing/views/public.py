"""What the public sees: the published letter, its embeddable count, and the JSON API."""

from __future__ import annotations

from flask import Response, abort, get_template_attribute, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import Markup, escape

from app.core import public_limits
from app.core.recent import recent
from app.letters.slugs import letter_at
from app.models import Letter, LetterStatus
from app.publishing.final_letter import FinalLetter
from app.publishing.store import approved_count, load_final_letter
from app.publishing.views.common import send_export
from app.publishing.visibility import listed_in_api, sign_url
from app.urls import external_url


def _published(slug: str) -> Letter:
    letter = letter_at(slug)
    if letter is None or not letter.published:
        abort(404)
    return letter


@public_limits.page
def public_letter(slug: str) -> ResponseReturnValue:
    """`/l/<slug>`: only once published; 404 before, so a draft's title never leaks."""
    letter = _published(slug)
    fl = load_final_letter(letter)
    return render_template(
        "publishing/public.html",
        letter=letter,
        fl=fl,
        letter_html=letter_fragment(fl),
        sign_url=sign_url(letter),
        # Absolute links from BASE_URL, as shared links must be, whatever host was asked.
        page_url=external_url("publishing.public_letter", slug=letter.slug),
        count_url=external_url("publishing.count_svg", slug=letter.slug),
    )


def letter_fragment(fl: FinalLetter) -> Markup:
    """The letter's HTML for the page, rendered once per content hash (the hash covers every
    field of the FinalLetter): 5,000 names take tens of milliseconds to escape and join."""
    html = recent("letter_fragments").get(fl.content_hash)
    if html is None:
        html = Markup(get_template_attribute("publishing/_letter.html", "final_letter")(fl))  # noqa: S704 - autoescaped template output
        recent("letter_fragments").put(fl.content_hash, html)
    return html


@public_limits.pdf
def public_pdf(slug: str) -> ResponseReturnValue:
    letter = _published(slug)
    return send_export(letter, load_final_letter(letter), "pdf", public=True)


def _count(letter: Letter) -> tuple[int, FinalLetter | None]:
    """The number of approved signatures, named or not; frozen once the letter is final."""
    if letter.status is LetterStatus.final or letter.published:
        fl = load_final_letter(letter)
        return fl.count, fl
    return approved_count(letter), None


@public_limits.page
def count_svg(slug: str) -> ResponseReturnValue:
    """A small badge with the count, for partners' websites (<img> or <iframe>)."""
    letter = letter_at(slug)
    if letter is None or not listed_in_api(letter):
        abort(404)
    count, _ = _count(letter)
    label = f"{count:,} signature{'' if count == 1 else 's'}"
    width = 16 + 8 * len(label)
    svg = render_template(
        "publishing/count.svg", label=label, width=width, title=escape(letter.title)
    )
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=300"
    # Embeddable anywhere: its own policy replaces the site's frame-ancestors 'none'.
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors *"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.add_etag()
    return response.make_conditional(request)


@public_limits.page
def api_letter(slug: str) -> ResponseReturnValue:
    """`/api/v1/letters/<slug>`: title, status, deadline and count of any letter past draft;
    the list once published. `count` is every approved signature, organizations and
    individuals, including those not named publicly."""
    letter = letter_at(slug)
    if letter is None or not listed_in_api(letter):
        abort(404)
    count, fl = _count(letter)
    data: dict = {
        "title": letter.title,
        "slug": letter.slug,
        "status": letter.status.value,
        "deadline": letter.deadline_at.isoformat() if letter.deadline_at else None,
        "count": count,
        "published": letter.published,
    }
    if letter.published and fl is not None:
        data["signatories"] = [
            {"number": o.number, "name": o.name, "country": o.country} for o in fl.organizations
        ]
        data["individuals"] = [
            {"name": p.name, "affiliation": p.affiliation, "country": p.country}
            for p in fl.individuals
        ]
        data["unnamed_organizations"] = fl.unnamed_organizations
        data["unnamed_individuals"] = fl.unnamed_individuals
        if not fl.is_draft:
            data["content_hash"] = fl.content_hash
        # Delivery feature: opened, final, delivered, responses, updates (oldest first).
        from app.delivery.timeline import as_json as timeline

        data["timeline"] = timeline(letter)
    response = jsonify(data)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=60"
    return response
