"""China's working-day calendar and the deadlines counted on it (see docs: 95598 rules, "Working days")."""
from engine.calendar.deadline import Deadline
from engine.calendar.expressions import deadline_functions
from engine.calendar.store import CalendarImportError, import_year_csv, load_calendar, seed_from_holidays
from engine.calendar.working_days import WorkingDayCalendar

__all__ = [
    "CalendarImportError",
    "Deadline",
    "WorkingDayCalendar",
    "deadline_functions",
    "import_year_csv",
    "load_calendar",
    "seed_from_holidays",
]
