"""The service dashboard: figures over a fixed set of work orders, each worked out by hand in the test."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from engine import audit
from engine import kpi
from engine.kpi import dashboard
from tests.engine.conftest import INTAKE

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 9 if day == 30 else 10, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def period(ticket, monkeypatch):
    """A: closed on time in 2 h; B: closed after its deadline, 218 h; C: open and overdue; D: opened after the period.

    A and B each got a callback (A satisfied, B unsatisfied); the rule asks for every one.
    """
    monkeypatch.setitem(kpi.CALLBACK_RULE, "test_ticket", 100.0)
    a, b, c = (ticket.open("test_ticket", **INTAKE) for _ in range(3))
    ticket.clock.move_to(at(30, 17))
    ticket.complete(a, "handle", result="已处理", needs_visit=False)
    ticket.clock.move_to(at(30, 18))
    ticket.complete(a, "reply", reply="已回复")
    ticket.advance(to=at(9, 16, 1))
    ticket.clock.move_to(at(9, 17))
    ticket.complete(b, "handle", result="已处理", needs_visit=False)
    ticket.clock.move_to(at(9, 18))
    ticket.complete(b, "reply", reply="已回复")
    ticket.clock.move_to(at(10, 9))
    ticket.open("test_ticket", **INTAKE)
    with ticket.db.transaction() as session:
        for wo_id, satisfaction in ((a, "satisfied"), (b, "unsatisfied")):
            audit.record(session, "task.completed", actor="agent", work_order_id=wo_id, data={
                "task": "callback", "data": {"reached": True, "satisfaction": satisfaction}})
    return ticket


def _figures(flow):
    with flow.db.reading() as session:
        return dashboard(session, date(2026, 9, 30), date(2026, 10, 9), now=at(10, 12))


def test_flow_figures_match_the_hand_count(period):
    (row,) = _figures(period).flows
    assert (row.total, row.closed, row.closed_in_time, row.open, row.overdue) == (3, 2, 1, 1, 1)
    assert row.timeliness == 50.0 and row.average_hours == 110.0  # (2 h + 218 h) / 2
    assert row.callback_rate == 100.0 and row.callback_rule == 100.0 and row.callback_ok is True
    assert row.satisfaction == 50.0


def test_department_and_step_figures_match_the_hand_count(period):
    figures = _figures(period)
    business = {r.key: r for r in figures.departments}["business"]
    assert (business.total, business.closed, business.closed_in_time, business.open, business.overdue) == (3, 2, 1, 1, 1)
    assert business.timeliness == 50.0 and business.average_hours == 109.0  # (1 h + 217 h) / 2
    centre = {r.key: r for r in figures.departments}["call_centre"]
    assert (centre.total, centre.closed, centre.timeliness, centre.average_hours) == (2, 2, 100.0, 1.0)
    assert [r.key for r in figures.steps] == ["test_ticket/handle", "test_ticket/reply"]
    assert figures.breaches_per_day == {"2026-10-09": 2}


def test_dashboard_page_shows_the_figures_and_serves_chart_js_locally(period, login_as):
    lead = login_as("lead", "shift_lead")
    page = lead.get("/audit/dashboard?from=2026-09-30&to=2026-10-09").get_data(as_text=True)
    flows = page.split('id="kpi-flows"')[1].split("</table>")[0]
    assert "50.0 %" in flows and "110.0" in flows and "≥ 100 %" in flows
    assert "/vendor/chart.js/chart.umd.min.js" in page and '"2026-10-09"' in page
    assert login_as("crew", "repair_crew").get("/audit/dashboard").status_code == 403
    script = lead.get("/vendor/chart.js/chart.umd.min.js")
    if script.status_code == 200:
        assert b"Chart" in script.get_data()
    else:
        pytest.skip("Chart.js is not installed: run npm ci")
