"""Exports that take longer than a request may: queued rows, rendered by a worker process.

A PDF of 5,000 signatories takes WeasyPrint well over the ~30 s a proxy or gunicorn allows
a request (bench/export_bench.py). Such an export becomes an ExportJob row in the database;
`flask jobs work` (app/publishing/worker.py), a process of its own on any machine, claims it,
writes its progress and a heartbeat to the row while laying out pages, and the file into the
row when done. The web only creates the row and shows its progress, so a web worker killed
at any moment loses nothing, and any machine can answer "how far?" and serve the file. A job
whose heartbeat stopped (its worker died) is taken over by the next worker.

One row per letter, format and content hash: the same content is never rendered twice, and a
finished job is the cache of that content's file (a final letter's, or a live letter's until
its list or text changes).
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import ExportJob, ExportStatus, Letter, utcnow
from app.publishing.final_letter import FinalLetter

RETRY_FAILED_AFTER = timedelta(seconds=30)


def stale_after() -> timedelta:
    """How long a running job may go without a heartbeat before another worker takes it."""
    return timedelta(seconds=float(current_app.config.get("EXPORT_JOB_STALE_SECONDS", 120)))


def find_job(letter: Letter, fmt: str, content_hash: str) -> ExportJob | None:
    return db.session.scalar(
        sa.select(ExportJob).where(
            ExportJob.letter_id == letter.id,
            ExportJob.format == fmt,
            ExportJob.content_hash == content_hash,
        )
    )


def _drop_older(letter: Letter, fmt: str, content_hash: str) -> None:
    # Jobs for content that has since changed are of no use to anyone: one row per format.
    db.session.execute(
        sa.delete(ExportJob).where(
            ExportJob.letter_id == letter.id,
            ExportJob.format == fmt,
            ExportJob.content_hash != content_hash,
        )
    )


def request_job(letter: Letter, fl: FinalLetter, fmt: str, user_id: int | None) -> ExportJob:
    """The job rendering `fl` as `fmt`: the existing one, or a new queued one (committed).

    Two requests racing to create the job end up with the same row (the unique index).
    """
    job = find_job(letter, fmt, fl.content_hash)
    if job is not None:
        return job
    _drop_older(letter, fmt, fl.content_hash)
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
    """Keep a file rendered in the request as the cache of its content (caller commits).

    Live letters too: their content hash covers the list, the text and the date line, so
    a cached file is served only while it is exactly what would be rendered now.
    """
    if find_job(letter, fmt, fl.content_hash) is not None:
        return
    _drop_older(letter, fmt, fl.content_hash)
    db.session.add(
        ExportJob(
            letter_id=letter.id, format=fmt, content_hash=fl.content_hash,
            status=ExportStatus.done, progress=100, content=content, finished_at=utcnow(),
        )
    )  # fmt: skip


def retry_failed(job: ExportJob) -> None:
    """Queue a failed job again when someone asks for the file again; commits.

    Not within RETRY_FAILED_AFTER of the failure: the page says why it failed, and a file
    that cannot be made is not rendered again on every request."""
    db.session.execute(
        sa.update(ExportJob)
        .where(
            ExportJob.id == job.id,
            ExportJob.status == ExportStatus.failed,
            sa.or_(
                ExportJob.finished_at.is_(None),
                ExportJob.finished_at < utcnow() - RETRY_FAILED_AFTER,
            ),
        )
        .values(status=ExportStatus.queued, error=None, progress=0, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(job)


def launch(job: ExportJob) -> None:
    """Make sure `job` will be rendered; the web never renders it itself.

    PUBLISHING_EXPORT_RUNNER "worker" (default): the row is queued and a `flask jobs work`
    process renders it. "inline": rendered here before returning (tests, and deployments
    that prefer a slow request to a worker process).
    """
    if job.status is ExportStatus.done:
        return
    if job.status is ExportStatus.failed:
        retry_failed(job)
    if current_app.config.get("PUBLISHING_EXPORT_RUNNER", "worker") == "inline":
        from app.publishing.worker import render_one

        render_one(job.id, worker_id="inline")
        db.session.refresh(job)
