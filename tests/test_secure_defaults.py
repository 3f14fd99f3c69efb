"""Issue 12, finding 7: a server started without APP_ENV is a production server."""

from __future__ import annotations

import pytest

import config as settings
from app import create_app


@pytest.fixture
def bare_environment(monkeypatch):
    """The environment of someone who starts the app without reading the README."""
    for name in ("APP_ENV", "SECRET_KEY", "DATABASE_URL", "TEST_DATABASE_URL", "FLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_without_app_env_the_app_refuses_to_start_without_a_secret_key(bare_environment):
    with pytest.raises(settings.ConfigError) as refusal:
        create_app()
    message = str(refusal.value)
    assert "SECRET_KEY, DATABASE_URL" in message
    assert "APP_ENV is unset, which means production" in message
    assert "APP_ENV=development" in message
    # Only the database is missing: it still refuses, and says which.
    bare_environment.setenv("SECRET_KEY", "k" * 40)
    with pytest.raises(settings.ConfigError, match="without: DATABASE_URL"):
        create_app()


def test_without_app_env_the_app_runs_as_production(bare_environment, tmp_path):
    bare_environment.setenv("SECRET_KEY", "k" * 40)
    bare_environment.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.db'}")
    application = create_app()
    assert application.config["APP_ENV"] == "production"
    assert application.debug is False
    assert application.config["SECRET_KEY"] == "k" * 40
    response = application.test_client().get("/auth/login")
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    session_cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("undersigned_session=")
    )
    assert "Secure" in session_cookie
    assert "HttpOnly" in session_cookie


def test_the_development_key_is_never_used_without_asking_for_development(bare_environment):
    with pytest.raises(settings.ConfigError):
        settings.load(None)
    bare_environment.setenv("APP_ENV", "development")
    assert settings.load(None)["SECRET_KEY"] == settings.DevelopmentConfig.SECRET_KEY
