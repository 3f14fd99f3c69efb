"""`flask demo`: an invented coalition to explore Undersigned with.

Each feature adds its part through a function here; running it twice changes nothing.
"""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask
from werkzeug.security import generate_password_hash

from app.actor import Actor
from app.audit import record
from app.extensions import db
from app.models import Membership, Organization, Role, User, utcnow

DEMO_EMAIL = "lead@open-budgets.example.org"
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for the demo, not a secret
DEMO_ORG = "Coalition for Open Budgets"
DEMO_COLLEAGUE = "colleague@open-budgets.example.org"


def create_demo() -> tuple[User, Organization]:
    user = db.session.execute(sa.select(User).where(User.email == DEMO_EMAIL)).scalar_one_or_none()
    if user is not None:
        return user, user.memberships[0].organization
    organization = Organization(name=DEMO_ORG, website="https://open-budgets.example.org")
    password_hash = generate_password_hash(DEMO_PASSWORD)
    user = User(
        email=DEMO_EMAIL,
        name="Amara Okafor",
        password_hash=password_hash,
        email_verified_at=utcnow(),
    )
    colleague = User(
        email=DEMO_COLLEAGUE,
        name="Tomás Herrera",
        password_hash=password_hash,
        email_verified_at=utcnow(),
    )
    db.session.add_all(
        [
            organization,
            user,
            colleague,
            Membership(user=user, organization=organization, role=Role.admin),
            Membership(user=colleague, organization=organization, role=Role.member),
        ]
    )
    db.session.flush()
    record("demo.created", Actor.system("demo"), organization)
    return user, organization


def database_is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def register(app: Flask) -> None:
    @app.cli.command("demo")
    @click.option("--if-empty", is_flag=True, help="Only load the demo into an empty database.")
    def demo(if_empty: bool) -> None:
        """Load an invented coalition with its letters; prints how to log in."""
        if if_empty and not database_is_empty():
            click.echo("The database already has accounts; the demo was not loaded.")
            return
        user, organization = create_demo()
        for extend in _demo_parts():
            extend(organization, user)
        db.session.commit()
        click.echo(f"Demo ready: {organization.name}.")
        click.echo(f"Log in at {app.config['BASE_URL']}/auth/login")
        click.echo(f"  email:    {DEMO_EMAIL}")
        click.echo(f"  password: {DEMO_PASSWORD}")


# Features append their demo builders at registration: callables taking (organization, user),
# run after the letters demo, in registration order.
DEMO_PARTS: list = []


def _demo_parts() -> list:
    from app.letters.demo import create_demo_letters

    return [create_demo_letters, *DEMO_PARTS]
