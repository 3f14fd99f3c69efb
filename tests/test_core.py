"""The rails: settings, security headers, error pages, health, schema by migrations."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

import config as settings
from app import create_app


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_security_headers_on_every_page(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "script-src 'self'",
    ):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_error_pages_match_the_site(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Page not found" in body
    assert 'class="site-header"' in body
    assert client.post("/healthz").status_code == 405


def test_an_unexpected_error_shows_the_500_page(app):
    application = create_app(
        {
            "APP_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "PROPAGATE_EXCEPTIONS": False,
        }
    )

    @application.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = application.test_client().get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)


def test_production_refuses_to_start_without_secret_key_or_database(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(settings.ConfigError, match="SECRET_KEY, DATABASE_URL"):
        create_app()


def test_production_settings_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    monkeypatch.setenv("BASE_URL", "https://letters.example.org/")
    monkeypatch.setenv("FLASK_RATELIMIT_HEADERS_ENABLED", "false")
    application = create_app()
    assert application.config["SESSION_COOKIE_SECURE"] is True
    assert application.config["BASE_URL"] == "https://letters.example.org"
    assert application.config["RATELIMIT_HEADERS_ENABLED"] is False
    assert application.config["DEV_MAILBOX"] is False
    response = application.test_client().get("/healthz")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite only")
    from app.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(sa.text("PRAGMA busy_timeout")).scalar() >= 5000


def test_migrations_downgrade_to_base_and_upgrade_again_and_match_the_models(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_migrate import downgrade, upgrade

    from app.extensions import db

    with app.app_context():
        downgrade(revision="base")
        tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(app):
    application = create_app(
        {
            "APP_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "PROXY_COUNT": 1,
        }
    )

    @application.get("/whoami")
    def whoami():
        from flask import request

        return request.remote_addr or ""

    client = application.test_client()
    assert client.get("/whoami", headers={"X-Forwarded-For": "203.0.113.9"}).text == "203.0.113.9"
