"""The compare page for two versions that share no words, 100 kB each: the word diff must
stay bounded (it was cubic: 2.9 kB took 8.9 s). Prints the first request (the diff is
computed) and a repeat (the same pair comes from the per-process cache)."""

from __future__ import annotations

import random
import string
import tempfile
import time

from common import figure, fresh_app

SIZE = 100_000
CEILING = 0.5


def body(seed: int) -> str:
    """About SIZE characters of paragraphs of invented words; another seed shares none."""
    rng = random.Random(seed)
    paragraphs, length = [], 0
    while length < SIZE:
        words = [
            f"{''.join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9)))}{seed}"
            for _ in range(rng.randint(30, 120))
        ]
        paragraphs.append(" ".join(words) + ".")
        length += len(paragraphs[-1]) + 2
    return "\n\n".join(paragraphs)[:SIZE]


def letter_with_two_versions(app) -> str:
    from werkzeug.security import generate_password_hash

    from app.actor import Actor
    from app.extensions import db
    from app.letters import operations
    from app.letters.text import Address, LetterText
    from app.models import Membership, Organization, Role, User, utcnow

    with app.app_context():
        org = Organization(name="Bench Lead Organization")
        user = User(email="lead@bench.example.org", name="Bench Lead",
                    password_hash=generate_password_hash("x" * 12), email_verified_at=utcnow())  # fmt: skip
        db.session.add_all([org, user, Membership(user=user, organization=org, role=Role.admin)])
        db.session.flush()
        actor = Actor(user_id=user.id)
        letter = operations.create_letter(organization=org, title="Bench letter", actor=actor)
        recipients = (Address(honorific="The Honorable", name="A. Minister", title="Minister"),)
        for number, seed in ((1, 1), (2, 2)):
            text = LetterText(recipients, "Dear Minister:", body(seed), "Sincerely,")
            operations.save_text(letter, base_number=number, text=text, actor=actor)
        db.session.commit()
        return letter.slug


def main() -> None:
    url = f"sqlite:///{tempfile.mkdtemp(prefix='bench-diff-')}/bench.db"
    app = fresh_app(url, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    slug = letter_with_two_versions(app)
    client = app.test_client()
    client.post("/auth/login", data={"email": "lead@bench.example.org", "password": "x" * 12})
    path = f"/letters/{slug}/versions/compare?from=2&to=3"
    timings = []
    for _ in range(2):
        started = time.perf_counter()
        response = client.get(path)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        page = response.get_data(as_text=True)
        assert "<del>" in page and len(page) > 2 * SIZE, len(page)  # both bodies shown
    first, repeat = timings
    verdict = "under" if first < CEILING else "OVER"
    figure(
        "compare_100kb_disjoint_s", first,
        f"{verdict} the {CEILING} s ceiling; {repeat:.3f} s for the same pair again (cached)",
    )  # fmt: skip


if __name__ == "__main__":
    main()
