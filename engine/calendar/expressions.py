"""Deadline functions for BPMN timer and script expressions.

Each returns the due instant as ISO 8601 text in UTC, which SpiffWorkflow's ``timeDate``
timers read with ``datetime.fromisoformat``; the full :class:`Deadline` goes to ``recorder``
so the engine can store how the instant was reached.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from engine.calendar.deadline import Deadline
from engine.calendar.working_days import Instant, WorkingDayCalendar


def deadline_functions(
    calendar: WorkingDayCalendar, recorder: list[Deadline] | None = None
) -> dict[str, Callable]:
    """Return the functions expressions may call, bound to ``calendar``."""

    def record(deadline: Deadline) -> str:
        if recorder is not None:
            recorder.append(deadline)
        return deadline.due.isoformat()

    def working_days(start: Instant, n: int) -> str:
        """Due after ``n`` working days (24 h of working-day time each)."""
        return record(calendar.add_working_days(start, n))

    def calendar_days(start: Instant, n: int) -> str:
        """Due ``n`` × 24 h after ``start``, holidays included."""
        return record(calendar.add_calendar_days(start, n))

    def hours(start: Instant, n: int) -> str:
        """Due ``n`` hours after ``start``."""
        return record(calendar.add_hours(start, n))

    def minutes(start: Instant, n: int) -> str:
        """Due ``n`` minutes after ``start``."""
        return record(calendar.add_minutes(start, n))

    def months(start: Instant, n: int) -> str:
        """Due on the same day-of-month ``n`` months on, clamped to month end."""
        return record(calendar.add_months(start, n))

    def due(start: Instant, rule: str) -> str:
        """Due by a rule text such as "2 working days" or "45分钟"."""
        return record(calendar.due(start, rule))

    def now() -> str:
        """Return the current instant in UTC (time-machine in tests can move it)."""
        return datetime.now(timezone.utc).isoformat()

    return {
        "working_days": working_days,
        "calendar_days": calendar_days,
        "hours": hours,
        "minutes": minutes,
        "months": months,
        "due": due,
        "now": now,
    }
