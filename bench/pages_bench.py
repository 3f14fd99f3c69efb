"""Time per request and SQL queries for the public page, the lead's overview and signatures page, with
100 and with 5,000 signatories. The query count must not grow with the list."""

from __future__ import annotations

import re
import time

import sqlalchemy as sa
from common import database_url, figure, fresh_app
from signon_bench import open_letter

REPEAT = 5


def add_signatures(app, slug: str, count: int) -> None:
    """Approved sign-ons written in bulk, as if many organizations had signed."""
    from app.extensions import db
    from app.models import Letter, LetterVersion, Signature, utcnow

    with app.app_context():
        letter = db.session.scalar(sa.select(Letter).where(Letter.slug == slug))
        version = db.session.scalar(
            sa.select(LetterVersion)
            .where(LetterVersion.letter_id == letter.id)
            .order_by(LetterVersion.number.desc())
        )
        now = utcnow()
        existing = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Signature)
            .where(Signature.letter_id == letter.id)
        )
        rows = [
            {
                "letter_id": letter.id,
                "kind": "organization",
                "status": "approved",
                "organization_name": f"Partner Organization {n:05d}",
                "acronym": f"PO{n}",
                "website": "",
                "country": "Estavia",
                "signer_name": f"Signer {n}",
                "signer_title": "Director",
                "affiliation": "",
                "listed_publicly": n % 50 != 0,
                "email": f"p{n}@bench.example.org",
                "canonical_email": f"p{n}@bench.example.org",
                "note_to_lead": "",
                "attested_authorized": True,
                "via": "open_link",
                "version_id": version.id,
                "version_number": version.number,
                "created_at": now,
                "verified_at": now,
                "approved_at": now,
                "manage_token_hash": f"{letter.id:08d}{n:056d}",
            }  # fmt: skip
            for n in range(existing, count)
        ]
        if rows:
            db.session.execute(sa.insert(Signature.__table__), rows)
        letter.published = True
        letter.published_at = now
        db.session.commit()


def measure(app, client, path: str) -> tuple[int, float, int, float]:
    """(queries per request, seconds per request, status, seconds of the first request) for
    GET path. The first request after the list changed builds what the later ones reuse."""
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    counted = []

    def count(*_args) -> None:
        counted.append(1)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        start = time.perf_counter()
        client.get(path)  # builds what an unchanged list reuses
        first = time.perf_counter() - start
        counted.clear()
        start = time.perf_counter()
        for _ in range(REPEAT):
            status = client.get(path).status_code
        seconds = (time.perf_counter() - start) / REPEAT
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(counted) // REPEAT, seconds, status, first


def login(client) -> None:
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post(
        "/auth/login",
        data={"csrf_token": token, "email": "lead@bench.example.org", "password": "x" * 12},
    )


def main() -> None:
    url = database_url()
    app = fresh_app(url)
    slug = open_letter(app)
    public, lead = app.test_client(), app.test_client()
    login(lead)
    results = {}
    for count in (100, 5000):
        add_signatures(app, slug, count)
        for name, client, path in (
            ("public_page", public, f"/l/{slug}"),
            ("overview_page", lead, f"/letters/{slug}"),
            ("signatures_page", lead, f"/letters/{slug}/signatures"),
        ):
            queries, seconds, status, first = measure(app, client, path)
            results[(name, count)] = (queries, seconds, status)
            print(f"  {name:16} {count:5d} signatories: {seconds * 1000:8.1f} ms/request, "
                  f"{queries:3d} queries, HTTP {status}  (first after a change "
                  f"{first * 1000:.0f} ms)")  # fmt: skip
    for name in ("public_page", "overview_page", "signatures_page"):
        for count in (100, 5000):
            figure(f"{name}_queries_{count}", results[(name, count)][0])


if __name__ == "__main__":
    main()
