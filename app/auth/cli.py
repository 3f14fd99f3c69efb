"""`flask users create`: the first admin of a production site."""

from __future__ import annotations

import sys

import click
from email_validator import EmailNotValidError, validate_email
from flask import Flask
from flask.cli import AppGroup

from app.actor import Actor
from app.audit import record
from app.auth import passwords
from app.auth.operations import find_user
from app.extensions import db
from app.models import Membership, Organization, Role, User, utcnow
from app.text import clean_text, normalize_email, unsafe_characters

users = AppGroup("users", help="Manage accounts.")


@users.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's name.")
@click.option("--org", "org_name", required=True, help="Their organization (created if new).")
def create_user(email: str, name: str, org_name: str) -> None:
    """Create a verified admin account. The password is read from standard input."""
    try:
        email = validate_email(normalize_email(email), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise click.UsageError(f"Not a valid email address: {exc}") from exc
    name, org_name = clean_text(name), clean_text(org_name)
    if not name or not org_name or unsafe_characters(name) or unsafe_characters(org_name):
        raise click.UsageError("--name and --org must be non-empty plain text.")
    password = (
        sys.stdin.readline().rstrip("\r\n")
        if not sys.stdin.isatty()
        else click.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    refusal = passwords.problem(password)
    if refusal is not None:
        raise click.UsageError(f"That password is refused. {refusal}")
    if find_user(email) is not None:
        raise click.UsageError(f"An account for {email} already exists.")
    from werkzeug.security import generate_password_hash

    organization = db.session.query(Organization).filter_by(name=org_name).one_or_none()
    if organization is None:
        organization = Organization(name=org_name)
        db.session.add(organization)
    user = User(
        email=email,
        name=name,
        password_hash=generate_password_hash(password),
        email_verified_at=utcnow(),
    )
    db.session.add_all([user, Membership(user=user, organization=organization, role=Role.admin)])
    db.session.flush()
    record("auth.user_created_by_cli", Actor.system("cli"), user, organization_id=organization.id)
    db.session.commit()
    click.echo(f"Created {email}, admin of {organization.name}. Log in at /auth/login.")


def register(app: Flask) -> None:
    app.cli.add_command(users)
