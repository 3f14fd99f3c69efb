"""The word diff stays bounded: texts that share few words (the attack made the compare page
take 8.9 s for 2.9 kB, cubic in the text) diff in a blink, the result still marks words, and
the same pair of versions is never diffed twice in a process."""

from __future__ import annotations

import random
import string
import time

import sqlalchemy as sa

from app.extensions import db
from app.letters import diff, operations
from app.letters.diff import render_segments, word_diff
from app.letters.text import LetterText
from app.models import OutboxMessage
from tests.conftest import login, post_form
from tests.letters_support import READY, actor_for, make_letter
from tests.support.signing_factories import make_open_letter, make_signature


def invented(words: int, seed: int) -> str:
    rng = random.Random(seed)
    paragraphs = []
    while words > 0:
        n = min(words, rng.randint(30, 120))
        words -= n
        paragraphs.append(
            " ".join(
                "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9)))
                + str(seed)
                for _ in range(n)
            )
            + "."
        )
    return "\n\n".join(paragraphs)


def timed(old: str, new: str) -> tuple[float, list]:
    started = time.process_time()
    segments = word_diff(old, new)
    return time.process_time() - started, segments


def test_two_disjoint_100_kb_bodies_diff_in_well_under_a_few_seconds():
    old, new = invented(15_000, 1)[:100_000], invented(15_000, 2)[:100_000]
    assert len(old) == len(new) == 100_000
    seconds, segments = timed(old, new)
    assert seconds < 3  # a guard against cubic work (it was hours), not a timing target
    assert "".join(s.text for s in segments if s.op != "insert") == old
    assert "".join(s.text for s in segments if s.op != "delete") == new


def test_repetitive_texts_that_defeat_matching_stay_bounded():
    # One word shared everywhere, the rest unique: each shared word is a match candidate
    # for every other one (the pairs, not the length, are what made the diff explode).
    cases = [
        (" ".join(f"x{i} the" for i in range(5000)), " ".join(f"y{i} the" for i in range(5000))),
        ("the " * 25_000, "and the " * 12_500),
        ("\n".join(f"x{i} the" for i in range(3000)), "\n".join(f"the y{i}" for i in range(3000))),
        ("the cat sat on the mat. " * 4000, "the dog sat on a mat. " * 4000),
        # A shared word every 113 words: few pairs, but difflib splits at each of them.
        (
            " ".join("c" if i % 113 == 0 else f"x{i}" for i in range(16_000)),
            " ".join("c" if i % 113 == 0 else f"y{i}" for i in range(16_000)),
        ),
    ]
    for old, new in cases:
        seconds, segments = timed(old, new)
        assert seconds < 3
        assert "".join(s.text for s in segments if s.op != "delete") == new


def test_a_small_change_in_a_long_text_is_still_marked_word_by_word():
    old = invented(15_000, 3)
    paragraphs = old.split("\n\n")
    paragraphs[40] = paragraphs[40].replace(" ", " urgently ", 1)
    new = "\n\n".join(paragraphs)
    seconds, segments = timed(old, new)
    assert seconds < 3
    assert [s.text for s in segments if s.op != "equal"] == ["urgently"]


def test_whitespace_is_not_diffed_as_words():
    html = str(render_segments(word_diff("We  urge\nswift action.", "We urge swift, firm action.")))
    assert html == "We urge swift<ins>, firm</ins> action."


def test_the_compare_page_diffs_a_pair_of_versions_once(make, client, monkeypatch):
    lead = make.user("lead@example.org")
    letter = make_letter(lead)
    operations.save_text(
        letter, base_number=2, actor=actor_for(lead), note="Longer",
        text=LetterText(READY.recipients, READY.salutation, invented(3000, 7), READY.closing),
    )  # fmt: skip
    db.session.commit()
    calls = []
    real = diff.diff_texts
    monkeypatch.setattr(diff, "diff_texts", lambda old, new: calls.append(1) or real(old, new))
    login(client, "lead@example.org")
    for _ in range(3):
        page = client.get(f"/letters/{letter.slug}/versions/compare?from=2&to=3")
        assert page.status_code == 200 and "<del>" in page.get_data(as_text=True)
    assert len(calls) == 1


def test_the_anonymous_verify_page_of_a_hostile_change_answers_quickly(client, make):
    """The attack through /s/verify/<token>: a material change to a text sharing no words."""
    lead = make.user("lead@open-budgets.example.org")
    letter = make_open_letter(lead)
    signature = make_signature(letter, status="unverified")
    post_form(client, f"/l/{letter.slug}/sign/resend", {"email": signature.email})
    (message,) = db.session.scalars(sa.select(OutboxMessage)).all()
    verify = next(w for w in message.text_body.split() if "/s/verify/" in w)
    latest = operations.latest_version(letter)
    operations.save_text(
        letter, base_number=latest.number, actor=actor_for(lead), material=True, note="All new",
        text=LetterText(READY.recipients, READY.salutation, invented(12_000, 9), READY.closing),
    )  # fmt: skip
    db.session.commit()
    started = time.process_time()
    page = client.get(verify.removeprefix("http://testserver.localhost"))
    assert time.process_time() - started < 3
    assert "The text has changed since you signed" in page.get_data(as_text=True)
