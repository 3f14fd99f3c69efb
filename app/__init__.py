"""Undersigned: coalition sign-on letters. `create_app` builds the Flask application."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

import config as settings

BLUEPRINTS = (
    "app.core.routes",
    "app.auth.routes",
    "app.auth.two_factor_routes",
    "app.auth.passkey_routes",
    "app.orgs.routes",
    "app.mail.routes",
    "app.letters.routes",
    "app.invitations.routes",
    "app.signing.routes",
    "app.publishing.routes",
    "app.delivery.routes",
    "app.notices.routes",
)

COMMANDS = (
    "app.auth.cli",
    "app.mail.cli",
    "app.signing.cli",
    "app.invitations.cli",  # after signing: its demo part needs the letter demo-open
    "app.publishing.cli",
    "app.delivery.cli",  # after publishing: joins its `letters` group
    "app.notices.cli",
    "app.demo",
)


def create_app(config: str | Mapping[str, Any] | None = None) -> Flask:
    """Build the app from a profile name, or a mapping of settings over the testing profile.

    Order: settings, extensions, blueprints, error handlers and hooks, shell context, commands.
    """
    app = Flask(__name__, instance_relative_config=False)
    if config is None or isinstance(config, str):
        app.config.update(settings.load(config))
    else:
        app.config.update(settings.load(config.get("APP_ENV", "testing")))
        app.config.update(config)
    # Any Flask or extension setting as FLASK_<KEY>, e.g. FLASK_RATELIMIT_ENABLED=false.
    app.config.from_prefixed_env()
    _check_required(app)
    from app.core.wsgi import QueryStringGuard

    app.wsgi_app = QueryStringGuard(app.wsgi_app)
    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    from app.core.params import DatabaseIntConverter

    # Every `<int:…>` in a URL names a database row: a number no row can have is a 404.
    app.url_map.converters["int"] = DatabaseIntConverter
    register_extensions(app)
    register_blueprints(app)

    from app.core import errors, security

    errors.register(app)
    security.register(app)

    app.shell_context_processor(_shell_context)
    register_commands(app)
    return app


def _check_required(app: Flask) -> None:
    if not app.config.get("SECRET_KEY"):
        raise settings.ConfigError("SECRET_KEY is required")
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        raise settings.ConfigError("DATABASE_URL is required")


def register_extensions(app: Flask) -> None:
    # Imported here, not at module level: the feature package `app.mail` would shadow a
    # module-level name `mail` in this package.
    from app import extensions as ext
    from app import models  # noqa: F401 - registers every table on the metadata
    from app.auth.sessions import load_user
    from app.core.database import configure_sqlite

    ext.db.init_app(app)
    ext.migrate.init_app(app, ext.db, directory=str(_migrations_dir()))
    ext.login_manager.init_app(app)
    ext.csrf.init_app(app)
    ext.mail.init_app(app)
    ext.limiter.init_app(app)
    with app.app_context():
        configure_sqlite(ext.db.engine)

    login_manager = ext.login_manager
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # our server-side login sessions do this job


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"


def register_blueprints(app: Flask) -> None:
    from importlib import import_module

    for module in BLUEPRINTS:
        app.register_blueprint(import_module(module).bp)


def register_commands(app: Flask) -> None:
    from importlib import import_module

    for module in COMMANDS:
        import_module(module).register(app)


def _shell_context() -> dict[str, Any]:
    from app import models
    from app.extensions import db

    return {"db": db, "models": models}
