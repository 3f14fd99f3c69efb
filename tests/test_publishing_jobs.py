"""Export jobs in a worker process: claimed once, followed by the web, taken over when the
worker dies; live public files cached by content hash; public render routes rate limited."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.letters import markdown
from app.models import ExportJob, ExportStatus, utcnow
from app.publishing import exports, jobs, worker
from app.publishing.store import load_final_letter
from tests.conftest import login
from tests.letters_support import reload
from tests.support.publishing_factories import add_signature, letter_with

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def lead(make):
    return make.user("lead@example.org", name="Lena Lead")


def _queue(letter, fmt: str = "docx") -> int:
    job = jobs.request_job(letter, load_final_letter(letter), fmt, None)
    return job.id


def _counting(monkeypatch) -> list[str]:
    """Count every render of an export (all workers and requests of this process)."""
    calls: list[str] = []
    real = exports.render

    def render(fl, fmt, **kw):  # noqa: ANN001, ANN202
        calls.append(fmt)
        return real(fl, fmt, **kw)

    monkeypatch.setattr(exports, "render", render)
    return calls


def test_two_workers_claim_each_job_once(app, lead, monkeypatch):
    """Real threads, each with its own connection: on PostgreSQL through SKIP LOCKED."""
    letters = [letter_with(lead, [f"Org {i}"], title=f"Letter {n}") for n, i in enumerate(range(6))]
    ids = {_queue(letter) for letter in letters}
    db.session.remove()
    calls = _counting(monkeypatch)
    start = threading.Barrier(2)
    done: dict[str, int] = {}

    def run(name: str) -> None:
        with app.app_context():
            start.wait(timeout=10)
            done[name] = worker.work(once=True, worker_id=name)
            db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in ("w1", "w2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(done.values()) == len(ids) == len(calls)
    rows = db.session.execute(sa.select(ExportJob.status, ExportJob.claimed_by)).all()
    assert {status for status, _ in rows} == {ExportStatus.done}
    assert {claimed for _, claimed in rows} <= {"w1", "w2"}


@pytest.mark.postgres
def test_one_job_is_claimed_by_one_of_two_racing_workers(app, lead):
    letter = letter_with(lead, ["Only Org"])
    job_id = _queue(letter)
    db.session.remove()
    start = threading.Barrier(2)
    got: dict[str, int | None] = {}

    def claim(name: str) -> None:
        with app.app_context():
            start.wait(timeout=10)
            got[name] = worker.claim_next(name)
            db.session.remove()

    threads = [threading.Thread(target=claim, args=(n,)) for n in ("w1", "w2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(got.values(), key=str) == [job_id, None]


def test_a_job_being_rendered_is_never_claimed_again(lead):
    letter = letter_with(lead, ["Only Org"])
    job_id = _queue(letter)
    assert worker.claim_next("w1") == job_id
    assert worker.claim_next("w2") is None  # heartbeat fresh: nobody else starts it
    assert (
        jobs.request_job(reload(letter), load_final_letter(reload(letter)), "docx", None).id
        == job_id
    )


def test_the_web_page_follows_the_progress_a_worker_writes(lead, client, monkeypatch):
    monkeypatch.setitem(exports.BACKGROUND_ABOVE, "pdf", 3)
    letter = letter_with(lead, [f"Org {i}" for i in range(6)], status="final")
    login(client, "lead@example.org")
    assert client.get(f"/letters/{letter.slug}/export.pdf").status_code == 202
    # What a worker elsewhere writes as it lays out pages.
    db.session.execute(
        sa.update(ExportJob).values(status=ExportStatus.running, progress=42, heartbeat_at=utcnow())
    )
    db.session.commit()
    page = client.get(f"/letters/{letter.slug}/export.pdf").get_data(as_text=True)
    assert 'value="42"' in page and "42% — laying out pages" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExportJob)) == 1


def test_a_failed_job_is_queued_again_when_asked_for(lead, client, monkeypatch):
    monkeypatch.setitem(exports.BACKGROUND_ABOVE, "pdf", 3)
    letter = letter_with(lead, [f"Org {i}" for i in range(6)], status="final")
    login(client, "lead@example.org")
    client.get(f"/letters/{letter.slug}/export.pdf")
    failed = {"status": ExportStatus.failed, "error": "boom", "finished_at": utcnow()}
    db.session.execute(sa.update(ExportJob).values(failed))
    db.session.commit()
    # Just failed: the page says why, and asking again does not render it again at once.
    page = client.get(f"/letters/{letter.slug}/export.pdf").get_data(as_text=True)
    assert "could not be made" in page and "boom" in page
    assert db.session.scalar(sa.select(ExportJob.status)) is ExportStatus.failed
    earlier = utcnow() - jobs.RETRY_FAILED_AFTER - timedelta(seconds=1)
    db.session.execute(sa.update(ExportJob).values(finished_at=earlier))
    db.session.commit()
    client.get(f"/letters/{letter.slug}/export.pdf")
    assert db.session.scalar(sa.select(ExportJob.status)) is ExportStatus.queued


def _worker_process(database_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "APP_ENV": "testing",
        "TEST_DATABASE_URL": database_url,
        "FLASK_EXPORT_JOB_STALE_SECONDS": "2",
    }
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "jobs", "work",
         "--interval", "0.2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def test_a_worker_killed_mid_render_leaves_a_job_another_worker_finishes(
    app, lead, config, database_url
):
    letter = letter_with(lead, [f"Organization number {i:04}" for i in range(500)], status="final")
    job_id = _queue(letter, "pdf")
    process = _worker_process(database_url)
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            db.session.expire_all()
            job = db.session.get(ExportJob, job_id)
            status = job.status
            if status is not ExportStatus.queued:
                break
            time.sleep(0.05)
        assert status is ExportStatus.running
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    db.session.expire_all()
    job = db.session.get(ExportJob, job_id)
    assert job.status is ExportStatus.running and job.content is None
    lost_worker = job.claimed_by
    # Nobody takes it while its heartbeat might still be alive...
    config["EXPORT_JOB_STALE_SECONDS"] = 2
    db.session.commit()
    # ...and once it has been silent for longer, the next worker does and finishes it.
    time.sleep(2.5)
    assert worker.work(once=True, worker_id="rescuer") == 1
    db.session.expire_all()
    job = db.session.get(ExportJob, job_id)
    assert job.status is ExportStatus.done and job.content.startswith(b"%PDF")
    assert job.claimed_by == "rescuer" != lost_worker


def test_the_public_pdf_of_a_live_letter_is_rendered_once_per_content(lead, client, monkeypatch):
    letter = letter_with(lead, ["Org A", "Org B"], status="published-open")
    calls = _counting(monkeypatch)
    first = client.get(f"/l/{letter.slug}/letter.pdf")
    second = client.get(f"/l/{letter.slug}/letter.pdf")
    assert first.status_code == second.status_code == 200
    assert first.get_data() == second.get_data() and calls == ["pdf"]
    add_signature(reload(letter), "Org C")
    third = client.get(f"/l/{letter.slug}/letter.pdf")
    assert third.status_code == 200 and calls == ["pdf", "pdf"]
    # One file kept per format: the one of today's content.
    hashes = db.session.scalars(sa.select(ExportJob.content_hash)).all()
    assert hashes == [third.headers["X-Content-Hash"]]


def test_the_sign_page_renders_the_body_once(lead, client, monkeypatch):
    body = "Para *one* with [a link](https://example.org/x) and **bold**.\n\n" * 1500
    letter = letter_with(lead, ["Org A"], body=body)
    letter.open_link = True
    db.session.commit()
    calls: list[int] = []
    real = markdown.render_body

    def render(text, **kw):  # noqa: ANN001, ANN202
        calls.append(len(text))
        return real(text, **kw)

    monkeypatch.setattr(markdown, "render_body", render)
    timings = []
    for _ in range(3):
        began = time.perf_counter()
        assert client.get(f"/l/{letter.slug}/sign").status_code == 200
        timings.append(time.perf_counter() - began)
    assert len(calls) == 1
    print(f"sign page, {len(body):,} B body: first {timings[0]:.3f}s, then {timings[2]:.3f}s")


def test_anonymous_render_routes_are_limited_per_client(lead, client, config):
    letter = letter_with(lead, ["Org A"], status="published")
    config["RATELIMIT_PUBLIC_PDF"] = "2 per minute"
    pdf = [client.get(f"/l/{letter.slug}/letter.pdf").status_code for _ in range(3)]
    assert pdf == [200, 200, 429]
    config["RATELIMIT_PUBLIC_PAGE"] = "4 per minute"
    urls = [f"/l/{letter.slug}", f"/l/{letter.slug}/count.svg",
            f"/api/v1/letters/{letter.slug}", f"/l/{letter.slug}", f"/l/{letter.slug}/count.svg"]  # fmt: skip
    assert [client.get(u).status_code for u in urls] == [200, 200, 200, 200, 429]
    other = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get(f"/l/{letter.slug}", environ_base=other).status_code == 200


def test_the_sign_page_get_is_limited(lead, client, config):
    letter = letter_with(lead, ["Org A"])
    letter.open_link = True
    db.session.commit()
    config["RATELIMIT_PUBLIC_PAGE"] = "2 per minute"
    codes = [client.get(f"/l/{letter.slug}/sign").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_jobs_work_once_renders_what_is_queued(app, lead):
    letter = letter_with(lead, ["Org A"], status="final")
    job_id = _queue(letter)
    result = app.test_cli_runner().invoke(args=["jobs", "work", "--once"])
    assert result.exit_code == 0 and "1 export(s) rendered" in result.output
    db.session.expire_all()
    assert db.session.get(ExportJob, job_id).status is ExportStatus.done


def test_the_worker_runs_its_periodic_duties_when_idle(app):
    runs: list[int] = []
    stop = threading.Event()
    duty = worker.PeriodicDuty("count", 3600, lambda: runs.append(1) or stop.set())
    with app.app_context():
        worker.work(interval=0.05, stop=stop, duties=[duty])
        duty.run_if_due()  # not due again for an hour
        db.session.remove()
    assert runs == [1]


def test_the_heartbeat_touches_the_job_while_it_renders(app, lead):
    letter = letter_with(lead, ["Org A"])
    job_id = _queue(letter)
    assert worker.claim_next("w1") == job_id
    before = db.session.scalar(sa.select(ExportJob.heartbeat_at))
    db.session.commit()
    with worker.Heartbeat(job_id, "w1", every=0.1):
        time.sleep(0.5)
    db.session.expire_all()
    assert db.session.scalar(sa.select(ExportJob.heartbeat_at)) > before
