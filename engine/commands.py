"""Admin commands that need no web app: set up the database, deploy diagrams, run the scheduler."""
from __future__ import annotations

import logging
from pathlib import Path

import click

from engine.calendar import seed_from_holidays
from engine.config import load_settings
from engine.db import open_database
from engine.deployment import deploy_process
from engine.directory import ensure_groups
from engine.errors import DeployRejected
from engine.migrate import new_revision, upgrade
from engine.scheduler import run_forever

PROCESSES = Path(__file__).resolve().parent.parent / "processes"


@click.command("init")
@click.option("--no-deploy", is_flag=True, help="Do not deploy the diagrams in processes/.")
def init_command(no_deploy: bool) -> None:
    """Migrate the schema, create the departments, seed the calendar, deploy processes/*.bpmn."""
    settings = load_settings()
    database = open_database(settings.database_url)  # creates the SQLite file's folder
    upgrade(settings.database_url)
    try:
        with database.transaction() as session:
            ensure_groups(session)
            seeded = seed_from_holidays(session)
        click.echo(f"schema up to date; calendar: {seeded}")
        if not no_deploy:
            _deploy_files(database, sorted(PROCESSES.glob("*.bpmn")), actor="setup", note="initial set-up")
    finally:
        database.dispose()


@click.command("deploy")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--actor", default="cli", show_default=True, help="Who deploys (recorded in the audit log).")
@click.option("--note", default="", help="Why this version exists.")
def deploy_command(files: tuple[Path, ...], actor: str, note: str) -> None:
    """Deploy BPMN files as new process versions; refuse any file with problems, naming each element."""
    database = open_database()
    try:
        failed = _deploy_files(database, list(files), actor=actor, note=note)
    finally:
        database.dispose()
    if failed:
        raise SystemExit(1)


def _deploy_files(database, files: list[Path], *, actor: str, note: str) -> int:
    failed = 0
    for path in files:
        try:
            with database.transaction() as session:
                version, created = deploy_process(session, path.read_bytes(), actor=actor, note=note)
            state = "deployed as" if created else "unchanged, still"
            click.echo(f"{path.name}: {state} {version.process_id} v{version.version}")
        except DeployRejected as exc:
            failed += 1
            click.echo(f"{path.name}: REFUSED\n{exc}", err=True)
    return failed


@click.command("scheduler")
def scheduler_command() -> None:
    """Sweep due timers forever (run one or more next to the web workers)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    run_forever(open_database(settings.database_url), settings)


@click.group("db")
def db_group() -> None:
    """Schema migrations (Alembic, revisions in migrations/versions named by date)."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Upgrade the schema of TICKETFLOW_DATABASE_URL to REVISION."""
    upgrade(load_settings().database_url, revision)


@db_group.command("revision")
@click.option("-m", "--message", required=True, help="What the migration does (becomes the file slug).")
def db_revision(message: str) -> None:
    """Autogenerate a migration from the models against an up-to-date database."""
    new_revision(load_settings().database_url, message)
