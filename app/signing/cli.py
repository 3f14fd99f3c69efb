"""`flask signatures expire`: expire sign-ons never confirmed in time (run it from cron);
`flask letters erase-contacts SLUG` and `flask retention apply`: erasing contact data."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from app.actor import Actor
from app.extensions import db
from app.models import Letter
from app.signing import erasure, retention
from app.signing.operations import expire_unverified

signatures_cli = AppGroup("signatures", help="Look after sign-ons.")
retention_cli = AppGroup("retention", help="Erase contact data after the retention period.")


def register(app: Flask) -> None:
    app.cli.add_command(signatures_cli)
    app.cli.add_command(retention_cli)
    # `letters` may already be a group of another feature; the command joins it then.
    group = app.cli.commands.get("letters")
    if not isinstance(group, click.Group):
        group = click.Group("letters", help="Letters: export, erase contact data.")
        app.cli.add_command(group)
    group.add_command(erase_contacts_command)
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


@click.command("erase-contacts")
@click.argument("slug")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_contacts_command(slug: str, yes: bool) -> None:
    """Erase the signers' contact data of the final letter SLUG (the list stays)."""
    letter = db.session.scalar(sa.select(Letter).where(Letter.slug == slug))
    if letter is None:
        raise click.ClickException(f"No letter at {slug!r}.")
    if refusal := erasure.refusal(letter):
        raise click.ClickException(refusal)
    plan = erasure.plan(letter)
    click.echo(
        f"“{letter.title}”: {plan.signatures} sign-on(s) and {plan.invitations} invitation(s); "
        f"{plan.waiting_emails} email(s) to them still waiting will not be sent."
    )
    if not yes:
        click.confirm("Erase their contact data for good?", abort=True)
    erasure.erase_contacts(letter, actor=Actor.system("cli"))
    db.session.commit()
    click.echo("Contact data erased; the list, the final files and the content hash are unchanged.")


@retention_cli.command("apply")
def apply_command() -> None:
    """Erase final letters past their organization's retention period; warn 14 days before."""
    report = retention.apply()
    click.echo(report.summary())
