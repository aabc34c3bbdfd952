"""Deadline arithmetic as docs define it: "How a deadline is counted" in the 95598 rules."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from engine.calendar import WorkingDayCalendar
from engine.calendar.cn_holidays import official_year

CST = timezone(timedelta(hours=8))


def cst(*args: int) -> datetime:
    return datetime(*args, tzinfo=CST)


def test_national_day_2026_is_skipped_by_two_working_days(official):
    deadline = official.add_working_days("2026-09-30T16:00+08:00", 2)
    assert deadline.due == cst(2026, 10, 9, 16)
    assert deadline.due.tzinfo == timezone.utc
    assert deadline.skipped_days == tuple(date(2026, 10, d) for d in range(1, 8))
    assert not deadline.provisional


def test_monday_plus_two_working_days_is_wednesday_same_time(official):
    assert official.add_working_days(cst(2026, 3, 2, 10), 2).due == cst(2026, 3, 4, 10)


def test_friday_plus_one_working_day_is_next_working_day_same_time(official):
    deadline = official.add_working_days(cst(2026, 3, 6, 16), 1)
    assert deadline.due == cst(2026, 3, 9, 16)
    assert deadline.skipped_days == (date(2026, 3, 7), date(2026, 3, 8))


def test_start_on_holiday_counts_from_next_working_midnight(official):
    deadline = official.add_working_days(cst(2026, 10, 3, 11), 1)
    assert deadline.due == cst(2026, 10, 9, 0)  # 24:00 of Oct 8, the first working day after
    assert deadline.skipped_days == tuple(date(2026, 10, d) for d in range(3, 8))


def test_make_up_saturday_2026_10_10_counts_as_working_day(official):
    assert official.is_working_day(date(2026, 10, 10))
    deadline = official.add_working_days(cst(2026, 10, 9, 10), 1)
    assert deadline.due == cst(2026, 10, 10, 10)
    assert deadline.skipped_days == ()


def test_make_up_saturday_2026_02_14_is_working_and_national_day_is_not(official):
    assert official.is_working_day(date(2026, 2, 14))
    assert not official.is_working_day(date(2026, 10, 1))
    assert not official.is_working_day(date(2026, 2, 21))  # Spring Festival Saturday


def test_2026_make_up_days_match_the_state_council_notice():
    make_up = {d for d, (working, _) in official_year(2026).items() if working and d.weekday() >= 5}
    assert make_up == {date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
                       date(2026, 9, 20), date(2026, 10, 10)}
    assert official_year(2026)[date(2026, 10, 10)] == (True, "调休上班")


def test_official_year_keeps_only_its_own_make_up_days():
    # holidays.CN's weekend_workdays also carries make-up days of other years (e.g. 2001-12-29)
    assert all(d.year == 2020 for d in official_year(2020))
    assert len(official_year(2024)) == 366


def test_datetime_counts_by_its_shanghai_date(official):
    # 2026-09-30 17:00 UTC is already 2026-10-01 01:00 in Shanghai: a holiday
    assert not official.is_working_day(datetime(2026, 9, 30, 17, tzinfo=timezone.utc))


def test_naive_start_is_read_as_shanghai_time(official):
    assert official.add_working_days("2026-09-30T16:00", 2).due == cst(2026, 10, 9, 16)
    assert official.add_hours(datetime(2026, 1, 1, 8), 0).due == datetime(2026, 1, 1, 0, tzinfo=timezone.utc)


def test_working_days_ending_at_midnight_use_the_earliest_instant(official):
    assert official.add_working_days(cst(2026, 3, 2, 0), 1).due == cst(2026, 3, 3, 0)


def test_zero_working_days_from_a_working_day_is_the_start(official):
    assert official.add_working_days(cst(2026, 3, 2, 9), 0).due == cst(2026, 3, 2, 9)


def test_calendar_days_hours_and_minutes_ignore_holidays(official):
    start = cst(2026, 9, 30, 16)
    assert official.add_calendar_days(start, 10).due == cst(2026, 10, 10, 16)
    assert official.add_hours(start, 2).due == cst(2026, 9, 30, 18)
    assert official.add_minutes(start, 90).due == cst(2026, 9, 30, 17, 30)
    assert official.add_calendar_days(start, 10).skipped_days == ()


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (cst(2026, 1, 31, 9), 1, cst(2026, 2, 28, 9)),
        (cst(2028, 1, 31, 9), 1, cst(2028, 2, 29, 9)),
        (cst(2026, 8, 31, 23, 30), 1, cst(2026, 9, 30, 23, 30)),
        (cst(2026, 11, 15, 8), 2, cst(2027, 1, 15, 8)),
        (cst(2026, 3, 31, 10), 12, cst(2027, 3, 31, 10)),
    ],
)
def test_months_keep_day_of_month_clamped_to_month_end(official, start, n, due):
    assert official.add_months(start, n).due == due


def test_months_use_shanghai_wall_time_not_utc_date(official):
    # 2026-01-31 02:00 in Shanghai is still 2026-01-30 in UTC; the Shanghai date rules
    assert official.add_months("2026-01-31T02:00+08:00", 1).due == cst(2026, 2, 28, 2)


def test_deadline_reaching_2027_is_provisional(official):
    deadline = official.add_working_days(cst(2026, 12, 30, 16), 3)
    assert deadline.due == cst(2027, 1, 5, 16)
    assert deadline.provisional
    assert deadline.provisional_years == (2027,)


def test_deadline_within_2026_is_not_provisional(official):
    deadline = official.add_working_days(cst(2026, 12, 29, 9), 2)
    assert deadline.due == cst(2026, 12, 31, 9)
    assert not deadline.provisional
    assert deadline.provisional_years == ()


def test_provisional_year_has_no_make_up_days(official):
    assert official.is_provisional(2027)
    assert not official.is_provisional(2026)
    days = [date(2027, 1, 1) + timedelta(days=i) for i in range(365)]
    assert not any(official.is_working_day(d) for d in days if d.weekday() >= 5)


def test_provisional_year_uses_statutory_holidays_estimated_by_holidays(official):
    assert not official.is_working_day(date(2027, 10, 1))  # National Day, a Friday
    assert not official.is_working_day(date(2027, 2, 8))  # Spring Festival (estimate)
    assert official.is_working_day(date(2027, 3, 1))


def test_stored_day_overrides_weekday_rule_only_in_official_years():
    calendar = WorkingDayCalendar({date(2030, 3, 4): False, date(2031, 3, 8): True}, {2030})
    assert not calendar.is_working_day(date(2030, 3, 4))  # official: the stored row wins
    assert calendar.is_working_day(date(2030, 3, 5))  # official year, row missing: Mon–Fri
    assert not calendar.is_working_day(date(2031, 3, 8))  # provisional: a stored Saturday is ignored


@pytest.mark.parametrize("bad", [-1, 1.5, "2", True, None])
def test_amount_must_be_a_whole_non_negative_number(official, bad):
    with pytest.raises(ValueError, match="number of working days"):
        official.add_working_days(cst(2026, 3, 2, 9), bad)


def test_unreadable_start_is_rejected(official):
    with pytest.raises(ValueError, match="not an ISO 8601"):
        official.add_hours("yesterday", 1)
