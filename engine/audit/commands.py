"""``audit`` command group (plain click, so the web CLI can mount it without engine knowing Flask)."""
from __future__ import annotations

import click

from engine.audit.chain import verify_chain
from engine.db import open_database


@click.group("audit")
def audit() -> None:
    """Check the tamper-evident audit log."""


@audit.command("verify")
@click.option("--batch-size", default=1000, show_default=True, help="Events read per query.")
def verify(batch_size: int) -> None:
    """Walk the whole audit chain; exit 1 if any event was altered, deleted or inserted."""
    database = open_database()
    try:
        with database.reading() as session:
            report = verify_chain(session, batch_size=batch_size)
    finally:
        database.dispose()
    if report.ok:
        click.echo(f"OK: {report.checked} events, chain intact")
        return
    where = f" at event #{report.first_broken_seq}" if report.first_broken_seq is not None else ""
    click.echo(f"BROKEN{where}: {report.reason}")
    raise SystemExit(1)
