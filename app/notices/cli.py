"""`flask notices send-due [--force]`: tell the lead what needs a decision."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.notices import sending

notices_cli = AppGroup("notices", help="Emails to the lead about what needs a decision.")


def register(app: Flask) -> None:
    app.cli.add_command(notices_cli)


@notices_cli.command("send-due")
@click.option("--force", is_flag=True, help="Send every pending digest now.")
def send_due_command(force: bool) -> None:
    """Queue the notices that are due: each event at once, or hourly and daily digests, as
    each member chose. Safe to run from cron, and twice at once."""
    queued = sending.send_due(force=force)
    click.echo(f"{queued} notice email{'s' if queued != 1 else ''} queued.")
