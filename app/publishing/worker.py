"""The export worker (`flask jobs work`): claim a queued job, render it, store the file.

Any number of workers may run on any number of machines. A claim is a committed conditional
UPDATE (only a job still queued, or running with a stopped heartbeat, is taken); on
PostgreSQL the candidate is first picked with FOR UPDATE SKIP LOCKED so two workers never
wait on each other. While a job renders, a heartbeat thread touches its row every few
seconds (WeasyPrint may spend a long time on one page); a worker that dies stops beating and
after EXPORT_JOB_STALE_SECONDS the job is claimed again. Only the worker that holds the
claim may record the result, so a worker that was presumed dead and wakes up changes nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import ExportJob, ExportStatus, utcnow
from app.publishing import exports
from app.publishing.final_letter import FinalLetter
from app.publishing.jobs import stale_after

logger = logging.getLogger(__name__)
_CLAIM_ROUNDS = 10


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 10_000}"[:100]


def _claimable(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(
        ExportJob.status == ExportStatus.queued,
        sa.and_(
            ExportJob.status == ExportStatus.running,
            sa.func.coalesce(ExportJob.heartbeat_at, ExportJob.created_at) < now - stale_after(),
        ),
    )


def _take(job_id: int, worker_id: str, now: datetime) -> bool:
    result = db.session.execute(
        sa.update(ExportJob)
        .where(ExportJob.id == job_id, _claimable(now))
        .values(
            status=ExportStatus.running,
            claimed_by=worker_id,
            heartbeat_at=now,
            progress=0,
            error=None,
        )  # fmt: skip
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def claim_next(worker_id: str, now: datetime | None = None) -> int | None:
    """Claim the oldest claimable job and commit; its id, or None when there is none."""
    for _ in range(_CLAIM_ROUNDS):
        now = now or utcnow()
        candidate = db.session.scalar(
            sa.select(ExportJob.id)
            .where(_claimable(now))
            .order_by(ExportJob.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if candidate is None:
            db.session.commit()  # end the read transaction
            return None
        # On SQLite the SELECT locked nothing: the UPDATE re-checks, so only one worker wins.
        if _take(candidate, worker_id, now):
            return candidate
    return None


def _mine(job_id: int, worker_id: str) -> sa.ColumnElement[bool]:
    return sa.and_(
        ExportJob.id == job_id,
        ExportJob.claimed_by == worker_id,
        ExportJob.status == ExportStatus.running,
    )


class Heartbeat:
    """Touches the job's row every `every` seconds from its own thread and connection."""

    def __init__(self, job_id: int, worker_id: str, every: float) -> None:
        self.job_id, self.worker_id, self.every = job_id, worker_id, every
        self._stop = threading.Event()
        self._app = current_app._get_current_object()  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        with self._app.app_context():
            try:
                while not self._stop.wait(self.every):
                    db.session.execute(
                        sa.update(ExportJob)
                        .where(_mine(self.job_id, self.worker_id))
                        .values(heartbeat_at=utcnow())
                        .execution_options(synchronize_session=False)
                    )
                    db.session.commit()
            except Exception:  # noqa: BLE001 - a lost heartbeat only lets another worker in
                logger.exception("heartbeat of export job %s stopped", self.job_id)
            finally:
                db.session.remove()


def _progress(job_id: int, worker_id: str) -> Callable[[int], None]:
    last = [-1]

    def report(percent: int) -> None:
        if percent - last[0] < 3:
            return
        last[0] = percent
        db.session.execute(
            sa.update(ExportJob)
            .where(_mine(job_id, worker_id))
            .values(progress=percent, heartbeat_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.commit()

    return report


def render_claimed(job_id: int, worker_id: str) -> bool:
    """Render a job this worker has claimed and record the result. True if it was ours."""
    data = db.session.scalar(sa.select(ExportJob.data).where(ExportJob.id == job_id))
    fmt = db.session.scalar(sa.select(ExportJob.format).where(ExportJob.id == job_id))
    db.session.commit()  # no transaction stays open while rendering
    if data is None or fmt is None:
        return False
    fl = FinalLetter.from_dict(data)
    every = max(0.2, stale_after().total_seconds() / 4)
    try:
        with Heartbeat(job_id, worker_id, every):
            content = exports.render(
                fl, fmt, base_url=current_app.config.get("BASE_URL"),
                progress=_progress(job_id, worker_id),
            )  # fmt: skip
    except Exception as error:  # noqa: BLE001 - the job records any failure for the page
        db.session.rollback()
        logger.exception("export job %s failed", job_id)
        db.session.execute(
            sa.update(ExportJob)
            .where(_mine(job_id, worker_id))
            .values(status=ExportStatus.failed, error=str(error)[:300], finished_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        return True
    result = db.session.execute(
        sa.update(ExportJob)
        .where(_mine(job_id, worker_id))
        .values(
            status=ExportStatus.done,
            progress=100,
            content=content,
            data=None,
            finished_at=utcnow(),
            heartbeat_at=utcnow(),
        )  # fmt: skip
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if result.rowcount != 1:
        logger.warning("export job %s was taken over by another worker; result dropped", job_id)
        return False
    return True


def render_one(job_id: int, worker_id: str) -> bool:
    """Claim this job and render it (the inline runner). False if it was not claimable."""
    if not _take(job_id, worker_id, utcnow()):
        return False
    return render_claimed(job_id, worker_id)


def work(
    *,
    once: bool = False,
    interval: float = 2.0,
    stop: threading.Event | None = None,
    worker_id: str | None = None,
    duties: list[PeriodicDuty] | None = None,
) -> int:
    """Render claimed jobs until stopped (or, with `once`, until none is claimable).

    Between jobs, each periodic duty runs when it is due. Returns how many jobs it rendered.
    """
    stop = stop or threading.Event()
    worker_id = worker_id or default_worker_id()
    rendered = 0
    while not stop.is_set():
        job_id = claim_next(worker_id)
        if job_id is not None:
            logger.info("worker %s: rendering export job %s", worker_id, job_id)
            rendered += render_claimed(job_id, worker_id)
            continue
        if once:
            break
        for duty in duties or []:
            duty.run_if_due()
        stop.wait(interval)
    return rendered


class PeriodicDuty:
    """Something the worker does every `every` seconds (first at start), e.g. retention."""

    def __init__(self, name: str, every: float, action: Callable[[], object]) -> None:
        self.name, self.every, self.action = name, every, action
        self._next = 0.0

    def run_if_due(self) -> None:
        import time

        if time.monotonic() < self._next:
            return
        self._next = time.monotonic() + self.every
        try:
            self.action()
        except Exception:  # noqa: BLE001 - a failed duty is retried at its next turn
            db.session.rollback()
            logger.exception("periodic duty %s failed", self.name)
