"""Writing official years (seed from ``holidays``, import an administrator's CSV) and loading them."""
from __future__ import annotations

import csv
import hashlib
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from engine import audit
from engine.calendar.cn_holidays import (
    DEFAULT_SEED_YEARS,
    FIRST_PUBLISHED,
    MAKE_UP_NOTE,
    PUBLISHED_THROUGH,
    WEEKEND_NOTE,
    days_of_year,
    official_year,
)
from engine.calendar.models import NOTE_LENGTH, CalendarDay, CalendarYear
from engine.calendar.working_days import WorkingDayCalendar
from engine.errors import TicketflowError

HOLIDAY_NOTE = "节假日"
_KINDS = {
    "workday": True, "working": True, "工作日": True, "上班": True,
    "holiday": False, "休息日": False, "节假日": False, "假日": False,
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

YearDays = dict[date, tuple[bool, str]]


class CalendarImportError(TicketflowError):
    """A calendar CSV cannot be imported; ``line`` is the 1-based line of the first problem."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(f"line {line}: {message}" if line else message, line=line)
        self.line = line


@dataclass(frozen=True)
class SeedSummary:
    """What :func:`seed_from_holidays` did to each year."""

    seeded: tuple[int, ...]
    unchanged: tuple[int, ...]
    kept_import: tuple[int, ...]

    def __str__(self) -> str:
        parts = [
            f"{label}: {', '.join(map(str, years))}"
            for label, years in (
                ("seeded", self.seeded),
                ("already up to date", self.unchanged),
                ("kept administrator's import", self.kept_import),
            )
            if years
        ]
        return "; ".join(parts) or "nothing to seed"


@dataclass(frozen=True)
class ImportSummary:
    """What :func:`import_year_csv` wrote: the years made official and their day counts."""

    path: str
    years: tuple[int, ...]
    listed_rows: int
    non_working_days: dict[int, int]
    make_up_days: dict[int, int]
    replaced: tuple[int, ...]

    def __str__(self) -> str:
        lines = [f"imported {self.listed_rows} listed days from {self.path}"]
        for year in self.years:
            status = "replaced" if year in self.replaced else "new"
            lines.append(
                f"{year}: official ({status}), {self.non_working_days[year]} non-working days, "
                f"{self.make_up_days[year]} make-up working days"
            )
        return "\n".join(lines)


def seed_from_holidays(session: Session, years: Iterable[int] = DEFAULT_SEED_YEARS) -> SeedSummary:
    """Make each published year official from ``holidays.CN``; re-running writes nothing new.

    A year an administrator imported is never overwritten: the import is the newer word.
    """
    seeded, unchanged, kept = [], [], []
    for year in sorted(set(years)):
        rows = official_year(year)
        existing = session.get(CalendarYear, year)
        if existing is not None and existing.source == "import":
            kept.append(year)
            continue
        if existing is not None and _stored_year(session, year) == rows:
            unchanged.append(year)
            continue
        _replace_year(session, year, rows, "holidays")
        seeded.append(year)
    return SeedSummary(tuple(seeded), tuple(unchanged), tuple(kept))


def import_year_csv(session: Session, path: str | Path, *, actor: str = "cli") -> ImportSummary:
    """Make every year a CSV (``date,kind[,note]``) touches official; unlisted dates follow Mon–Fri.

    The whole file is checked before anything is written, so a bad row writes nothing. The
    import is audited with the file's hash: deadlines depend on it.
    """
    listed = read_calendar_csv(path)
    years = tuple(sorted({d.year for d in listed}))
    replaced, non_working, make_up = [], {}, {}
    for year in years:
        rows = _default_year(year)
        rows.update({d: v for d, v in listed.items() if d.year == year})
        if session.get(CalendarYear, year) is not None:
            replaced.append(year)
        _replace_year(session, year, rows, "import")
        non_working[year] = sum(1 for working, _ in rows.values() if not working)
        make_up[year] = sum(1 for d, (working, _) in rows.items() if working and d.weekday() >= 5)
    audit.record(session, "calendar.imported", actor=actor, data={
        "file": Path(path).name, "sha256": hashlib.sha256(Path(path).read_bytes()).hexdigest(),
        "years": list(years), "replaced": replaced, "make_up_days": {str(y): n for y, n in make_up.items()},
    })
    return ImportSummary(str(path), years, len(listed), non_working, make_up, tuple(replaced))


def read_calendar_csv(path: str | Path) -> YearDays:
    """Parse and check a calendar CSV, naming the line of the first problem."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise CalendarImportError(f"cannot read {path}: {exc}") from None
    reader = csv.reader(text.splitlines())
    header = [cell.strip().lower() for cell in next(reader, [])]
    if header not in (["date", "kind"], ["date", "kind", "note"]):
        raise CalendarImportError(f"header must be 'date,kind' or 'date,kind,note', got {','.join(header)!r}", 1)
    result: YearDays = {}
    first_seen: dict[date, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        day, working, note = _parse_row(cells, len(header), line)
        if day in first_seen:
            raise CalendarImportError(f"{day} is listed twice (first on line {first_seen[day]})", line)
        first_seen[day] = line
        result[day] = (working, note or _default_note(day, working))
    if not result:
        raise CalendarImportError(f"{path} lists no days")
    return result


def load_calendar(session: Session) -> WorkingDayCalendar:
    """Return the stored calendar, reloaded only when the calendar tables' revision changed."""
    key = session.get_bind().url.render_as_string(hide_password=True)
    revision = _revision(session)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None and cached[0] == revision:
        return cached[1]
    years = session.scalars(select(CalendarYear.year)).all()
    days = dict(session.execute(select(CalendarDay.day, CalendarDay.is_working)).all())
    calendar = WorkingDayCalendar(days, years)
    with _cache_lock:
        _cache[key] = (revision, calendar)
    return calendar


@lru_cache(maxsize=1)
def builtin_calendar() -> WorkingDayCalendar:
    """Build, in memory, the calendar ``holidays`` publishes: every year up to PUBLISHED_THROUGH official."""
    return WorkingDayCalendar.from_holidays(range(FIRST_PUBLISHED, PUBLISHED_THROUGH + 1))


_cache: dict[str, tuple[tuple, WorkingDayCalendar]] = {}
_cache_lock = threading.Lock()


# Built once: every deadline a step computes runs it.
_REVISION = select(func.count(), func.coalesce(func.sum(CalendarYear.year), 0), func.max(CalendarYear.loaded_at))


def _revision(session: Session) -> tuple:
    """Read a cheap fingerprint that changes whenever a year is seeded, imported or removed.

    Every write goes through ``_replace_year``, which stamps the year's ``loaded_at``, so the
    years table alone tells; counting the days table cost a scan on every deadline.
    """
    return tuple(session.execute(_REVISION).one())


def _parse_row(cells: list[str], columns: int, line: int) -> tuple[date, bool, str]:
    cells = [cell.strip() for cell in cells]
    if len(cells) < 2 or len(cells) > columns:
        expected = "date,kind,note" if columns == 3 else "date,kind"
        raise CalendarImportError(f"expected {columns} columns ({expected}), got {len(cells)}", line)
    text, kind = cells[0], cells[1]
    try:
        if not _ISO_DATE.match(text):
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        raise CalendarImportError(f"date {text!r} is not a valid YYYY-MM-DD date", line) from None
    working = _KINDS.get(kind.lower())
    if working is None:
        raise CalendarImportError(f"kind {kind!r} must be workday or holiday (工作日 / 休息日 / 节假日)", line)
    note = cells[2] if len(cells) > 2 else ""
    if len(note) > NOTE_LENGTH:
        raise CalendarImportError(f"note is longer than {NOTE_LENGTH} characters", line)
    return day, working, note


def _default_note(day: date, working: bool) -> str:
    weekend = day.weekday() >= 5
    if working:
        return MAKE_UP_NOTE if weekend else ""
    return WEEKEND_NOTE if weekend else HOLIDAY_NOTE


def _default_year(year: int) -> YearDays:
    """Apply the Mon–Fri rule to every day of ``year``."""
    return {d: (d.weekday() < 5, "" if d.weekday() < 5 else WEEKEND_NOTE) for d in days_of_year(year)}


def _stored_year(session: Session, year: int) -> YearDays:
    rows = session.execute(
        select(CalendarDay.day, CalendarDay.is_working, CalendarDay.note).where(
            CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31))
        )
    )
    return {day: (working, note) for day, working, note in rows}


def _replace_year(session: Session, year: int, rows: YearDays, source: str) -> None:
    """Write ``rows`` as the whole of ``year`` and mark the year official from ``source``."""
    session.execute(delete(CalendarDay).where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31))))
    session.execute(
        insert(CalendarDay),
        [{"day": d, "is_working": w, "note": note, "source": source} for d, (w, note) in sorted(rows.items())],
    )
    loaded_at = datetime.now(timezone.utc)
    existing = session.get(CalendarYear, year)
    if existing is None:
        session.add(CalendarYear(year=year, source=source, loaded_at=loaded_at))
    else:
        existing.source, existing.loaded_at = source, loaded_at
    session.flush()
