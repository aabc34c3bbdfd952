"""In a real browser: an auditor finds a breached work order, steps through its history with the keyboard and
the buttons, and reads the dashboard."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.engine.conftest import INTAKE
from tests.web.browser import Person, needs_chromium
from tests.web.conftest import PASSWORD

pytestmark = [pytest.mark.browser, needs_chromium]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_auditor_replays_a_breached_work_order_step_by_step(ticket, make_user, live_server, chromium, shots):
    wo_id = ticket.open("test_ticket", **INTAKE)
    ticket.advance(to=datetime(2026, 10, 9, 16, 1, tzinfo=SHANGHAI))
    ticket.complete(wo_id, "handle", result="已核实，退还多收电费", needs_visit=True)
    ticket.send(wo_id, "visit_done", note="上门核查完成")
    number = ticket.work_order(wo_id).number
    kinds = ticket.events(wo_id)
    make_user("xuke", "auditor", display_name="许可")

    auditor = Person(chromium, live_server, "xuke", PASSWORD)
    page = auditor.page
    page.goto("/audit/?breached=yes")
    shots(page, "search-breached")
    with page.expect_navigation():
        page.locator("#audit-results tr", has_text=number).locator("a", has_text="回放").click()
    auditor.diagram_ready()
    visible = page.locator(".replay-frame:not([hidden])")
    assert "工单已受理" in visible.inner_text() and "张三" in visible.inner_text()
    assert auditor.marked("start", "completed") and not auditor.marked("handle", "active")
    shots(page, "step-1-opened")

    page.keyboard.press("ArrowRight")
    assert page.locator("#replay-step").inner_text() == "2"
    assert auditor.marked("handle", "active") and "2026-10-09 16:00" in visible.inner_text()
    breach = kinds.index("deadline.breached")
    page.locator("#replay-jump").fill(str(breach))
    assert auditor.marked("handle", "breached") and auditor.marked("handle", "active")
    assert page.locator("#replay-step").inner_text() == str(breach + 1)
    shots(page, "step-deadline-breached")

    page.keyboard.press("End")
    assert page.locator("#replay-step").inner_text() == str(len(kinds))
    assert auditor.marked("handle", "completed") and auditor.marked("wait_visit", "completed")
    assert auditor.marked("reply", "active") and auditor.marked("handle", "breached")
    assert "上门核查完成" in visible.inner_text()
    shots(page, "step-last")
    page.click("[data-go=prev]")
    assert page.locator("#replay-step").inner_text() == str(len(kinds) - 1)
    page.keyboard.press("Home")
    assert page.locator("#replay-step").inner_text() == "1" and "step=0" in page.url
    assert auditor.offsite == []


def test_dashboard_draws_its_charts_with_the_locally_served_chart_js(ticket, make_user, live_server, chromium, shots):
    ticket.open("test_ticket", **INTAKE)
    ticket.advance(to=datetime(2026, 10, 9, 16, 1, tzinfo=SHANGHAI))
    make_user("xuke", "auditor", display_name="许可")
    auditor = Person(chromium, live_server, "xuke", PASSWORD)
    page = auditor.page
    page.goto("/audit/dashboard?from=2026-09-30&to=2026-10-09")
    page.wait_for_selector("body[data-charts=ready]", timeout=15000)
    assert page.locator("#kpi-flows td.overdue").inner_text() == "1"
    shots(page, "dashboard")
    assert auditor.offsite == []
