"""Many sign-ons at once on PostgreSQL: the same address fifty times makes one signature, and
two hundred different sign-ons from twenty threads are all kept."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from app.actor import Actor
from app.extensions import db
from app.models import Letter, OutboxMessage, Signature
from app.signing import operations
from tests.support.signing_factories import details, make_open_letter

pytestmark = pytest.mark.postgres


def run_threads(app, count: int, work) -> list[BaseException]:  # noqa: ANN001
    """Run `work(n, letter)` in `count` threads, each in its own app context and session.

    The threads wait at a barrier before touching the database, so they really start
    together (the pool hands out its connections as they are returned).
    """
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def body(n: int) -> None:
        try:
            start.wait(timeout=30)
            with app.app_context():
                try:
                    work(n)
                finally:
                    db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(n,), daemon=True) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return errors


def _letter(letter_id: int) -> Letter:
    return db.session.get(Letter, letter_id)


def test_fifty_identical_submissions_make_one_signature(app, make):
    letter_id = make_open_letter(make.user()).id
    db.session.remove()

    def submit(n: int) -> None:
        actor = Actor(ip=f"198.51.100.{n}", user_agent="thread")
        operations.sign(_letter(letter_id), details(email="Same.Person@riverbank.example.org"),
                        actor=actor)  # fmt: skip
        db.session.commit()

    assert run_threads(app, 50, submit) == []
    rows = db.session.scalars(sa.select(Signature).where(Signature.letter_id == letter_id)).all()
    assert len(rows) == 1
    # Everyone saw the same page; the mailbox got the confirmation link each time.
    mails = db.session.scalars(sa.select(OutboxMessage.to_addr)).all()
    assert len(mails) == 50 and set(mails) == {"Same.Person@riverbank.example.org"}


def test_two_hundred_sign_ons_from_twenty_threads_are_all_kept(app, make):
    letter_id = make_open_letter(make.user()).id
    db.session.remove()

    def submit(n: int) -> None:
        for i in range(10):
            email = f"signer{n}-{i}@org{n}-{i}.example.org"
            operations.sign(
                _letter(letter_id),
                details(email=email, organization_name=f"Organization {n}-{i}"),
                actor=Actor(ip="198.51.100.1", user_agent="thread"),
            )
            db.session.commit()

    assert run_threads(app, 20, submit) == []
    count = db.session.scalar(sa.select(sa.func.count()).where(Signature.letter_id == letter_id))
    assert count == 200
