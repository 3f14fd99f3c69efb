"""The ceiling for sign-on throughput: a bare Flask route that inserts one row.

Served by the same gunicorn settings as the app; it does the least a sign-on must do (parse
a form, write a row to PostgreSQL, answer) and nothing else.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask, request

engine = sa.create_engine(os.environ["BARE_DATABASE_URL"], pool_pre_ping=True)
rows = sa.table("bare_signons", sa.column("email"), sa.column("name"))

app = Flask(__name__)


@app.get("/healthz")
def healthz():
    return "ok"


@app.post("/sign")
def sign():
    with engine.begin() as conn:
        conn.execute(
            sa.insert(rows).values(email=request.form["email"], name=request.form["signer_name"])
        )
    return "Thank you", 201


def create_table() -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS bare_signons"))
        conn.execute(
            sa.text(
                "CREATE TABLE bare_signons (id serial PRIMARY KEY, email text NOT NULL, name text)"
            )
        )
