"""China's working-day calendar and the deadline arithmetic built on it.

Official years come from data (seeded or imported); any other year is *provisional*: weekends
plus the statutory holidays ``holidays.CN`` estimates, with no make-up working days.
"""
from __future__ import annotations

import calendar as gregorian
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from engine.calendar.clock import local, local_midnight, to_utc
from engine.calendar.cn_holidays import estimated_holidays, official_year
from engine.calendar.deadline import Deadline
from engine.calendar.rules import parse_rule, rule_text

Instant = datetime | date | str


class WorkingDayCalendar:
    """Which Asia/Shanghai dates are working days, and deadlines counted on them."""

    def __init__(self, days: Mapping[date, bool], official_years: Iterable[int]):
        self.official_years = frozenset(official_years)
        self._days = {d: bool(w) for d, w in days.items() if d.year in self.official_years}

    @classmethod
    def from_holidays(cls, years: Iterable[int]) -> WorkingDayCalendar:
        """Build a calendar whose ``years`` are official straight from the ``holidays`` data."""
        days: dict[date, bool] = {}
        years = list(years)
        for year in years:
            days.update({d: working for d, (working, _note) in official_year(year).items()})
        return cls(days, years)

    def is_provisional(self, year: int) -> bool:
        """Tell whether ``year`` has no published schedule, so its days are estimates."""
        return year not in self.official_years

    def is_working_day(self, day: date | datetime) -> bool:
        """Tell whether ``day`` (a datetime counts by its Asia/Shanghai date) is a working day."""
        if isinstance(day, datetime):
            day = local(to_utc(day)).date()
        if day.year in self.official_years:
            return self._days.get(day, day.weekday() < 5)
        return day.weekday() < 5 and day not in estimated_holidays(day.year)

    def add_working_days(self, start: Instant, n: int) -> Deadline:
        """Return when ``n`` × 24 h of working-day time has elapsed since ``start``."""
        n = _whole(n, "working days")
        begin = to_utc(start)
        remaining = timedelta(hours=24 * n)
        cursor = begin
        day = local(cursor).date()
        skipped: list[date] = []
        consulted: set[int] = set()
        while True:
            consulted.add(day.year)
            next_midnight = local_midnight(day + timedelta(days=1))
            if self.is_working_day(day):
                available = next_midnight - cursor
                if remaining <= available:
                    due = cursor + remaining
                    break
                remaining -= available
            else:
                skipped.append(day)
            cursor, day = next_midnight, day + timedelta(days=1)
        guessed = tuple(sorted(y for y in consulted if self.is_provisional(y)))
        return Deadline(
            start=begin,
            due=due,
            rule=rule_text(n, "working_days"),
            amount=n,
            unit="working_days",
            skipped_days=tuple(skipped),
            provisional=bool(guessed),
            provisional_years=guessed,
        )

    def add_calendar_days(self, start: Instant, n: int) -> Deadline:
        """Return ``start`` + ``n`` × 24 h, holidays included."""
        n = _whole(n, "days")
        return _clock_deadline(to_utc(start), timedelta(days=n), n, "days")

    def add_hours(self, start: Instant, n: int) -> Deadline:
        """Return ``start`` + ``n`` hours, round the clock."""
        n = _whole(n, "hours")
        return _clock_deadline(to_utc(start), timedelta(hours=n), n, "hours")

    def add_minutes(self, start: Instant, n: int) -> Deadline:
        """Return ``start`` + ``n`` minutes, round the clock."""
        n = _whole(n, "minutes")
        return _clock_deadline(to_utc(start), timedelta(minutes=n), n, "minutes")

    def add_months(self, start: Instant, n: int) -> Deadline:
        """Return the same Asia/Shanghai wall time and day-of-month ``n`` months on, clamped to month end."""
        n = _whole(n, "months")
        begin = to_utc(start)
        wall = local(begin)
        year, month_index = divmod(wall.month - 1 + n, 12)
        year += wall.year
        day = min(wall.day, gregorian.monthrange(year, month_index + 1)[1])
        due = wall.replace(year=year, month=month_index + 1, day=day)
        return Deadline(start=begin, due=due, rule=rule_text(n, "months"), amount=n, unit="months")

    def due(self, start: Instant, rule: str) -> Deadline:
        """Apply a rule text such as "2 working days", "45分钟" or "1个月" to ``start``."""
        parsed = parse_rule(rule)
        add = {
            "working_days": self.add_working_days,
            "days": self.add_calendar_days,
            "hours": self.add_hours,
            "minutes": self.add_minutes,
            "months": self.add_months,
        }[parsed.unit]
        return add(start, parsed.amount)


def _clock_deadline(begin: datetime, span: timedelta, n: int, unit: str) -> Deadline:
    return Deadline(start=begin, due=begin + span, rule=rule_text(n, unit), amount=n, unit=unit)


def _whole(n: object, unit: str) -> int:
    """Accept a whole, non-negative amount (an integral float from a script is fine)."""
    if isinstance(n, bool) or not isinstance(n, (int, float)) or (isinstance(n, float) and not n.is_integer()):
        raise ValueError(f"number of {unit} must be a whole number, got {n!r}")
    if n < 0:
        raise ValueError(f"number of {unit} must not be negative, got {n!r}")
    return int(n)
