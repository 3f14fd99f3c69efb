"""Exports that take longer than a request may: rendered in the background, with progress.

A PDF of 5,000 signatories takes WeasyPrint well over the ~30 s a proxy or gunicorn allows
a request (bench/export_bench.py). Such an export becomes an ExportJob row; a thread of the
process that received the request renders it, writing its progress to the row as pages are
laid out, and the file into the row when done. Any machine can then answer "how far?" and
serve the file, because everything lives in the database. A job whose heartbeat stopped
(its process died) is claimed again by the next request that asks for it.

A final letter's files never change, so a finished job is also their cache: the same
content hash is never rendered twice.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import ExportJob, ExportStatus, Letter, utcnow
from app.publishing import exports
from app.publishing.final_letter import FinalLetter

STALE_AFTER = timedelta(minutes=2)


def find_job(letter: Letter, fmt: str, content_hash: str) -> ExportJob | None:
    return db.session.scalar(
        sa.select(ExportJob).where(
            ExportJob.letter_id == letter.id,
            ExportJob.format == fmt,
            ExportJob.content_hash == content_hash,
        )
    )


def is_stale(job: ExportJob) -> bool:
    if job.status is ExportStatus.failed:
        return True
    if job.status is not ExportStatus.running:
        return False
    beat = job.heartbeat_at or job.created_at
    return beat < utcnow() - STALE_AFTER


def request_job(letter: Letter, fl: FinalLetter, fmt: str, user_id: int | None) -> ExportJob:
    """The job rendering `fl` as `fmt`: the existing one, or a new one (committed).

    Older jobs of the same letter and format (for content that has since changed) are
    dropped. Two requests racing to create the job end up with the same row.
    """
    job = find_job(letter, fmt, fl.content_hash)
    if job is not None:
        return job
    db.session.execute(
        sa.delete(ExportJob).where(
            ExportJob.letter_id == letter.id,
            ExportJob.format == fmt,
            ExportJob.content_hash != fl.content_hash,
        )
    )
    job = ExportJob(
        letter_id=letter.id,
        format=fmt,
        content_hash=fl.content_hash,
        data=fl.to_dict(),
        requested_by_id=user_id,
    )
    db.session.add(job)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        job = find_job(letter, fmt, fl.content_hash)
        assert job is not None
    return job


def store_result(letter: Letter, fl: FinalLetter, fmt: str, content: bytes) -> None:
    """Keep a file rendered in the request as the cache of a final letter (caller commits)."""
    if fl.is_draft or find_job(letter, fmt, fl.content_hash) is not None:
        return
    db.session.add(
        ExportJob(
            letter_id=letter.id, format=fmt, content_hash=fl.content_hash,
            status=ExportStatus.done, progress=100, content=content, finished_at=utcnow(),
        )
    )  # fmt: skip


def claim(job_id: int) -> bool:
    """Take the job for this thread: True if it was queued, failed or abandoned."""
    now = utcnow()
    result = db.session.execute(
        sa.update(ExportJob)
        .where(
            ExportJob.id == job_id,
            sa.or_(
                ExportJob.status.in_([ExportStatus.queued, ExportStatus.failed]),
                sa.and_(
                    ExportJob.status == ExportStatus.running,
                    sa.func.coalesce(ExportJob.heartbeat_at, ExportJob.created_at)
                    < now - STALE_AFTER,
                ),
            ),
        )
        .values(status=ExportStatus.running, heartbeat_at=now, progress=0, error=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _progress(job_id: int):  # noqa: ANN202
    last = [-1]

    def report(percent: int) -> None:
        # One short UPDATE per step: it is also the heartbeat that says the job is alive.
        if percent - last[0] < 3:
            return
        last[0] = percent
        db.session.execute(
            sa.update(ExportJob)
            .where(ExportJob.id == job_id)
            .values(progress=percent, heartbeat_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.commit()

    return report


def run_job(job_id: int) -> None:
    """Render one job to the end (in an app context). Safe to call twice: one wins the claim."""
    if not claim(job_id):
        return
    job = db.session.get(ExportJob, job_id)
    if job is None or job.data is None:
        return
    fl = FinalLetter.from_dict(job.data)
    try:
        content = exports.render(
            fl,
            job.format,
            base_url=current_app.config.get("BASE_URL"),
            progress=_progress(job_id),
        )
    except Exception as error:  # noqa: BLE001 - the job records any failure for the page
        db.session.rollback()
        current_app.logger.exception("export job %s failed", job_id)
        db.session.execute(
            sa.update(ExportJob)
            .where(ExportJob.id == job_id)
            .values(status=ExportStatus.failed, error=str(error)[:300], finished_at=utcnow())
        )
        db.session.commit()
        return
    db.session.execute(
        sa.update(ExportJob)
        .where(ExportJob.id == job_id)
        .values(
            status=ExportStatus.done,
            progress=100,
            content=content,
            data=None,
            finished_at=utcnow(),
            heartbeat_at=utcnow(),
        )  # fmt: skip
    )
    db.session.commit()


def _run_in_thread(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


def launch(job: ExportJob) -> None:
    """Start rendering `job` unless it is done or being rendered by a live process.

    PUBLISHING_EXPORT_RUNNER "thread" (default) renders in a background thread; "inline"
    renders before returning (tests, and deployments that prefer a slow request).
    """
    if job.status is ExportStatus.done:
        return
    if job.status is ExportStatus.running and not is_stale(job):
        return
    if current_app.config.get("PUBLISHING_EXPORT_RUNNER", "thread") == "inline":
        run_job(job.id)
        db.session.refresh(job)
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    threading.Thread(target=_run_in_thread, args=(app, job.id), daemon=True).start()
