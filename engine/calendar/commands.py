"""``ticketflow calendar ...``: compute a deadline, seed official years, import a published year."""
from __future__ import annotations

import click
from sqlalchemy.exc import SQLAlchemyError

from engine.calendar.clock import local
from engine.calendar.cn_holidays import DEFAULT_SEED_YEARS, PUBLISHED_THROUGH
from engine.calendar.store import (
    CalendarImportError,
    builtin_calendar,
    import_year_csv,
    load_calendar,
    seed_from_holidays,
)
from engine.calendar.working_days import WorkingDayCalendar
from engine.db import open_database


@click.group("calendar")
def calendar() -> None:
    """Working-day calendar: deadlines, official years."""


@calendar.command("due")
@click.argument("start")
@click.argument("rule")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def due_command(start: str, rule: str, lang: str) -> None:
    """Print when RULE (e.g. "2 working days", "45分钟") after START is due, then why."""
    working_calendar, fallback_note = _reading_calendar()
    try:
        deadline = working_calendar.due(start, rule)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(local(deadline.due).isoformat())
    click.echo(deadline.explain(lang))
    if fallback_note:
        click.echo(fallback_note, err=True)


@calendar.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_command(file: str) -> None:
    """Make the years in FILE (CSV: date,kind[,note]) official, replacing what they had."""
    database = open_database()
    try:
        with database.transaction() as session:
            summary = import_year_csv(session, file)
    except CalendarImportError as exc:
        raise click.ClickException(exc.message) from None
    except SQLAlchemyError as exc:
        raise click.ClickException(_unwritable(exc)) from None
    finally:
        database.dispose()
    click.echo(str(summary))


@calendar.command("seed")
@click.option("--year", "years", type=int, multiple=True,
              help=f"year to seed (repeatable); default {DEFAULT_SEED_YEARS.start}–{PUBLISHED_THROUGH}")
def seed_command(years: tuple[int, ...]) -> None:
    """Make published years official from the holidays package (an imported year is kept)."""
    database = open_database()
    try:
        with database.transaction() as session:
            summary = seed_from_holidays(session, years or DEFAULT_SEED_YEARS)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    except SQLAlchemyError as exc:
        raise click.ClickException(_unwritable(exc)) from None
    finally:
        database.dispose()
    click.echo(str(summary))


def _reading_calendar() -> tuple[WorkingDayCalendar, str]:
    """Load the stored calendar, or the built-in one (with a note why) when the tables are empty or missing."""
    database = open_database()
    try:
        with database.reading() as session:
            stored = load_calendar(session)
    except SQLAlchemyError:
        stored = None
    finally:
        database.dispose()
    if stored is not None and stored.official_years:
        return stored, ""
    note = f"(calendar tables empty or missing: used the holidays package, official through {PUBLISHED_THROUGH})"
    return builtin_calendar(), note


def _unwritable(exc: SQLAlchemyError) -> str:
    reason = getattr(exc, "orig", None) or exc
    return f"cannot write the calendar tables ({reason}); has the database been migrated?"
