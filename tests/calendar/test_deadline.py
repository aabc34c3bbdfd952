"""A deadline explains itself and survives a JSON round trip."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from engine.calendar import Deadline
from engine.calendar.deadline import day_ranges

CST = timezone(timedelta(hours=8))


def test_explanation_shows_shanghai_times_rule_and_skipped_range(official):
    text = official.due("2026-09-30T16:00+08:00", "2 working days").explain("zh")
    assert "2026-09-30 16:00:00+08:00" in text
    assert "2026-10-09 16:00:00+08:00" in text
    assert "2个工作日" in text
    assert "2026-10-01 至 2026-10-07（7天）" in text
    assert "临时" not in text


def test_english_explanation_lists_skipped_days_and_provisional_warning(official):
    text = official.add_working_days(datetime(2026, 12, 30, 16, tzinfo=CST), 3).explain("en")
    lines = text.splitlines()
    assert lines[0] == "Start: 2026-12-30 16:00:00+08:00 (Wed)"
    assert "Rule: 3 working days" in lines
    assert "Due: 2027-01-05 16:00:00+08:00 (Tue)" in lines
    assert "Skipped non-working days: 2027-01-01 to 2027-01-03 (3 days)" in lines
    assert any(line.startswith("Provisional:") and "2027" in line for line in lines)


def test_chinese_explanation_warns_when_provisional(official):
    text = official.add_working_days(datetime(2026, 12, 30, 16, tzinfo=CST), 3).explain()
    assert "2027年的节假日安排尚未公布" in text


def test_explanation_of_clock_rule_says_holidays_are_not_skipped(official):
    text = official.due("2026-09-30T16:00+08:00", "10 days").explain("en")
    assert "holidays not skipped" in text
    assert "Skipped" not in text


def test_explanation_rejects_unknown_language(official):
    with pytest.raises(ValueError, match="zh"):
        official.due("2026-09-30T16:00+08:00", "10 days").explain("fr")


def test_skipped_days_compact_into_runs():
    days = (date(2026, 10, 3), date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 10))
    assert day_ranges(days) == [(date(2026, 10, 1), date(2026, 10, 3)), (date(2026, 10, 10), date(2026, 10, 10))]


def test_deadline_round_trips_through_json(official):
    deadline = official.add_working_days(datetime(2026, 12, 30, 16, tzinfo=CST), 3)
    data = json.loads(json.dumps(deadline.to_dict()))
    assert data["due"] == "2027-01-05T08:00:00+00:00"
    assert data["skipped_days"] == ["2027-01-01", "2027-01-02", "2027-01-03"]
    assert Deadline.from_dict(data) == deadline


def test_deadline_stores_utc_and_refuses_naive_times():
    deadline = Deadline(datetime(2026, 1, 1, 8, tzinfo=CST), datetime(2026, 1, 1, 9, tzinfo=CST), "1 hour", 1, "hours")
    assert deadline.start == datetime(2026, 1, 1, 0, tzinfo=timezone.utc)
    assert deadline.start.tzinfo == timezone.utc
    with pytest.raises(ValueError, match="aware"):
        Deadline(datetime(2026, 1, 1), datetime(2026, 1, 2), "1 day", 1, "days")
