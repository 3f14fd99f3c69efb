"""Rate limits hold across gunicorn workers when they share Redis storage."""

from __future__ import annotations

import socket
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import free_port
from tests.support.servers import Browserless, Gunicorn


def _redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def _login_burst(database_url: str, storage: str, attempts: int = 16) -> list[int]:
    server = Gunicorn(
        free_port(),
        database_url,
        workers=2,
        env={
            "RATELIMIT_STORAGE_URI": storage,
            # A fresh key prefix per run, so counters from another run never interfere.
            "FLASK_RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            "FLASK_RATELIMIT_AUTH": "5 per minute",
        },
    )
    server.start()

    def attempt(_: int) -> int:
        status, _ = Browserless(server.url).post(
            "/auth/login", {"email": "lead@example.org", "password": "wrong password"}
        )
        return status

    try:
        # Parallel clients keep both workers busy, so both count attempts.
        with ThreadPoolExecutor(max_workers=8) as pool:
            return list(pool.map(attempt, range(attempts)))
    finally:
        server.stop()


@pytest.mark.skipif(not _redis_reachable(), reason="Redis at 127.0.0.1:6379 is needed")
def test_login_limit_holds_across_two_workers_with_redis(make, database_url):
    make.user("lead@example.org")
    shared = _login_burst(database_url, "redis://127.0.0.1:6379/0")
    assert shared.count(200) == 5, shared
    assert shared.count(429) == 11, shared

    # The same burst with per-process memory storage lets more through: each worker counts
    # alone. This is what the shared storage is for.
    # gunicorn does not deal requests out in turn: on a busy machine one worker may take a
    # whole burst, so up to three bursts are tried before concluding that none got through.
    bursts = []
    for _ in range(3):
        bursts.append(_login_burst(database_url, "memory://"))
        if bursts[-1].count(200) > 5:
            break
    assert bursts[-1].count(200) > 5, bursts
