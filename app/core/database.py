"""Database engine settings that the URL cannot carry."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine


def configure_sqlite(engine: Engine) -> None:
    """Foreign keys on, WAL, and a busy timeout for every SQLite connection."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL loses no committed data when a process dies, only (at worst)
            # the last commits on power loss; FULL would fsync every commit.
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
