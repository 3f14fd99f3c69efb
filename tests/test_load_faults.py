"""Load and faults on PostgreSQL, with real processes: gunicorn serving the sign page to many
clients at once, `flask mail work` sending the outbox, an SMTP server that is down or slow,
and processes killed with SIGKILL in the middle of their work.

What must hold: no 5xx, no sign-on lost or listed twice, no sign-on half written, every
email delivered once when SMTP comes back, and at most the message in flight delivered twice
when a mail worker dies.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.mail.transport import OUTBOX_ID_HEADER
from app.tokens import hash_token
from tests.conftest import free_port
from tests.support.factories import queue_notices
from tests.support.load import Burst, SlowSMTPServer, half_written, plan_sign_ons, summary
from tests.support.servers import Browserless, Gunicorn, MailWorker
from tests.support.signing_factories import links_in, make_open_letter
from tests.support.smtp import SMTPServer

pytestmark = pytest.mark.postgres

# The signing limits are per client address, and every client here is 127.0.0.1.
HIGH_LIMITS = {
    "FLASK_RATELIMIT_SIGN": "1000000 per minute",
    "FLASK_RATELIMIT_SIGN_PER_LETTER": "1000000 per minute",
    "FLASK_RATELIMIT_RESEND": "1000000 per minute",
}
WEB_WORKERS = 3


def _rows(sql: str, **params) -> list[sa.Row]:
    with db.engine.connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def _outbox() -> dict[int, tuple[str, str, int, str | None, str | None]]:
    """id → (status, to_addr, attempts, claimed_by, last_error) of every outbox row."""
    rows = _rows(
        "SELECT id, status, to_addr, attempts, claimed_by, last_error FROM outbox ORDER BY id"
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def _backends(application_name: str) -> list[sa.Row]:
    return _rows(
        "SELECT pid FROM pg_stat_activity WHERE application_name = :name", name=application_name
    )


def _wait_until(check, timeout: float, what: str, poll: float = 0.1) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(poll)


def _open_letter(make) -> tuple[str, int]:  # noqa: ANN001
    letter = make_open_letter(make.user())
    slug, letter_id = letter.slug, letter.id
    db.session.remove()
    return slug, letter_id


def _signatures(letter_id: int) -> list[sa.Row]:
    return _rows(
        "SELECT id, canonical_email, organization_name, status, verify_token_hash "
        "FROM signatures WHERE letter_id = :letter_id",
        letter_id=letter_id,
    )


def _assert_each_listed_once(signatures: list[sa.Row]) -> None:
    emails = Counter(row.canonical_email for row in signatures)
    organizations = Counter(row.organization_name for row in signatures)
    assert [e for e, n in emails.items() if n > 1] == [], "an address signed twice"
    assert [o for o, n in organizations.items() if n > 1] == [], "an organization signed twice"


def test_2000_sign_ons_from_64_clients_while_smtp_is_down(app, make, database_url, tmp_path):
    """One burst, two faults at once: heavy load on the web workers while the SMTP server
    is down. Then SMTP comes back on the same port, the mail worker that kept running sends
    what waited, and signers who signed twice confirm through their emails."""
    slug, letter_id = _open_letter(make)
    smtp_port = free_port()  # nothing listens here until the burst is over
    web = Gunicorn(free_port(), database_url, workers=WEB_WORKERS, env=HIGH_LIMITS)
    mailer = MailWorker(
        database_url,
        smtp_port,
        tmp_path / "mail-worker.log",
        interval=1.0,
        # The testing profile's few attempts and zero backoff stay: an unreachable server must
        # not use up attempts, however many passes the outage lasts. Small batches keep the
        # retries from taking CPU from the web workers.
        env={"FLASK_OUTBOX_BATCH_SIZE": "25"},
    )
    smtp = SMTPServer(port=smtp_port)
    plan = plan_sign_ons(2000, repeat_every=10)
    assert sum(s.repeat_of is not None for s in plan) == 200
    try:
        web.start()
        mailer.start()
        started = time.monotonic()
        outcomes = Burst(web.url, slug, plan, clients=64).run()
        print(f"\n2000 sign-ons in {time.monotonic() - started:.1f}s: {summary(outcomes)}")

        # 1. Zero 5xx; in fact every sign-on got the "check your email" page.
        assert [(o.sign_on.n, o.status, o.excerpt) for o in outcomes if o.status and o.status >= 500] == []  # fmt: skip
        assert [(o.sign_on.n, o.error) for o in outcomes if o.error] == []
        assert Counter(o.status for o in outcomes) == {200: 2000}
        assert all(o.accepted for o in outcomes)
        # Zero lost, zero listed twice: the 200 repeats made no new signature.
        signatures = _signatures(letter_id)
        stored = {row.canonical_email for row in signatures}
        assert {o.sign_on.mailbox for o in outcomes if o.accepted} - stored == set()
        assert len(signatures) == 1800
        _assert_each_listed_once(signatures)
        with db.engine.connect() as conn:
            assert half_written(conn, letter_id) == []
        # Each sign-on, repeat or not, queued its confirmation email.
        outbox = _outbox()
        assert len(outbox) == 2000

        # 2. SMTP is still down: the worker has been trying; nothing sent, nothing given up,
        # and no message has used up an attempt on a server that was not there.
        _wait_until(lambda: any(row[4] for row in _outbox().values()), 15, "a try")
        rows = _outbox().values()
        assert Counter(row[0] for row in rows).keys() <= {"queued", "sending"}
        assert {row[2] for row in rows} == {0}
        assert "cannot reach the SMTP server" in mailer.log()
        assert mailer.alive()

        smtp.start()
        back = time.monotonic()
        _wait_until(
            lambda: Counter(row[0] for row in _outbox().values()) == {"sent": 2000},
            120,
            "the outbox to drain",
            poll=0.5,
        )
        assert mailer.stop() == 0
        print(f"2000 emails delivered {time.monotonic() - back:.1f}s after SMTP came back")

        # Every email delivered, none twice: per outbox row, and per recipient.
        received = sorted(smtp.messages, key=lambda m: int(m.message[OUTBOX_ID_HEADER]))
        arrivals = Counter(int(m.message[OUTBOX_ID_HEADER]) for m in received)
        assert set(arrivals) == set(outbox)
        assert [(i, n) for i, n in arrivals.items() if n > 1] == []
        per_recipient = Counter(m.to.lower() for m in received)
        assert per_recipient == Counter(o.sign_on.mailbox for o in outcomes)

        # The newest email to each signer carries the one working confirmation link: a repeat
        # replaced the earlier link, so an address is confirmed, and listed, once.
        tokens: dict[str, list[str]] = {}
        for message in received:
            raw = links_in(message.text)["verify"].rsplit("/", 1)[1]
            tokens.setdefault(message.to.lower(), []).append(raw)
        working = {row.canonical_email: row.verify_token_hash for row in signatures}
        assert {email: hash_token(raws[-1]) for email, raws in tokens.items()} == working

        repeated = sorted({o.sign_on.mailbox for o in outcomes if o.sign_on.repeat_of is not None})
        sample = repeated[:50]
        with ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(lambda m: _confirm(web.url, tokens[m]), sample))
        assert answers == [(404, 200)] * len(sample)
        api = json.loads(Browserless(web.url).get(f"/api/v1/letters/{slug}")[1])
        assert api["count"] == len(sample)
    finally:
        mailer.stop()
        web.stop()
        smtp.stop()
    approved = [row for row in _signatures(letter_id) if row.status == "approved"]
    assert sorted(row.canonical_email for row in approved) == sample


def _confirm(base_url: str, raws: list[str]) -> tuple[int, int]:
    """Open the earlier confirmation link, then confirm with the newest: their statuses."""
    browser = Browserless(base_url)
    earlier, _ = browser.get(f"/s/verify/{raws[0]}")
    status, page = browser.get(f"/s/verify/{raws[-1]}")
    if status == 200:
        status, page = browser.submit(f"/s/verify/{raws[-1]}", {}, page=page)
    return earlier, status if "your signature is confirmed" in page else -status


def test_web_worker_killed_mid_burst_leaves_no_half_written_sign_on(app, make, database_url):
    """600 sign-ons from 64 clients; each of the three gunicorn workers is killed with
    SIGKILL in turn. A sign-on is written whole or not at all (operations.sign commits once)."""
    slug, letter_id = _open_letter(make)
    web = Gunicorn(free_port(), database_url, workers=WEB_WORKERS, env=HIGH_LIMITS)
    plan = plan_sign_ons(600, repeat_every=10, seed=11)
    killed: list[int] = []
    try:
        web.start()
        original_workers = set(web.worker_pids())
        assert len(original_workers) == WEB_WORKERS
        burst = Burst(web.url, slug, plan, clients=64).start()
        # Each original worker killed in turn while all are busy: each kill likely lands in
        # a request, and often inside its transaction.
        for done in (120, 260, 400):
            burst.wait_for(done)
            victim = sorted(original_workers - set(killed))[0]
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)
        outcomes = burst.join()
        print(f"\n600 sign-ons, {len(killed)} workers killed: {summary(outcomes)}")
        # The master replaced the dead workers and still serves.
        _wait_until(lambda: len(web.worker_pids()) == WEB_WORKERS, 30, "gunicorn to respawn")
        assert not set(killed) & set(web.worker_pids())
        assert Browserless(web.url).get("/healthz")[0] == 200
    finally:
        web.stop()

    # Requests cut by a kill get a connection error (at most the one in flight in each
    # killed sync worker), never a 5xx; everything else succeeded.
    assert [(o.sign_on.n, o.status, o.excerpt) for o in outcomes if o.status and o.status >= 500] == []  # fmt: skip
    assert [(o.sign_on.n, o.error) for o in outcomes if o.error and not o.cut] == []
    cut = [o for o in outcomes if o.cut]
    assert len(cut) <= len(killed), [o.error for o in cut]
    assert all(o.accepted for o in outcomes if not o.cut)

    signatures = _signatures(letter_id)
    stored = {row.canonical_email for row in signatures}
    assert {o.sign_on.mailbox for o in outcomes if o.accepted} - stored == set()
    _assert_each_listed_once(signatures)
    with db.engine.connect() as conn:
        assert half_written(conn, letter_id) == []
    for o in cut:
        where = "its form post" if o.posted else "its page request"
        kept = "kept" if o.sign_on.mailbox in stored else "not kept"
        print(f"sign-on {o.sign_on.n} cut in {where} ({o.error}): {kept}")
    # Each accepted sign-on queued its email; a cut one did, or did not, as a whole.
    mails = Counter(row[1].lower() for row in _outbox().values())
    accepted = Counter(o.sign_on.mailbox for o in outcomes if o.accepted)
    cut_mailboxes = Counter(o.sign_on.mailbox for o in cut)
    for mailbox, count in accepted.items():
        assert count <= mails[mailbox] <= count + cut_mailboxes[mailbox], mailbox


def test_mail_worker_killed_mid_batch_resends_at_most_the_message_in_flight(
    app, app_ctx, database_url, tmp_path
):
    """300 queued messages, an SMTP server taking 20 ms a message, and `flask mail work`
    killed with SIGKILL twice mid-batch (while a message is in flight), then started again
    until the outbox is empty."""
    ids = queue_notices(300)
    db.session.remove()

    smtp = SlowSMTPServer(free_port(), delay=0.02)
    settings = {
        "FLASK_OUTBOX_BATCH_SIZE": "20",
        # A dead worker's claimed rows are taken over after this; a batch takes about 0.5s.
        "FLASK_OUTBOX_CLAIM_TIMEOUT_SECONDS": "2",
    }
    workers: list[MailWorker] = []
    in_flight: list[int] = []  # per kill: the outbox id of the message being sent

    def new_worker() -> MailWorker:
        log = tmp_path / f"mail-worker-{len(workers)}.log"
        name = f"mail-worker-{len(workers)}"
        worker = MailWorker(database_url, smtp.port, log, name=name, env=settings).start()
        workers.append(worker)
        return worker

    started = time.monotonic()
    try:
        smtp.start()
        for arrival in (70, 170):
            worker = new_worker()
            # The worker has sent this message in full and waits for the server's answer:
            # the moment a crash makes delivery ambiguous.
            smtp.hold(arrival)
            held = smtp.wait_holding()
            assert worker.kill() == -signal.SIGKILL
            smtp.release()  # the server had queued it; the worker never heard so
            # PostgreSQL finishes a statement the worker sent before it died (the "sent"
            # mark of the message before): wait until its connections are gone.
            _wait_until(lambda w=worker: not _backends(w.name), 10, "its connections to close")
            claimed = sorted(
                i
                for i, row in _outbox().items()
                if row[0] == "sending" and row[3] == worker.worker_id
            )
            print(
                f"\nkilled at {time.monotonic() - started:.1f}s with message {held} in flight; "
                f"its batch left claimed: {claimed}"
            )
            # Mid-batch: everything before the message in flight was recorded as sent.
            assert claimed[0] == held
            in_flight.append(held)
        worker = new_worker()
        _wait_until(
            lambda: Counter(row[0] for row in _outbox().values()) == {"sent": 300},
            60,
            "the outbox to drain",
        )
        print(f"drained at {time.monotonic() - started:.1f}s")
        assert worker.stop() == 0
    finally:
        smtp.release()
        for worker in workers:
            worker.stop()
        smtp.stop()

    arrivals = Counter(int(m.message[OUTBOX_ID_HEADER]) for m in smtp.messages)
    assert set(arrivals) == set(ids), "a message was lost"
    twice = sorted(i for i, n in arrivals.items() if n > 1)
    print(f"in flight at the kills: {in_flight}; delivered twice: {twice}")
    assert max(arrivals.values()) <= 2
    assert set(twice) <= set(in_flight)
    # Here the server had queued each message in flight when its worker died, so both went
    # twice: delivery is at least once, and the Message-ID lets a mailbox drop the copy.
    assert twice == sorted(in_flight)
    copies = [
        m.message["Message-ID"] for m in smtp.messages if int(m.message[OUTBOX_ID_HEADER]) in twice
    ]
    assert len(set(copies)) == len(twice)
    # A row a worker died with was taken over (after the claim timeout) by a later worker.
    final = _outbox()
    assert all(final[i][3] != dead.worker_id for i, dead in zip(in_flight, workers, strict=False))
