"""Test fixtures: a migrated database (SQLite by default, PostgreSQL with TEST_DATABASE_URL),
factories that build what a test needs, a real SMTP server, and a live server for browsers."""

from __future__ import annotations

import contextvars
import os
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from app import create_app
from app.actor import Actor
from app.extensions import db, limiter
from tests.support.factories import Factories
from tests.support.smtp import SMTPServer

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
ON_POSTGRES = bool(TEST_DATABASE_URL and TEST_DATABASE_URL.startswith("postgresql"))
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set TEST_DATABASE_URL (.ci/run does)")
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(skip_pg)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _reset_schema(url: str) -> None:
    """Start from an empty database: the schema is then built by the migrations alone."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url):
    from flask_migrate import upgrade

    _reset_schema(database_url)
    application = create_app(
        {
            "APP_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "BASE_URL": "http://testserver.localhost",
        }
    )
    application.test_client_class = IsolatedClient
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


class IsolatedClient(FlaskClient):
    """Every request runs in its own app context, as in production.

    Flask reuses an app context that a test has pushed, which would share `g` (the cached
    login and CSRF token) and the database session between requests and the test. After a
    request, the test's own session is expired so it reads what the request committed.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        # Werkzeug spools a large multipart body into a temporary file and leaves it open.
        request = getattr(response, "request", None)
        if request is not None and hasattr(request.environ.get("wsgi.input"), "close"):
            request.environ["wsgi.input"].close()
        if has_app_context():
            db.session.expire_all()
        return response


@pytest.fixture(autouse=True)
def _clean_state(request) -> Iterator[None]:
    """Each test starts with empty tables and fresh rate-limit counters."""
    yield
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    with application.app_context():
        db.session.rollback()
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        try:
            limiter.reset()
        except Exception:  # noqa: BLE001, S110 - a storage without reset has nothing to clear
            pass


@pytest.fixture
def app_ctx(app) -> Iterator[None]:
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def config(app) -> Iterator[dict]:
    """Change settings for one test; they are restored afterwards."""
    saved = dict(app.config)
    yield app.config
    app.config.clear()
    app.config.update(saved)


@pytest.fixture
def make(app_ctx) -> Factories:
    return Factories()


@pytest.fixture
def actor() -> Actor:
    return Actor(ip="127.0.0.1", user_agent="pytest")


def csrf_token(client, path: str = "/auth/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post_form(client, path: str, data: dict | None = None, *, token_from: str | None = None, **kw):
    """POST a form the way a browser would: with the CSRF token from a page."""
    payload = dict(data or {})
    payload.setdefault("csrf_token", csrf_token(client, token_from or path))
    return client.post(path, data=payload, **kw)


def login(client, email: str, password: str = "correct horse battery"):
    return post_form(client, "/auth/login", {"email": email, "password": password})


@pytest.fixture
def smtp_server(config) -> Iterator[SMTPServer]:
    """A real SMTP server on a free port; the app is pointed at it for this test."""
    server = SMTPServer(port=free_port())
    server.start()
    config["MAIL_SERVER"] = "127.0.0.1"
    config["MAIL_PORT"] = server.port
    config["DEV_MAILBOX"] = False
    try:
        yield server
    finally:
        server.stop()


class LiveServer:
    def __init__(self, app, port: int):
        self.app = app
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._server = make_server("127.0.0.1", port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def live_server(app, config) -> Iterator[LiveServer]:
    port = free_port()
    config["BASE_URL"] = f"http://127.0.0.1:{port}"
    server = LiveServer(app, port)
    server.start()
    try:
        yield server
    finally:
        server.stop()


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright. Missing Chromium fails in CI, skips elsewhere."""
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run installs it with apt")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser page on the live server; a screenshot is kept if the test fails."""
    # bypass_csp lets the tests inject axe-core; the app's own pages never need it.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(15000)
    pg = context.new_page()
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)
