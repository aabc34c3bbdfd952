"""Calendars shared by the calendar tests: 2020–2026 official straight from ``holidays``."""
from __future__ import annotations

import pytest

from engine.calendar import WorkingDayCalendar


@pytest.fixture(scope="session")
def official() -> WorkingDayCalendar:
    """The seeded calendar (2020–2026 official), built in memory."""
    return WorkingDayCalendar.from_holidays(range(2020, 2027))
