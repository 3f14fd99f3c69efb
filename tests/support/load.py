"""Load and fault helpers: many sign-ons from many HTTP clients at once, a slow SMTP server,
and the checks that every sign-on in the database was written whole."""

from __future__ import annotations

import asyncio
import email
import hashlib
import http.client
import queue
import random
import threading
import time
import urllib.error
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.mail.transport import OUTBOX_ID_HEADER
from tests.support.servers import Browserless
from tests.support.smtp import SMTPServer, _Handler

CHECK_EMAIL = "Check your email"
# What a client sees when the process serving its request dies: the connection is cut.
CUT = (
    http.client.RemoteDisconnected,
    http.client.IncompleteRead,
    ConnectionResetError,
    BrokenPipeError,
)


@dataclass(frozen=True)
class SignOn:
    """One organization's sign-on as typed into the open sign form."""

    n: int
    email: str
    organization: str
    website: str
    repeat_of: int | None = None  # the n of the earlier sign-on this one repeats

    @property
    def mailbox(self) -> str:
        return self.email.lower()

    def form(self) -> dict[str, str]:
        return {
            "organization_name": self.organization,
            "acronym": "",
            "website": self.website,
            "country": "Norland",
            "signer_name": f"Signer Number {self.n}",
            "signer_title": "Director",
            "email": self.email,
            "authorized": "y",
            "note_to_lead": "",
        }


def plan_sign_ons(count: int, *, repeat_every: int = 10, seed: int = 7) -> list[SignOn]:
    """`count` sign-ons in submission order; every `repeat_every`-th repeats an earlier one.

    A repeat is the same person for the same organization signing again, soon after the
    first (so the two are often in flight together); every other one types the address in
    capitals, which is the same mailbox.
    """
    rng = random.Random(seed)
    plan: list[SignOn] = []
    originals: list[SignOn] = []
    repeated: set[int] = set()
    for n in range(count):
        recent = [s for s in originals[-30:] if s.n not in repeated]
        if n % repeat_every == repeat_every - 1 and recent:
            first = rng.choice(recent)
            repeated.add(first.n)
            email = first.email.upper() if len(repeated) % 2 else first.email
            plan.append(SignOn(n, email, first.organization, first.website, repeat_of=first.n))
            continue
        # Names far apart, so that confirming one never flags another as a look-alike.
        tag = hashlib.sha256(f"{seed}:{n}".encode()).hexdigest()[:10]
        sign_on = SignOn(
            n, f"signer{n}@c{tag}.example.org", f"Coalition {tag}", f"c{tag}.example.org"
        )
        originals.append(sign_on)
        plan.append(sign_on)
    return plan


@dataclass
class Outcome:
    sign_on: SignOn
    status: int | None = None  # the POST's status, or the GET's when that failed
    error: str | None = None  # the exception when the connection failed
    cut: bool = False  # the error is a cut connection (allowed when a worker is killed)
    posted: bool = False  # the form was sent (else the page request failed)
    excerpt: str = ""  # the start of a page that was not a success
    seconds: float = 0.0

    @property
    def accepted(self) -> bool:
        return self.status == 200 and not self.excerpt


@dataclass
class Burst:
    """`clients` threads, each a browser with its own cookies, working through `sign_ons`:
    open the sign page (which sets the session and its CSRF token), then post the form."""

    base_url: str
    slug: str
    sign_ons: list[SignOn]
    clients: int
    outcomes: list[Outcome] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._todo: queue.SimpleQueue[SignOn] = queue.SimpleQueue()
        for sign_on in self.sign_ons:
            self._todo.put(sign_on)
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self.crashes: list[BaseException] = []

    @property
    def done(self) -> int:
        with self._lock:
            return len(self.outcomes)

    def start(self) -> Burst:
        self._threads = [
            threading.Thread(target=self._client, daemon=True) for _ in range(self.clients)
        ]
        for thread in self._threads:
            thread.start()
        return self

    def wait_for(self, done: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while self.done < done:
            if time.monotonic() > deadline:
                raise AssertionError(f"only {self.done} of {done} sign-ons answered in time")
            time.sleep(0.01)

    def join(self, timeout: float = 300) -> list[Outcome]:
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(timeout=max(0.1, deadline - time.monotonic()))
        assert not any(t.is_alive() for t in self._threads), "the burst did not finish in time"
        assert self.crashes == [], self.crashes
        return sorted(self.outcomes, key=lambda o: o.sign_on.n)

    def run(self, timeout: float = 300) -> list[Outcome]:
        return self.start().join(timeout)

    def _client(self) -> None:
        browser = Browserless(self.base_url)
        path = f"/l/{self.slug}/sign"
        try:
            while True:
                try:
                    sign_on = self._todo.get_nowait()
                except queue.Empty:
                    return
                outcome = Outcome(sign_on)
                started = time.monotonic()
                try:
                    status, page = browser.get(path)
                    if status == 200:
                        outcome.posted = True
                        status, page = browser.submit(path, sign_on.form(), page=page)
                    outcome.status = status
                    if status != 200 or CHECK_EMAIL not in page:
                        outcome.excerpt = page[:500] or "(empty page)"
                except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
                    reason = getattr(exc, "reason", exc)
                    outcome.error = f"{type(reason).__name__}: {reason}"
                    outcome.cut = isinstance(reason, CUT) or isinstance(exc, CUT)
                outcome.seconds = time.monotonic() - started
                with self._lock:
                    self.outcomes.append(outcome)
        except BaseException as exc:  # noqa: BLE001 - reported by join()
            self.crashes.append(exc)


def summary(outcomes: list[Outcome]) -> str:
    """Counts of answers and the latency of a sign-on (page and post), for the test output."""
    answers = Counter(
        o.status if o.error is None else "cut" if o.cut else o.error for o in outcomes
    )
    times = sorted(o.seconds for o in outcomes if o.error is None) or [0.0]
    median, p95 = times[len(times) // 2], times[int(len(times) * 0.95)]
    return f"answers {dict(answers)}; sign-on median {median:.3f}s, p95 {p95:.3f}s"


@dataclass
class _SlowHandler(_Handler):
    """Accepts each message only after `delay` seconds, like a busy relay; can hold back the
    answer to the `hold_at`-th message to arrive (counting from 1) once it has queued it."""

    delay: float = 0.02
    arrivals: int = 0
    hold_at: int | None = None
    held: int | None = None  # the outbox id of the message being held
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.arrivals += 1  # the handler runs in the server's one event loop
        if self.arrivals != self.hold_at:
            await asyncio.sleep(self.delay)
            return await super().handle_DATA(server, session, envelope)
        # Like a real relay, the message is queued before the "250" goes back: a client that
        # dies now has delivered it without knowing.
        answer = await super().handle_DATA(server, session, envelope)
        self.held = int(email.message_from_bytes(envelope.content)[OUTBOX_ID_HEADER])
        self.holding.set()
        deadline = time.monotonic() + 30
        while not self.release.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        return answer


class SlowSMTPServer(SMTPServer):
    """An SMTP server that takes `delay` seconds per message and can hold one message."""

    def __init__(self, port: int, delay: float):
        super().__init__(port)
        self.handler = _SlowHandler(delay=delay)

    def hold(self, arrival: int) -> None:
        """Hold the `arrival`-th message to arrive: received and kept, but not yet answered."""
        self.handler.holding.clear()
        self.handler.release.clear()
        self.handler.hold_at = arrival

    def wait_holding(self, timeout: float = 60) -> int:
        """The outbox id of the message held, once it has arrived."""
        if not self.handler.holding.wait(timeout):
            raise AssertionError(f"message {self.handler.hold_at} did not arrive in time")
        return self.handler.held

    def release(self) -> None:
        """Send the answer to the held message (if its client is still there to read it)."""
        self.handler.release.set()


# What one sign-on writes in its transaction (app.signing.operations.sign): the signature with
# a "signature.created" event and its confirmation email; a repeat of an address that has an
# active signature writes a "signature.signed_again" event, a further email and a manage link.
_SIGN_ON_ROWS = """
WITH sigs AS (SELECT id FROM signatures WHERE letter_id = :letter_id),
created AS (
    SELECT object_id AS id, count(*) AS n FROM audit_events
    WHERE object_type = 'signatures' AND action = 'signature.created' GROUP BY object_id),
again AS (
    SELECT object_id AS id, count(*) AS n FROM audit_events
    WHERE object_type = 'signatures'
      AND action IN ('signature.signed_again', 'signature.corrected')  -- a correction repeats too
    GROUP BY object_id),
mail AS (
    SELECT ref_id AS id, count(*) AS n FROM outbox
    WHERE ref_type = 'signatures' AND kind = 'signature_verify' GROUP BY ref_id),
extra_links AS (SELECT signature_id AS id, count(*) AS n FROM signature_links GROUP BY 1)
SELECT s.id, coalesce(c.n, 0), coalesce(a.n, 0), coalesce(m.n, 0), coalesce(l.n, 0)
FROM sigs s
LEFT JOIN created c ON c.id = s.id LEFT JOIN again a ON a.id = s.id
LEFT JOIN mail m ON m.id = s.id LEFT JOIN extra_links l ON l.id = s.id
ORDER BY s.id
"""

_ORPHANS = """
SELECT 'audit event ' || e.action || ' #' || e.id FROM audit_events e
WHERE e.object_type = 'signatures'
  AND NOT EXISTS (SELECT 1 FROM signatures s WHERE s.id = e.object_id)
UNION ALL
SELECT 'outbox message #' || o.id FROM outbox o
WHERE o.ref_type = 'signatures'
  AND NOT EXISTS (SELECT 1 FROM signatures s WHERE s.id = o.ref_id)
"""


def half_written(conn: sa.Connection, letter_id: int) -> list[str]:
    """Every way the sign-ons of a letter are not whole; empty when each one is."""
    problems = []
    rows = conn.execute(sa.text(_SIGN_ON_ROWS), {"letter_id": letter_id}).all()
    for signature_id, created, again, mails, links in rows:
        if created != 1:
            problems.append(f"signature {signature_id}: {created} 'signature.created' events")
        if mails != 1 + again:
            problems.append(
                f"signature {signature_id}: {mails} confirmation emails for {1 + again} sign-ons"
            )
        if links != again:
            problems.append(
                f"signature {signature_id}: {links} extra manage links for {again} repeats"
            )
    problems += [f"{row[0]} has no signature" for row in conn.execute(sa.text(_ORPHANS))]
    return problems
