"""`flask jobs work [--once]`: the worker process that renders large exports.

It also applies the retention periods once a day (`flask retention apply`), so `make run`
and a production deployment need no cron for it.
"""

from __future__ import annotations

import logging
import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from app.publishing import worker

jobs_cli = AppGroup("jobs", help="Background work: large exports, retention.")


@jobs_cli.command("work")
@click.option("--once", is_flag=True, help="Render every queued export, then exit.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=2.0,
    show_default=True,
    help="Seconds to wait when nothing is queued.",
)
def work_command(once: bool, interval: float) -> None:
    """Render queued exports (claimed once, taken over if their worker died)."""
    if not logging.getLogger().hasHandlers():
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    from app.signing import retention

    stop = threading.Event()
    previous = None if once else signal.signal(signal.SIGTERM, lambda *_: stop.set())
    every = float(current_app.config.get("RETENTION_EVERY_SECONDS", 24 * 3600))
    duties = [worker.PeriodicDuty("retention", every, lambda: _retention(retention))]
    try:
        rendered = worker.work(once=once, interval=interval, stop=stop, duties=duties)
    except KeyboardInterrupt:
        click.echo("Stopped.")
        return
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    click.echo(f"{rendered} export(s) rendered.")


def _retention(retention) -> None:  # noqa: ANN001
    report = retention.apply()
    if report.erased or report.notified:
        click.echo(report.summary())
