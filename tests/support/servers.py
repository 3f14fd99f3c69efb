"""Real servers for load, fault and limit tests: gunicorn serving the app on a free port."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class Gunicorn:
    def __init__(self, port: int, database_url: str, *, workers: int = 2, env: dict | None = None):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None
        self.env = {
            **os.environ,
            "APP_ENV": "testing",
            "TEST_DATABASE_URL": database_url,
            "BASE_URL": self.url,
            **(env or {}),
        }
        self.workers = workers

    def start(self, timeout: float = 30) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "wsgi:app",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2):
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("gunicorn exited while starting") from None
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer /healthz in time")

    def worker_pids(self) -> list[int]:
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
        ).stdout
        return [int(p) for p in out.split()]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


class Browserless:
    """A tiny HTTP client with cookies that can fill a form's CSRF token (no JavaScript)."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base_url + path))

    def post(self, path: str, data: dict, *, token_from: str | None = None) -> tuple[int, str]:
        _, page = self.get(token_from or path)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        payload = {"csrf_token": match.group(1) if match else "", **data}
        body = urllib.parse.urlencode(payload).encode()
        return self._open(urllib.request.Request(self.base_url + path, data=body, method="POST"))

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None
