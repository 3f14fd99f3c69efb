"""Real servers for load, fault and limit tests: gunicorn serving the app on a free port."""

from __future__ import annotations

import html
import http.cookiejar
import os
import re
import signal
import socket
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


class MailWorker:
    """`flask --app wsgi mail work` as a real process against a database and an SMTP port.

    Its output goes to `log_path`, so a test can show what the worker said.
    """

    def __init__(
        self,
        database_url: str,
        smtp_port: int,
        log_path: Path,
        *,
        interval: float = 0.2,
        name: str = "mail-worker",
        env: dict | None = None,
    ):
        # The PostgreSQL connections carry `name` (pg_stat_activity.application_name), so a
        # test can wait for the backends of a killed worker to finish what it had sent.
        self.name = name
        separator = "&" if "?" in database_url else "?"
        if database_url.startswith("postgresql"):
            database_url += f"{separator}application_name={name}"
        self.log_path = log_path
        self.interval = interval
        self.process: subprocess.Popen | None = None
        self._log = None
        self.env = {
            **os.environ,
            "APP_ENV": "testing",
            "TEST_DATABASE_URL": database_url,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp_port),
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }

    @property
    def worker_id(self) -> str:
        """The id the worker writes into `outbox.claimed_by` (see worker.default_worker_id)."""
        return f"{socket.gethostname()}:{self.process.pid}"[:100]

    def start(self) -> MailWorker:
        self._log = open(self.log_path, "ab")  # closed in wait()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "mail", "work",
             "--interval", str(self.interval)],
            cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> int:
        """SIGKILL: the worker dies wherever it is, mid-batch included."""
        os.kill(self.process.pid, signal.SIGKILL)
        return self.wait()

    def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM (the worker finishes its batch and exits); SIGKILL if it will not."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.wait()

    def wait(self, timeout: float = 10) -> int:
        code = self.process.wait(timeout=timeout)
        if self._log is not None:
            self._log.close()
            self._log = None
        return code

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


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
        return self._post(path, {"csrf_token": hidden_fields(page)["csrf_token"], **data})

    def submit(self, path: str, data: dict, *, page: str) -> tuple[int, str]:
        """POST `data` with the hidden fields (CSRF token, text version) of an already
        fetched `page`, as a browser submits the form it shows."""
        return self._post(path, {**hidden_fields(page), **data})

    def _post(self, path: str, payload: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(payload).encode()
        return self._open(urllib.request.Request(self.base_url + path, data=body, method="POST"))

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")


_HIDDEN = re.compile(r"<input\b[^>]*>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')


def hidden_fields(page: str) -> dict[str, str]:
    """The hidden inputs of a page (the CSRF token first among them), by name."""
    found = {"csrf_token": ""}
    for tag in _HIDDEN.findall(page):
        attrs = dict(_ATTR.findall(tag))
        if attrs.get("type") == "hidden" and "name" in attrs:
            found[attrs["name"]] = html.unescape(attrs.get("value", ""))
    return found


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None
