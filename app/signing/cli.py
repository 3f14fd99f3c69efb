"""`flask signatures expire`: expire sign-ons never confirmed in time (run it from cron)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.extensions import db
from app.signing.operations import expire_unverified

signatures_cli = AppGroup("signatures", help="Look after sign-ons.")


def register(app: Flask) -> None:
    app.cli.add_command(signatures_cli)
    # `flask demo` gains the open letter `demo-open` with sign-ons in every state.
    from app.demo import DEMO_PARTS
    from app.signing.demo import create_demo_signing

    if create_demo_signing not in DEMO_PARTS:
        DEMO_PARTS.append(create_demo_signing)


@signatures_cli.command("expire")
def expire_command() -> None:
    """Expire unconfirmed sign-ons whose confirmation link has run out."""
    count = expire_unverified()
    db.session.commit()
    click.echo(f"{count} unconfirmed sign-on{'s' if count != 1 else ''} expired.")
