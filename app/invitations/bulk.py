"""Many rows in one request: 5,000 invitations, their emails, their address-book entries.

On PostgreSQL the rows go in with COPY, in the session's own transaction: psycopg 3 runs an
executemany as one pipelined statement per row (about 0.6 s per 5,000 small rows, measured),
and INSERT ... RETURNING batches are slower still (psycopg parses each huge statement).
Elsewhere (SQLite) a Core executemany runs in C and is fast enough.

Either way each row gets the column defaults (callables included) and the column types' bind
processing (UTC datetimes, enums as their values), exactly as an ORM insert would.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from app.extensions import db


def insert_many(model: type, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys) into `model`'s table, in the caller's
    transaction."""
    if not rows:
        return
    table: sa.Table = model.__table__
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(sa.insert(table), rows)
        return
    columns = [c for c in table.columns if c.key in rows[0] or _has_python_default(c)]
    processors = [_processor(c, connection.dialect) for c in columns]
    names = ", ".join(connection.dialect.identifier_preparer.quote(c.name) for c in columns)
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:  # noqa: S608 - our names
        for row in rows:
            values = []
            for column, process in zip(columns, processors, strict=True):
                value = row[column.key] if column.key in row else _default(column)
                values.append(process(value) if process is not None else value)
            copy.write_row(values)
    cursor.close()


def _processor(column: sa.Column, dialect: sa.Dialect) -> Any:
    # psycopg adapts JSON values itself in an INSERT, not in COPY: they go as JSON text.
    if isinstance(column.type, sa.JSON):
        return lambda value: None if value is None else json.dumps(value)
    return column.type.bind_processor(dialect)


def _has_python_default(column: sa.Column) -> bool:
    return column.default is not None and not column.primary_key


def _default(column: sa.Column) -> Any:
    default = column.default
    # SQLAlchemy wraps a callable default to take an execution context; ours ignore it.
    return default.arg(None) if default.is_callable else default.arg
