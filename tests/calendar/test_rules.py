"""Rule texts in English and Chinese: what ``due(start, rule)`` understands."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

CST = timezone(timedelta(hours=8))
START = datetime(2026, 9, 30, 16, tzinfo=CST)


@pytest.mark.parametrize(
    ("rule", "normalised", "unit", "due"),
    [
        ("2 working days", "2 working days", "working_days", datetime(2026, 10, 9, 16, tzinfo=CST)),
        ("1 working day", "1 working day", "working_days", datetime(2026, 10, 8, 16, tzinfo=CST)),
        ("2个工作日", "2 working days", "working_days", datetime(2026, 10, 9, 16, tzinfo=CST)),
        ("45 minutes", "45 minutes", "minutes", datetime(2026, 9, 30, 16, 45, tzinfo=CST)),
        ("90 min", "90 minutes", "minutes", datetime(2026, 9, 30, 17, 30, tzinfo=CST)),
        ("45分钟", "45 minutes", "minutes", datetime(2026, 9, 30, 16, 45, tzinfo=CST)),
        ("2 hours", "2 hours", "hours", datetime(2026, 9, 30, 18, tzinfo=CST)),
        ("2小时", "2 hours", "hours", datetime(2026, 9, 30, 18, tzinfo=CST)),
        ("10 days", "10 days", "days", datetime(2026, 10, 10, 16, tzinfo=CST)),
        ("10天", "10 days", "days", datetime(2026, 10, 10, 16, tzinfo=CST)),
        ("10日", "10 days", "days", datetime(2026, 10, 10, 16, tzinfo=CST)),
        ("1 month", "1 month", "months", datetime(2026, 10, 30, 16, tzinfo=CST)),
        ("2 months", "2 months", "months", datetime(2026, 11, 30, 16, tzinfo=CST)),
        ("1个月", "1 month", "months", datetime(2026, 10, 30, 16, tzinfo=CST)),
        ("  2  Working Days ", "2 working days", "working_days", datetime(2026, 10, 9, 16, tzinfo=CST)),
    ],
)
def test_rule_text_is_parsed_and_normalised(official, rule, normalised, unit, due):
    deadline = official.due(START, rule)
    assert (deadline.rule, deadline.unit, deadline.due) == (normalised, unit, due)


@pytest.mark.parametrize("rule", ["soon", "2 fortnights", "working days", "3月", "-1 days", "1.5 hours", ""])
def test_unknown_rule_raises_value_error_naming_it(official, rule):
    with pytest.raises(ValueError, match="unknown deadline rule"):
        official.due(START, rule)
