"""The ``ticketflow`` command: Flask's CLI plus the engine's admin commands."""
from __future__ import annotations

import os
import shutil
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from engine.audit.commands import audit
from engine.calendar.commands import calendar
from engine.commands import db_group, deploy_command, init_command, scheduler_command
from web.auth.commands import user_group


def _create_app():
    from web import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True)
def cli() -> None:
    """ticketflow — 95598 work orders as BPMN workflows."""


cli.add_command(init_command)
cli.add_command(db_group)
cli.add_command(deploy_command)
cli.add_command(scheduler_command)
cli.add_command(calendar)
cli.add_command(audit)

cli.add_command(user_group)


@cli.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load demo users and demo work orders of every flow (skipped if already loaded)."""
    from web import db
    from web.demo import load_demo

    click.echo(load_demo(db(current_app)))


@cli.command("serve")
@click.option("--workers", default=1, show_default=True, help="gunicorn worker processes (each also sweeps timers unless TICKETFLOW_SCHEDULER=0).")
@click.option("--threads", default=8, show_default=True)
def serve_command(workers: int, threads: int) -> None:
    """Serve the web app and the timer scheduler with gunicorn on TICKETFLOW_HOST:TICKETFLOW_PORT."""
    from engine.config import load_settings

    settings = load_settings()
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which("gunicorn")
    if gunicorn is None:
        raise click.ClickException("gunicorn is not installed; run the set-up script first")
    click.echo(f"ticketflow on http://{settings.host}:{settings.port}/  (Ctrl+C to stop)")
    os.execv(gunicorn, [
        gunicorn, "--bind", f"{settings.host}:{settings.port}", "--workers", str(workers), "--threads", str(threads),
        "--access-logfile", "-", "web.wsgi:app",
    ])
