"""The outbox worker: claim due messages, send them over one SMTP connection, record each result.

Any number of workers may run, on any number of machines. A claim is committed before SMTP is
touched, so a slow server never holds a database lock. On PostgreSQL the claim skips rows that
another worker is claiming (FOR UPDATE SKIP LOCKED); everywhere, the claim is a conditional
UPDATE that only takes rows still due, so two workers never both get a row. A worker that dies
leaves its rows `sending`; after OUTBOX_CLAIM_TIMEOUT_SECONDS another worker takes them over.
Delivery is therefore at least once: a crash between SMTP's "250" and our commit sends twice,
which is why the Message-ID is stable per row.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.mail import hooks, transport
from app.models import OutboxMessage, OutboxStatus, utcnow

logger = logging.getLogger(__name__)

DEV_MAILBOX_WORKER = "dev-mailbox"
# The doubling backoff stops growing here, so a large OUTBOX_MAX_ATTEMPTS still retries daily.
MAX_BACKOFF_SECONDS = 24 * 3600
# Each round that claims nothing means other workers took the rows we saw; bounded all the same.
_CLAIM_ROUNDS = 10
_Msg = OutboxMessage
_QUEUED, _SENDING = OutboxStatus.queued, OutboxStatus.sending


class MailNotConfigured(RuntimeError):
    """No SMTP server and no dev mailbox: nothing is claimed, every message stays queued."""


@dataclass
class SendReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def __add__(self, other: SendReport) -> SendReport:
        return SendReport(
            self.claimed + other.claimed,
            self.sent + other.sent,
            self.retried + other.retried,
            self.failed + other.failed,
        )

    def summary(self) -> str:
        return (
            f"{self.claimed} claimed: {self.sent} sent, {self.retried} to retry, "
            f"{self.failed} failed"
        )


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def send_due(
    *,
    worker_id: str | None = None,
    limit: int | None = None,
    now: datetime | None = None,
    smtp: SMTPSession | None = None,
) -> SendReport:
    """Send one batch of due messages and commit each result. Commits the session.

    With `smtp`, the batch goes over that session's connection and leaves it open for the
    next batch; without, a connection is opened for this batch and closed after it.
    """
    cfg = current_app.config
    now = now or utcnow()
    limit = limit or int(cfg["OUTBOX_BATCH_SIZE"])
    dev = transport.delivers_to_dev_mailbox()
    if not dev and not cfg.get("MAIL_SERVER"):
        raise MailNotConfigured(
            "MAIL_SERVER is not set and the dev mailbox is off; messages stay queued"
        )
    worker_id = DEV_MAILBOX_WORKER if dev else (worker_id or default_worker_id())

    ids = claim_due(worker_id, now=now, limit=limit)
    report = SendReport(claimed=len(ids))
    if not ids:
        return report
    if dev:
        report.sent = _deliver_to_dev_mailbox(ids)
    else:
        session = smtp or SMTPSession()
        try:
            _deliver(ids, worker_id=worker_id, now=now, report=report, smtp=session)
        finally:
            if smtp is None:
                session.close()
    logger.info("outbox worker %s: %s", worker_id, report.summary())
    return report


def _due(now: datetime) -> sa.ColumnElement[bool]:
    stale_before = now - timedelta(seconds=current_app.config["OUTBOX_CLAIM_TIMEOUT_SECONDS"])
    return sa.or_(
        sa.and_(_Msg.status == _QUEUED, _Msg.next_attempt_at <= now),
        sa.and_(_Msg.status == _SENDING, _Msg.claimed_at < stale_before),
    )


def _candidates(now: datetime, limit: int) -> list[int]:
    query = (
        sa.select(_Msg.id)
        .where(_due(now))
        .order_by(_Msg.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(db.session.scalars(query))


def claim_due(worker_id: str, *, now: datetime, limit: int) -> list[int]:
    """Mark up to `limit` due rows as ours and commit; returns their ids in order.

    An empty list means nothing was due: if another worker took every candidate first, we
    look again rather than report an empty queue.
    """
    for _ in range(_CLAIM_ROUNDS):
        candidates = _candidates(now, limit)
        if not candidates:
            db.session.commit()  # end the read transaction; there was nothing to write
            return []
        # On SQLite the SELECT locked nothing: re-check "still due" in the UPDATE itself, so
        # a row another worker claimed in between is not taken twice.
        claim = (
            sa.update(_Msg)
            .where(_Msg.id.in_(candidates), _due(now))
            .values(status=_SENDING, claimed_by=worker_id, claimed_at=now)
            .returning(_Msg.id)
            .execution_options(synchronize_session=False)
        )
        claimed = sorted(db.session.scalars(claim))
        db.session.commit()
        if claimed:
            return claimed
    return []


class SMTPSession:
    """The worker's SMTP connection, opened when first needed and kept across batches while
    the queue is being drained (connecting costs as much as sending dozens of messages)."""

    def __init__(self) -> None:
        self.conn: transport.SMTPConnection | None = None

    def get(self) -> transport.SMTPConnection:
        if self.conn is None:
            self.conn = transport.connect()
        return self.conn

    def check(self) -> None:
        """Before a further batch: a connection the server has since closed is dropped here,
        rather than failing (and delaying) the first message of the batch."""
        if self.conn is not None and not self.conn.answers():
            self.drop()

    def drop(self) -> None:
        """Close it, if open; the next message opens a fresh one."""
        conn, self.conn = self.conn, None
        if conn is not None:
            conn.close()

    close = drop


def _deliver(
    ids: list[int], *, worker_id: str, now: datetime, report: SendReport, smtp: SMTPSession
) -> None:
    rows = db.session.scalars(sa.select(_Msg).where(_Msg.id.in_(ids)).order_by(_Msg.id))
    # Build every message first: each commit below expires the ORM rows.
    jobs = [(row.id, row.attempts, row.ref_type, transport.build_message(row)) for row in rows]
    db.session.commit()  # no snapshot or lock held while we talk to SMTP

    smtp.check()
    results = _Results(worker_id)
    try:
        for position, (row_id, attempts, ref_type, message) in enumerate(jobs):
            try:
                conn = smtp.get()
            except Exception as exc:  # noqa: BLE001 - any failure to connect is retried
                reason = transport.classify(exc).reason
                logger.warning("outbox: cannot reach the SMTP server: %s", reason)
                for rest_id, _, rest_ref_type, _ in jobs[position:]:
                    _record_unreachable(results, rest_id, rest_ref_type, reason, now, report)
                return
            try:
                refused = conn.send(message)
            except Exception as exc:  # noqa: BLE001 - recorded on the row, the batch goes on
                failure = transport.classify(exc)
                _record_failure(results, row_id, ref_type, attempts, failure, now, report)
                if not (failure.session_ok and conn.is_open):
                    # The server hung up, or the session is in an unknown state: the rest
                    # of the batch goes over a fresh connection.
                    smtp.drop()
            else:
                report.sent += 1
                sent = {"status": OutboxStatus.sent, "sent_at": utcnow(), "attempts": attempts + 1}
                if refused:  # taken for some addresses only (a delivery's cc): say which not
                    sent["last_error"] = f"Refused for some addresses: {refused}"[:2000]
                results.record(row_id, ref_type, sent)
    finally:
        results.close()


def _record_unreachable(
    results: _Results,
    row_id: int,
    ref_type: str | None,
    reason: str,
    now: datetime,
    report: SendReport,
) -> None:
    """The server could not be reached (or refused our login): nothing is wrong with the
    message, so it waits without using up an attempt. Counting these, a few minutes' outage
    would fail every queued email for good, and signers would never get their links."""
    report.retried += 1
    retry_at = now + timedelta(seconds=current_app.config["OUTBOX_BACKOFF_SECONDS"])
    waiting = {"status": _QUEUED, "last_error": reason[:2000], "next_attempt_at": retry_at}
    results.record(row_id, ref_type, waiting)


def _record_failure(
    results: _Results,
    row_id: int,
    ref_type: str | None,
    attempts: int,
    failure: transport.Failure,
    now: datetime,
    report: SendReport,
) -> None:
    attempts += 1
    reason = failure.reason[:2000]
    if failure.permanent or attempts >= int(current_app.config["OUTBOX_MAX_ATTEMPTS"]):
        report.failed += 1
        logger.error("outbox %s failed after %d attempt(s): %s", row_id, attempts, reason)
        failed = {"status": OutboxStatus.failed, "attempts": attempts, "last_error": reason}
        results.record(row_id, ref_type, failed)
        return
    report.retried += 1
    delay = current_app.config["OUTBOX_BACKOFF_SECONDS"] * 2 ** (attempts - 1)
    retry_at = now + timedelta(seconds=min(delay, MAX_BACKOFF_SECONDS))
    logger.warning(
        "outbox %s attempt %d failed, retry at %s: %s", row_id, attempts, retry_at, reason
    )
    retry = {"status": _QUEUED, "attempts": attempts, "last_error": reason,
             "next_attempt_at": retry_at}  # fmt: skip
    results.record(row_id, ref_type, retry)


# What features need to follow a message's fate (app.mail.hooks), read back as it is recorded.
_REF = (_Msg.id, _Msg.kind, _Msg.ref_type, _Msg.ref_id)


_TABLE = _Msg.__table__
# Built once; each result only binds its values. The WHERE keeps a result from landing on a
# row whose claim timed out and was taken over by another worker.
_RECORD = (
    sa.update(_TABLE)
    .where(
        _TABLE.c.id == sa.bindparam("row_id"),
        _TABLE.c.status == sa.bindparam("claimed"),
        _TABLE.c.claimed_by == sa.bindparam("worker_id"),
    )
    .returning(_TABLE.c.id, _TABLE.c.kind, _TABLE.c.ref_type, _TABLE.c.ref_id)
)


@functools.cache
def _compiled_record(dialect: sa.Dialect, keys: tuple[str, ...]) -> str:
    columns = [key for key in keys if key not in ("row_id", "worker_id", "claimed")]
    return str(_RECORD.compile(dialect=dialect, column_keys=columns))


class _Results:
    """Records each message's result as soon as SMTP has answered for it.

    One write per message, so a worker killed mid-batch resends at most the message in flight.
    On PostgreSQL a message that no feature follows (no hook for its `ref_type`) is recorded by
    one autocommitted UPDATE on a connection of its own, without waiting for the WAL flush:
    a single round trip instead of four. A crash of the database server could then forget the
    last few "sent" marks and resend those messages, but never lose one. A message a feature
    follows is recorded with its hooks in one transaction of the session, as before.
    """

    def __init__(self, worker_id: str) -> None:
        self.worker_id = worker_id
        self.direct: sa.Connection | None = None
        if db.session.get_bind().dialect.name == "postgresql":
            self.direct = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self.direct.exec_driver_sql("SET synchronous_commit TO OFF")

    def record(self, row_id: int, ref_type: str | None, values: dict) -> None:
        params = {"row_id": row_id, "worker_id": self.worker_id, "claimed": _SENDING.value}
        params |= {k: (v.value if isinstance(v, OutboxStatus) else v) for k, v in values.items()}
        if self.direct is not None and not hooks.follows(ref_type):
            recorded = self._execute_direct(params)
        else:
            connection = db.session.connection()
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
            recorded = connection.execute(_RECORD, params).all()
            _notify(recorded, values)
            db.session.commit()
        if len(recorded) != 1:
            logger.warning(
                "outbox %s: claim timed out and was taken over; result not recorded", row_id
            )

    def _execute_direct(self, params: dict) -> list[tuple]:
        # Straight to the driver with SQL compiled once per set of columns: SQLAlchemy's own
        # execution costs about as much again as the round trip it wraps.
        sql = _compiled_record(self.direct.dialect, tuple(sorted(params)))
        cursor = self.direct.connection.dbapi_connection.cursor()
        try:
            return cursor.execute(sql, params).fetchall()
        finally:
            cursor.close()

    def close(self) -> None:
        if self.direct is None:
            return
        try:
            # The connection goes back to the pool: the web's transactions wait for the flush.
            self.direct.exec_driver_sql("RESET synchronous_commit")
        finally:
            self.direct.close()


def _notify(recorded: list[sa.Row], values: dict) -> None:
    status = values["status"]
    if status not in (OutboxStatus.sent, OutboxStatus.failed):
        return  # a retry is not an outcome
    at = values.get("sent_at") or utcnow()
    for row_id, kind, ref_type, ref_id in recorded:
        if ref_type is not None:
            error = values.get("last_error")
            hooks.notify(hooks.Outcome(row_id, kind, ref_type, ref_id, status, error, at))


def _deliver_to_dev_mailbox(ids: list[int]) -> int:
    values = {"status": OutboxStatus.sent, "sent_at": utcnow()}
    result = db.session.execute(
        sa.update(_Msg)
        .where(_Msg.id.in_(ids), _Msg.status == _SENDING, _Msg.claimed_by == DEV_MAILBOX_WORKER)
        .values(attempts=_Msg.attempts + 1, **values)
        .returning(*_REF)
        .execution_options(synchronize_session=False)
    )
    recorded = result.all()
    _notify(recorded, values)
    db.session.commit()
    return len(recorded)


def work(
    once: bool = False,
    interval: float = 5.0,
    *,
    worker_id: str | None = None,
    stop: threading.Event | None = None,
    on_batch: Callable[[SendReport], None] | None = None,
) -> SendReport:
    """Send batches until nothing is due (`once`) or until `stop` is set; returns the totals.

    Between batches the session is removed, so a long-running worker holds no stale rows.
    The SMTP connection stays open from one batch to the next while the queue drains, and is
    closed whenever the worker goes idle.
    """
    stop = stop or threading.Event()
    worker_id = worker_id or default_worker_id()
    limit = int(current_app.config["OUTBOX_BATCH_SIZE"])
    total = SendReport()
    smtp = SMTPSession()
    try:
        while not stop.is_set():
            try:
                report = send_due(worker_id=worker_id, limit=limit, smtp=smtp)
            except sa.exc.SQLAlchemyError:
                if once:
                    raise
                logger.exception("outbox worker: database error; trying again in %ss", interval)
                db.session.remove()
                smtp.drop()
                stop.wait(interval)
                continue
            db.session.remove()
            total += report
            if report.claimed and on_batch is not None:
                on_batch(report)
            # A full batch that moved messages on means more may be due: go on at once. A
            # batch of nothing but retries would only spin when the backoff is zero.
            more = report.claimed >= limit and report.sent + report.failed > 0
            if once and not more:
                break
            if not more:
                smtp.drop()  # idle: the server would time an open session out anyway
                stop.wait(interval)
    finally:
        smtp.close()
    return total
