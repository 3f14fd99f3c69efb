"""`flask --app wsgi letters deliver SLUG` and `letters record-response SLUG …`.

Both call the same operations as the pages, as the command line (no user: the audit trail
says "command line"), and commit once.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask

from app.actor import Actor
from app.delivery import compose, files, notifications, operations
from app.errors import Refused
from app.extensions import db
from app.models import Letter

_CLI = Actor.system("command line")


def _letter(slug: str) -> Letter:
    letter = db.session.scalar(sa.select(Letter).where(Letter.slug == slug))
    if letter is None:
        raise click.ClickException(f"No letter at {slug!r}.")
    return letter


@click.command("deliver")
@click.argument("slug")
@click.option("--yes", is_flag=True, help="Send without asking for confirmation.")
@click.option("--dry-run", is_flag=True, help="Print the email; send nothing.")
def deliver_command(slug: str, yes: bool, dry_run: bool) -> None:
    """Email the final letter SLUG, its PDF attached, to the recipients' addresses on file."""
    letter = _letter(slug)
    try:
        operations.ensure_final(letter)
    except Refused as refusal:
        raise click.ClickException(refusal.message) from None
    cover = compose.default_cover(letter)
    if not cover.to:
        raise click.ClickException(
            "The letter's recipients have no delivery address (to). Add one to a recipient "
            "before its final version, or deliver from the letter's page, where you can type it."
        )
    public_url = notifications.public_links(letter)["public_url"]
    text, _ = compose.render(letter, cover, public_url=public_url)
    click.echo(f"To: {', '.join(cover.to)}")
    if cover.cc:
        click.echo(f"Cc: {', '.join(cover.cc)}")
    click.echo(f"Subject: {cover.subject}")
    click.echo("Attached: the final PDF\n")
    click.echo(text)
    if dry_run:
        click.echo("(dry run: nothing sent)", err=True)
        return
    if not yes and not click.confirm("Send this email now?", default=False):
        raise click.ClickException("Nothing sent.")
    try:
        delivery = operations.deliver(letter, cover, actor=_CLI)
    except Refused as refusal:
        db.session.rollback()
        raise click.ClickException(refusal.message) from None
    db.session.commit()
    click.echo(
        f"Queued delivery {delivery.id} ({delivery.message_id}); `flask mail work` sends it.",
        err=True,
    )


@click.command("record-response")
@click.argument("slug")
@click.option("--from", "from_name", required=True, help="Who responded.")
@click.option(
    "--date", "received_on", required=True, type=click.DateTime(["%Y-%m-%d"]),
    help="The date of the response, YYYY-MM-DD.",
)  # fmt: skip
@click.option("--summary", required=True, help="What the response says, in a few lines.")
@click.option(
    "--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The response itself: a PDF or an image.",
)  # fmt: skip
def record_response_command(
    slug: str, from_name: str, received_on, summary: str, path: Path | None
) -> None:  # noqa: ANN001
    """Record the response to the final letter SLUG; its signatories are told."""
    letter = _letter(slug)
    upload = None
    try:
        if path is not None:
            upload = files.check_upload(path.name, path.read_bytes()[: files.MAX_BYTES + 1])
        response = operations.record_response(
            letter, received_on=date(received_on.year, received_on.month, received_on.day),
            from_name=from_name, summary=summary, upload=upload, actor=_CLI,
        )  # fmt: skip
    except Refused as refusal:
        db.session.rollback()
        raise click.ClickException(refusal.message) from None
    db.session.commit()
    click.echo(f"Recorded response {response.id} from {response.from_name}.", err=True)


def register(app: Flask) -> None:
    # `letters` is a group of another feature (publishing's export); the commands join it.
    group = app.cli.commands.get("letters")
    if not isinstance(group, click.Group):
        group = click.Group("letters", help="Letters: export, deliver, record a response.")
        app.cli.add_command(group)
    group.add_command(deliver_command)
    group.add_command(record_response_command)
    _add_demo_part()


def _add_demo_part() -> None:
    # `flask demo` runs each feature's builder; ours comes after publishing's demo-final.
    from app.delivery.demo import create_demo_story
    from app.demo import DEMO_PARTS

    if create_demo_story not in DEMO_PARTS:
        DEMO_PARTS.append(create_demo_story)
