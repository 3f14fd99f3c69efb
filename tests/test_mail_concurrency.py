"""Several outbox workers at once: each message is delivered exactly once, and both work."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.mail.transport import OUTBOX_ID_HEADER
from app.mail.worker import send_due
from app.models import OutboxMessage, OutboxStatus
from tests.support.factories import queue_notices

pytestmark = pytest.mark.smtp


def run_in_thread(app, target, *args) -> tuple[threading.Thread, list[BaseException]]:
    """Run `target` in its own app context, hence its own session and connection."""
    errors: list[BaseException] = []

    def body() -> None:
        try:
            with app.app_context():
                try:
                    target(*args)
                finally:
                    db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread, errors


def run_two_workers(app, smtp_server, count: int) -> None:
    with app.app_context():
        ids = queue_notices(count)
        db.session.remove()
    start = threading.Barrier(2)
    sent_by: Counter[str] = Counter()

    def drain(worker_id: str) -> None:
        start.wait(timeout=10)
        while (report := send_due(worker_id=worker_id)).claimed:
            sent_by[worker_id] += report.sent

    workers = [run_in_thread(app, drain, name) for name in ("worker-1", "worker-2")]
    for thread, _ in workers:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread, _ in workers)
    assert [e for _, errors in workers for e in errors] == []

    arrivals = Counter(int(m.message[OUTBOX_ID_HEADER]) for m in smtp_server.messages)
    assert set(arrivals) == set(ids)
    assert max(arrivals.values()) == 1
    assert sent_by["worker-1"] > 0 and sent_by["worker-2"] > 0
    assert sent_by.total() == count
    with app.app_context():
        rows = db.session.execute(
            sa.select(OutboxMessage.status, OutboxMessage.claimed_by, sa.func.count())
            .group_by(OutboxMessage.status, OutboxMessage.claimed_by)
            .order_by(OutboxMessage.claimed_by)
        ).all()
        db.session.remove()
    assert rows == [
        (OutboxStatus.sent, "worker-1", sent_by["worker-1"]),
        (OutboxStatus.sent, "worker-2", sent_by["worker-2"]),
    ]


@pytest.mark.postgres
def test_two_workers_deliver_each_message_exactly_once(app, config, smtp_server):
    config["OUTBOX_BATCH_SIZE"] = 10
    run_two_workers(app, smtp_server, 200)


def test_two_workers_share_the_queue_on_sqlite_too(app, config, smtp_server):
    """SQLite has no SKIP LOCKED: the conditional claim alone keeps the workers apart."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the PostgreSQL test above covers this")
    config["OUTBOX_BATCH_SIZE"] = 5
    run_two_workers(app, smtp_server, 60)


@pytest.mark.postgres
def test_rows_locked_by_another_worker_are_skipped_not_waited_for(app, app_ctx, smtp_server):
    ids = queue_notices(5)
    locked = ids[:2]
    with db.engine.connect() as other:
        # Another worker is in the middle of claiming the first two rows.
        other.execute(
            sa.select(OutboxMessage.id).where(OutboxMessage.id.in_(locked)).with_for_update()
        ).all()
        reports = []
        thread, errors = run_in_thread(app, lambda: reports.append(send_due(worker_id="w")))
        thread.join(timeout=10)
        finished_while_locked = not thread.is_alive()
        other.rollback()
    thread.join(timeout=10)

    assert finished_while_locked, "send_due waited for rows locked by another transaction"
    assert errors == []
    assert reports[0].sent == 3
    assert send_due(worker_id="w").sent == 2
    arrived = sorted(int(m.message[OUTBOX_ID_HEADER]) for m in smtp_server.wait_for(5))
    assert arrived == ids
