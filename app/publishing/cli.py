"""`flask --app wsgi letters export SLUG --format FMT --output FILE`.

Renders in the command itself, however large the letter: a terminal has no request timeout.
"""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app

from app.extensions import db
from app.models import Letter
from app.publishing import exports
from app.publishing.store import all_signatures, load_final_letter


@click.command("export")
@click.argument("slug")
@click.option(
    "--format", "fmt", type=click.Choice(exports.FORMATS), required=True, help="The file format."
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True, path_type=Path),
    required=True,
    help="Where to write the file ('-' for standard output).",
)  # fmt: skip
@click.option("--contacts", is_flag=True, help="CSV only: add the contact and consent columns.")
def export_command(slug: str, fmt: str, output: Path, contacts: bool) -> None:
    """Export the letter SLUG (marked DRAFT unless it is final)."""
    letter = db.session.scalar(sa.select(Letter).where(Letter.slug == slug))
    if letter is None:
        raise click.ClickException(f"No letter at {slug!r}.")
    if contacts and fmt != "csv":
        raise click.ClickException("--contacts goes with --format csv.")
    fl = load_final_letter(letter)

    shown = [-10]

    def progress(percent: int) -> None:
        if percent - shown[0] >= 10:
            shown[0] = percent
            click.echo(f"  {percent}%…", err=True)

    content = exports.render(
        fl,
        fmt,
        contacts=all_signatures(letter) if contacts else None,
        base_url=current_app.config["BASE_URL"],
        progress=progress,
    )
    if str(output) == "-":
        click.get_binary_stream("stdout").write(content)
    else:
        output.write_bytes(content)
        click.echo(
            f"Wrote {output} ({len(content):,} bytes): {fl.status}, version {fl.version}, "
            f"{fl.count} signatures, SHA-256 {fl.content_hash}",
            err=True,
        )


def register(app: Flask) -> None:
    # `letters` may already be a group of the letters feature; the command joins it then.
    group = app.cli.commands.get("letters")
    if not isinstance(group, click.Group):
        group = click.Group("letters", help="Letters: export a letter in any format.")
        app.cli.add_command(group)
    group.add_command(export_command)
    from app.publishing.worker_cli import jobs_cli

    app.cli.add_command(jobs_cli)
    _add_demo_part()


def _add_demo_part() -> None:
    # `flask demo` runs each feature's builder; ours adds the letter demo-final.
    from app.demo import DEMO_PARTS
    from app.publishing.demo import create_demo_final

    if create_demo_final not in DEMO_PARTS:
        DEMO_PARTS.append(create_demo_final)
