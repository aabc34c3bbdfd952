"""Functions BPMN timer and script expressions call: ISO 8601 UTC text out, deadlines recorded."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import time_machine

from engine.calendar import Deadline, deadline_functions

CST = timezone(timedelta(hours=8))


def test_expression_functions_return_utc_iso_text(official):
    f = deadline_functions(official)
    start = "2026-09-30T16:00+08:00"
    assert f["working_days"](start, 2) == "2026-10-09T08:00:00+00:00"
    assert f["calendar_days"](start, 10) == "2026-10-10T08:00:00+00:00"
    assert f["hours"](start, 2) == "2026-09-30T10:00:00+00:00"
    assert f["minutes"](start, 45) == "2026-09-30T08:45:00+00:00"
    assert f["months"]("2026-01-31T09:00+08:00", 1) == "2026-02-28T01:00:00+00:00"
    assert f["due"](start, "2个工作日") == "2026-10-09T08:00:00+00:00"


def test_expression_result_is_readable_by_fromisoformat(official):
    due = deadline_functions(official)["working_days"](datetime(2026, 9, 30, 16, tzinfo=CST), 2)
    assert datetime.fromisoformat(due) == datetime(2026, 10, 9, 16, tzinfo=CST)


def test_expression_functions_record_each_deadline(official):
    recorder: list[Deadline] = []
    f = deadline_functions(official, recorder)
    f["working_days"]("2026-09-30T16:00+08:00", 2)
    f["due"]("2026-09-30T16:00+08:00", "45 minutes")
    assert [(d.rule, d.unit) for d in recorder] == [("2 working days", "working_days"), ("45 minutes", "minutes")]
    assert recorder[0].skipped_days[0].isoformat() == "2026-10-01"


def test_now_follows_the_travelled_clock(official):
    f = deadline_functions(official)
    with time_machine.travel(datetime(2026, 9, 30, 16, tzinfo=CST), tick=False):
        assert f["now"]() == "2026-09-30T08:00:00+00:00"
        assert f["working_days"](f["now"](), 2) == "2026-10-09T08:00:00+00:00"
