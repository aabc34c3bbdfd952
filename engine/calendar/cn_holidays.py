"""China's working-day data as the ``holidays`` package knows it.

``holidays.CN`` has no WORKDAY category: its only categories are PUBLIC and HALF_DAY. The
make-up working days (调休上班) appear only in ``weekend_workdays``, filled in as a side
effect of the substituted days off ("休息日（由 2026-02-14 调休）"). That set also carries
make-up days of *other* years (e.g. 2001-12-29), so it is always filtered by year here.
For a year the State Council has not published, the package estimates the statutory holidays
and never invents make-up days.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

PUBLISHED_THROUGH = 2026
"""The last year whose holiday schedule the State Council had published when this release
of ticketflow (pinned to ``holidays`` 0.109) was cut; later years are only estimates."""

FIRST_PUBLISHED = 2001
"""The first year ``holidays.CN`` checked against an official State Council notice."""

DEFAULT_SEED_YEARS = range(2020, PUBLISHED_THROUGH + 1)

MAKE_UP_NOTE = "调休上班"
WEEKEND_NOTE = "周末"


def days_of_year(year: int) -> list[date]:
    """List every date of ``year``."""
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


def official_year(year: int) -> dict[date, tuple[bool, str]]:
    """Map every day of a published year to (is_working, note), make-up days included."""
    if not FIRST_PUBLISHED <= year <= PUBLISHED_THROUGH:
        raise ValueError(
            f"{year} has no published holiday schedule in holidays {holidays.__version__} "
            f"(official years: {FIRST_PUBLISHED}–{PUBLISHED_THROUGH}); import it from a CSV instead"
        )
    # Neighbouring years too: a substituted day off in January can move a Saturday of December.
    cn = holidays.CN(years=(year - 1, year, year + 1))
    make_up = {d for d in cn.weekend_workdays if d.year == year}
    result: dict[date, tuple[bool, str]] = {}
    for day in days_of_year(year):
        if day in make_up:
            result[day] = (True, MAKE_UP_NOTE)
        elif day in cn:
            result[day] = (False, cn[day])
        elif day.weekday() >= 5:
            result[day] = (False, WEEKEND_NOTE)
        else:
            result[day] = (True, "")
    return result


@lru_cache(maxsize=64)
def estimated_holidays(year: int) -> frozenset[date]:
    """Return the statutory holidays ``holidays.CN`` estimates for ``year`` (no make-up days)."""
    return frozenset(d for d in holidays.CN(years=year) if d.year == year)
