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


@audit.command("replay")
@click.argument("number")
def replay(number: str) -> None:
    """Re-run a work order's recorded inputs on its pinned version; exit 1 at the first divergence."""
    from engine.reexecution import check

    database = open_database()
    try:
        with database.reading() as session:
            result = check(session, number)
    finally:
        database.dispose()
    if result.consistent:
        click.echo(f"CONSISTENT: {result.number}: {result.inputs} inputs replayed, "
                   f"{result.events_compared} events and the final state match")
        return
    divergence = result.divergence
    click.echo(f"DIVERGED: {result.number} at {divergence.where}\n  recorded: {divergence.recorded}\n"
               f"  replayed: {divergence.replayed}")
    raise SystemExit(1)
