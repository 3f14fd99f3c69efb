"""`flask mail work` sends the outbox; `flask mail status` shows how it is doing."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from app.extensions import db
from app.mail import worker
from app.models import OutboxMessage, OutboxStatus, utcnow

mail_cli = AppGroup("mail", help="Send queued email and inspect the outbox.")


def register(app: Flask) -> None:
    app.cli.add_command(mail_cli)


@mail_cli.command("work")
@click.option("--once", is_flag=True, help="Send what is due now, then exit.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=5.0,
    show_default=True,
    help="Seconds to wait when nothing is due.",
)
def work_command(once: bool, interval: float) -> None:
    """Send due messages: one SMTP connection per batch, retries with backoff."""
    if not logging.getLogger().hasHandlers():
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()
    # A deploy stops the worker with SIGTERM: finish the batch in hand, then exit.
    restore = (lambda: None) if once else _stop_on_sigterm(stop)
    try:
        total = worker.work(
            once=once, interval=interval, stop=stop, on_batch=lambda r: click.echo(r.summary())
        )
    except worker.MailNotConfigured as exc:
        raise click.ClickException(str(exc)) from exc
    except KeyboardInterrupt:
        click.echo("Stopped.")
        return
    finally:
        restore()
    if total.claimed == 0:
        click.echo("Nothing due.")


def _stop_on_sigterm(stop: threading.Event) -> Callable[[], None]:
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    return lambda: signal.signal(signal.SIGTERM, previous)


@mail_cli.command("status")
def status_command() -> None:
    """Count outbox messages per status; show how many are due and the oldest waiting."""
    counts = dict(
        db.session.execute(
            sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    for status in OutboxStatus:
        click.echo(f"{status.value:<8} {counts.get(status, 0)}")
    now = utcnow()
    waiting = sa.select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.queued)
    due = db.session.scalar(
        sa.select(sa.func.count()).select_from(
            waiting.where(OutboxMessage.next_attempt_at <= now).subquery()
        )
    )
    click.echo(f"due now  {due}")
    oldest = db.session.scalars(waiting.order_by(OutboxMessage.created_at).limit(1)).first()
    if oldest is not None:
        age = int((now - oldest.created_at).total_seconds())
        click.echo(f"oldest queued message: #{oldest.id}, {age}s old")
        if oldest.last_error:
            click.echo(f"its last error: {oldest.last_error}")
