"""`make run` on a fresh database: migrates, loads the demo, serves /healthz."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from app.demo import DEMO_EMAIL, DEMO_PASSWORD
from tests.conftest import free_port
from tests.support.servers import Browserless

ROOT = Path(__file__).resolve().parent.parent


def test_make_run_serves_healthz_and_the_demo(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
        "FLASK_DEBUG": "0",
    }
    env.pop("TEST_DATABASE_URL", None)
    # `make run` itself picks development: without APP_ENV the app would be production.
    env.pop("APP_ENV", None)
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        body = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = r.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert body is not None, "make run did not serve /healthz"
        assert '"status":"ok"' in body.replace(" ", "")
        # The printed demo login works, and the demo letters are there.
        client = Browserless(f"http://127.0.0.1:{port}")
        status, _ = client.post("/auth/login", {"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
        assert status == 302
        status, dashboard = client.get("/letters/")
        assert status == 200
        assert "demo-draft" in dashboard
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate(timeout=30)[0].decode(errors="replace")
    assert DEMO_EMAIL in output
    assert DEMO_PASSWORD in output
