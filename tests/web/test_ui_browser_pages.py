"""In a real browser: an inbox under pressure, the printed handover, and a sealed tip-off page."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.engine.conftest import INTAKE
from tests.web.browser import Person, needs_chromium
from tests.web.conftest import PASSWORD

pytestmark = [pytest.mark.browser, needs_chromium]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_overdue_and_due_soon_steps_stand_out_and_the_handover_prints(ticket, make_user, live_server, chromium, shots):
    late = ticket.work_order(ticket.open("test_ticket", **INTAKE)).number
    ticket.advance(to=datetime(2026, 10, 9, 17, 0, tzinfo=SHANGHAI))
    soon_id = ticket.open("test_ticket", **{**INTAKE, "customer_name": "李四", "summary": "电压不稳"})
    ticket.clock.shift(timedelta(hours=3))
    ticket.open("test_ticket", **{**INTAKE, "customer_name": "王五", "summary": "咨询电价"})
    ticket.clock.move_to(ticket.task(soon_id, "handle").due_at - timedelta(minutes=40))
    make_user("liming", "business", display_name="李明")
    make_user("zhouhua", "shift_lead", display_name="周华")

    handler = Person(chromium, live_server, "liming", PASSWORD)
    page = handler.page
    rows = page.locator("tr[data-task-id]")
    assert rows.count() == 3
    assert "row-overdue" in rows.nth(0).get_attribute("class") and late in rows.nth(0).inner_text()
    assert "超期" in rows.nth(0).locator(".countdown").inner_text()
    assert "row-soon" in rows.nth(1).get_attribute("class") and "剩余 40分" in rows.nth(1).inner_text()
    assert "row-ok" in rows.nth(2).get_attribute("class")
    shots(page, "inbox-overdue-soon-ok")
    page.check("input[name=overdue]")
    handler.submit("form.filters button[type=submit]")
    assert page.locator("tr[data-task-id]").count() == 1
    shots(page, "inbox-overdue-only")

    lead = Person(chromium, live_server, "zhouhua", PASSWORD)
    lp = lead.page
    lp.goto("/handover/?group=business")
    assert late in lp.locator("section", has_text="需催办").inner_text()
    shots(lp, "handover-screen")
    lp.emulate_media(media="print")
    assert not lp.locator(".topbar").is_visible() and not lp.locator("form.filters").is_visible()
    shots(lp, "handover-printed")
    assert handler.offsite == lead.offsite == []


def test_sealed_work_order_page_as_the_shift_lead_sees_it(sealed, make_user, live_server, chromium, shots):
    number = sealed.work_order(sealed.open("web_sealed", customer_name="李举报", customer_phone="13912345678",
                                           summary="抄表员收受好处费")).number
    make_user("zhouhua", "shift_lead", display_name="周华")
    make_user("sunli", "discipline", display_name="孙立")
    lead = Person(chromium, live_server, "zhouhua", PASSWORD)
    lead.page.goto(f"/work-orders/{number}")
    lead.diagram_ready()
    content = lead.page.content()
    assert "李举报" not in content and "13912345678" not in content and "【保密】" in content
    shots(lead.page, "sealed-as-shift-lead")
    inspector = Person(chromium, live_server, "sunli", PASSWORD)
    inspector.page.goto(f"/work-orders/{number}")
    assert "李举报" in inspector.page.content()
    shots(inspector.page, "sealed-as-discipline")
