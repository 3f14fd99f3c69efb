"""Large letters: background rendering with progress, the cache, and constant queries."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import ExportJob, ExportStatus, utcnow
from app.publishing import exports, worker
from app.publishing.render_pdf import render_pdf
from app.publishing.store import load_final_letter
from tests.conftest import login
from tests.letters_support import reload
from tests.support.publishing_factories import add_signature, letter_with, plain_final_letter


@pytest.fixture
def lead(make):
    return make.user("lead@example.org", name="Lena Lead")


@pytest.fixture
def jobs_worker(app):
    """A `flask jobs work` loop in a thread, for as long as the test runs."""
    stop = threading.Event()

    def body() -> None:
        with app.app_context():
            worker.work(interval=0.2, stop=stop, worker_id="thread-worker")
            db.session.remove()

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=60)


@pytest.fixture
def small_limits(monkeypatch):
    """Treat a letter of more than 3 signatories as large, so tests stay quick."""
    monkeypatch.setitem(exports.BACKGROUND_ABOVE, "pdf", 3)
    monkeypatch.setitem(exports.BACKGROUND_ABOVE, "docx", 3)


def _count_queries(fn) -> int:
    seen: list[str] = []

    def listener(conn, cursor, statement, *args):  # noqa: ANN001
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen)


def test_loading_takes_the_same_queries_for_5_or_80_signatories(lead):
    small = letter_with(lead, [f"Small {i}" for i in range(5)], title="Small one")
    large = letter_with(lead, [f"Large {i}" for i in range(80)], title="Large one")
    for letter in (small, large):
        add_signature(letter, "Quiet", listed_publicly=False)
    db.session.expire_all()
    counts = [_count_queries(lambda x=x: load_final_letter(reload(x))) for x in (small, large)]
    assert counts[0] == counts[1]
    final = letter_with(lead, [f"Final {i}" for i in range(30)], title="Final", status="final")
    db.session.expire_all()
    # The letter, the record's id and hash, and its data the first time; the data is kept.
    assert _count_queries(lambda: load_final_letter(reload(final))) <= 4
    db.session.expire_all()
    assert _count_queries(lambda: load_final_letter(reload(final))) <= 3


def test_a_large_pdf_is_rendered_in_the_background_with_progress(lead, client, small_limits, app):
    letter = letter_with(lead, [f"Org {i}" for i in range(6)], status="final")
    login(client, "lead@example.org")
    first = client.get(f"/letters/{letter.slug}/export.pdf")
    assert first.status_code == 202
    page = first.get_data(as_text=True)
    assert 'data-progress="running"' in page and "<progress" in page
    assert 'http-equiv="refresh"' not in page  # followed in place by progress.js
    # The web only queued it: nothing renders until a worker process claims the job.
    assert client.get(f"/letters/{letter.slug}/export.pdf").status_code == 202
    assert db.session.scalar(sa.select(ExportJob.status)) is ExportStatus.queued
    with app.app_context():
        assert worker.work(once=True, worker_id="test-worker") == 1
        db.session.remove()
    response = client.get(f"/letters/{letter.slug}/export.pdf")
    assert response.status_code == 200 and response.get_data().startswith(b"%PDF")
    job = db.session.scalar(sa.select(ExportJob))
    assert job.status is ExportStatus.done and job.progress == 100 and job.data is None
    assert job.claimed_by == "test-worker"
    # Asked again: the same file from the job, with no new rendering.
    assert client.get(f"/letters/{letter.slug}/export.pdf").get_data() == response.get_data()


def test_inline_runner_and_an_abandoned_job_is_taken_over(lead, client, config, small_limits):
    config["PUBLISHING_EXPORT_RUNNER"] = "inline"
    letter = letter_with(lead, [f"Org {i}" for i in range(5)], status="final")
    fl = load_final_letter(letter)
    # A job whose process died mid-render: running, and silent for longer than allowed.
    db.session.add(
        ExportJob(
            letter_id=letter.id, format="docx", content_hash=fl.content_hash,
            status=ExportStatus.running, progress=40, data=fl.to_dict(),
            heartbeat_at=utcnow() - timedelta(minutes=10),
        )
    )  # fmt: skip
    db.session.commit()
    login(client, "lead@example.org")
    response = client.get(f"/letters/{letter.slug}/export.docx")
    assert response.status_code == 200 and response.get_data()[:2] == b"PK"
    job = db.session.scalar(sa.select(ExportJob).where(ExportJob.format == "docx"))
    assert job.status is ExportStatus.done


def test_a_changed_draft_gets_a_new_job_and_the_old_one_goes(lead, client, config, small_limits):
    config["PUBLISHING_EXPORT_RUNNER"] = "inline"
    letter = letter_with(lead, [f"Org {i}" for i in range(5)], status="open")
    login(client, "lead@example.org")
    assert client.get(f"/letters/{letter.slug}/export.pdf").status_code == 200
    add_signature(letter, "Newcomer Org")
    assert client.get(f"/letters/{letter.slug}/export.pdf").status_code == 200
    hashes = db.session.scalars(sa.select(ExportJob.content_hash)).all()
    assert hashes == [load_final_letter(reload(letter)).content_hash]


def test_the_renderer_reports_each_page_laid_out():
    pages: list[int] = []
    render_pdf(
        plain_final_letter([f"Organization {i:03}" for i in range(120)]), on_page=pages.append
    )
    assert pages == list(range(1, len(pages) + 1)) and len(pages) >= 3


def test_expected_pages_is_a_fair_guess():
    fl = plain_final_letter([f"Organization {i:03}" for i in range(120)])
    assert 3 <= exports.expected_pages(fl) <= 6


@pytest.mark.browser
def test_in_a_browser_the_progress_page_hands_over_the_file_when_ready(
    lead, page, small_limits, app, jobs_worker
):
    letter = letter_with(lead, [f"Org {i}" for i in range(6)], status="final")
    page.goto("/auth/login")
    page.get_by_label("Email").fill("lead@example.org")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/letters/")

    # The first visit starts the job and shows its progress; the page then downloads the
    # file by itself once it is ready, without reloading in between.
    with page.expect_download(timeout=60000) as download:
        page.goto(f"/letters/{letter.slug}/export.pdf")
        page.get_by_role("heading", name="Preparing the PDF").wait_for()
        assert 'http-equiv="refresh"' not in page.content()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
