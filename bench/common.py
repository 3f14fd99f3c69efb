"""Shared set-up for the benchmark scripts: a migrated scratch database and local servers."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def database_url() -> str:
    """BENCH_DATABASE_URL, else PostgreSQL's `bench` database when PostgreSQL answers (never
    `test`, which the test suite drops and rebuilds), else a scratch SQLite file."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return f"sqlite:///{tempfile.mkdtemp(prefix='bench-')}/bench.db"
    return pg_database("bench")


def pg_database(name: str) -> str:
    """The URL of a PostgreSQL database on this machine, created when missing."""
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).scalar()
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_URL.rsplit("/", 1)[0] + "/" + name


def fresh_app(url: str, **settings):
    """An app on an empty, migrated database."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, **settings})
    with app.app_context():
        upgrade()
        db.session.remove()
    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def smtp_sink(port: int) -> subprocess.Popen:
    """A real SMTP server in its own process that accepts and discards every message."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port)
    return process


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def figure(name: str, value: float | int, note: str = "") -> str:
    """One result line in the `name: value` form that `make bench` ends with."""
    text = f"{value:.3f}" if isinstance(value, float) else str(value)
    print(f"{name}: {text}" + (f"  # {note}" if note else ""), flush=True)
    return f"{name}: {text}"
