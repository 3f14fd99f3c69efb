"""Settings, read from the environment.

`APP_ENV` picks the profile (development, testing, production); unset, it is production, so a
server started without thought is never in debug mode with a known key. Named settings come from
their own variables (DATABASE_URL, SECRET_KEY, MAIL_*, BASE_URL, RATELIMIT_STORAGE_URI);
any other Flask or extension setting can be given as FLASK_<KEY>, applied last.
"""

from __future__ import annotations

import os
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent / "instance"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class ConfigError(RuntimeError):
    """A required setting is missing; the app refuses to start."""


class BaseConfig:
    APP_ENV = "base"
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    BASE_URL = "http://127.0.0.1:5000"
    SITE_NAME = "Undersigned"

    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "Undersigned <no-reply@undersigned.localhost>"
    MAIL_SUPPRESS_SEND = False
    MAIL_TIMEOUT = 15.0
    # Outbox worker: how many attempts before a message is marked failed, and the first
    # backoff step (doubled each try).
    OUTBOX_MAX_ATTEMPTS = 6
    OUTBOX_BACKOFF_SECONDS = 30
    OUTBOX_BATCH_SIZE = 50
    # A message claimed by a worker that died is handed out again after this long.
    OUTBOX_CLAIM_TIMEOUT_SECONDS = 300
    DEV_MAILBOX = False
    # Large exports: "worker" queues them for `flask jobs work`; "inline" renders them in the
    # request. A running job silent for this long (its worker died) is taken over.
    PUBLISHING_EXPORT_RUNNER = "worker"
    EXPORT_JOB_STALE_SECONDS = 120
    # How often `flask jobs work` applies the retention periods (erasing contact data).
    RETENTION_EVERY_SECONDS = 24 * 3600

    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_AUTH = "10 per minute;60 per hour"
    # Anonymous pages that render the letter (sign pages, public page, count badge, API),
    # and the public PDF, per client address.
    RATELIMIT_PUBLIC_PAGE = "120 per minute;2000 per hour"
    RATELIMIT_PUBLIC_PDF = "10 per minute;100 per hour"
    # Per account, whatever the client (app/auth/login_limits.py): this many wrong passwords
    # within the window lock the account's password logins for LOGIN_LOCK_MINUTES.
    LOGIN_FAILURE_LIMIT = 10
    LOGIN_FAILURE_WINDOW_MINUTES = 15
    LOGIN_LOCK_MINUTES = 15

    WTF_CSRF_TIME_LIMIT = 6 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "undersigned_session"
    PERMANENT_SESSION_LIFETIME = 14 * 24 * 3600
    HSTS = False
    # Behind a load balancer, how many proxies set X-Forwarded-For/-Proto (0: none). Client
    # addresses (rate limits, audit) are only right when this matches the deployment.
    PROXY_COUNT = 0

    EMAIL_TOKEN_HOURS = 48
    RESET_TOKEN_HOURS = 2
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024

    @classmethod
    def from_environment(cls) -> dict:
        """The settings of this profile with the environment applied on top."""
        cfg = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        env = os.environ
        if env.get("SECRET_KEY"):
            cfg["SECRET_KEY"] = env["SECRET_KEY"]
        if env.get("DATABASE_URL"):
            cfg["SQLALCHEMY_DATABASE_URI"] = env["DATABASE_URL"]
        if env.get("BASE_URL"):
            cfg["BASE_URL"] = env["BASE_URL"].rstrip("/")
        if env.get("RATELIMIT_STORAGE_URI"):
            cfg["RATELIMIT_STORAGE_URI"] = env["RATELIMIT_STORAGE_URI"]
        for key in ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_DEFAULT_SENDER"):
            if env.get(key):
                cfg[key] = env[key]
        if env.get("MAIL_PORT"):
            cfg["MAIL_PORT"] = int(env["MAIL_PORT"])
        if env.get("PROXY_COUNT"):
            cfg["PROXY_COUNT"] = int(env["PROXY_COUNT"])
        if env.get("MAIL_TIMEOUT"):
            cfg["MAIL_TIMEOUT"] = float(env["MAIL_TIMEOUT"])
        cfg["MAIL_USE_TLS"] = _bool("MAIL_USE_TLS", cfg["MAIL_USE_TLS"])
        cfg["MAIL_USE_SSL"] = _bool("MAIL_USE_SSL", cfg["MAIL_USE_SSL"])
        return cfg


class DevelopmentConfig(BaseConfig):
    APP_ENV = "development"
    DEBUG = True
    SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - development profile only

    @classmethod
    def from_environment(cls) -> dict:
        cfg = super().from_environment()
        if not cfg["SQLALCHEMY_DATABASE_URI"]:
            INSTANCE_DIR.mkdir(exist_ok=True)
            cfg["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{INSTANCE_DIR / 'undersigned.db'}"
        # Without an SMTP server, the worker delivers into the mailbox page at /dev/mail.
        cfg["DEV_MAILBOX"] = not cfg["MAIL_SERVER"]
        return cfg


class TestingConfig(BaseConfig):
    APP_ENV = "testing"
    TESTING = True
    SECRET_KEY = "testing-not-secret"  # noqa: S105 - test profile only
    # Limits stay switched on in tests (so they are tested), but set high; a test that checks
    # a limit lowers it for itself.
    RATELIMIT_AUTH = "10000 per minute"
    RATELIMIT_PUBLIC_PAGE = "10000 per minute"
    RATELIMIT_PUBLIC_PDF = "10000 per minute"
    OUTBOX_BACKOFF_SECONDS = 0
    MAIL_TIMEOUT = 5.0

    @classmethod
    def from_environment(cls) -> dict:
        cfg = super().from_environment()
        cfg["SQLALCHEMY_DATABASE_URI"] = os.environ.get(
            "TEST_DATABASE_URL", cfg["SQLALCHEMY_DATABASE_URI"] or "sqlite://"
        )
        return cfg


class ProductionConfig(BaseConfig):
    APP_ENV = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    HSTS = True

    @classmethod
    def from_environment(cls) -> dict:
        cfg = super().from_environment()
        missing = [
            name
            for name, key in (
                ("SECRET_KEY", "SECRET_KEY"),
                ("DATABASE_URL", "SQLALCHEMY_DATABASE_URI"),
            )
            if not cfg.get(key)
        ]
        if missing:
            unset = (
                "" if os.environ.get("APP_ENV") else " (APP_ENV is unset, which means production)"
            )
            raise ConfigError(
                "Undersigned will not start in production without: "
                + ", ".join(missing)
                + unset
                + ". Set them, or set APP_ENV=development to try the app locally (make run does)."
            )
        return cfg


PROFILES: dict[str, type[BaseConfig]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load(profile: str | None = None) -> dict:
    """The settings for a profile name (default: $APP_ENV, else production)."""
    name = (profile or os.environ.get("APP_ENV") or "production").lower()
    if name not in PROFILES:
        raise ConfigError(f"Unknown APP_ENV {name!r}; use one of {', '.join(PROFILES)}")
    return PROFILES[name].from_environment()
