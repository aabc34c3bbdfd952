"""Shift handover (交接班, art. 22): open items, items to chase, the shift's breaches; printable."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.engine.conftest import INTAKE

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=SHANGHAI)


def _numbers(html: str, heading: str) -> set[str]:
    section = re.search(rf"<h2>{heading}.*?</section>", html, re.S).group(0)
    return set(re.findall(r'href="/work-orders/(WO\d{14})"', section))


def _open_at(flow, when: datetime) -> str:
    flow.clock.move_to(when)
    return flow.work_order(flow.open("test_ticket", **INTAKE)).number


def test_handover_lists_open_items_items_to_chase_and_the_shifts_breaches(login_as, ticket):
    before_shift = _open_at(ticket, _at("2026-09-29", "10:00"))  # due 10-08 10:00: missed before this shift
    in_shift = _open_at(ticket, _at("2026-09-30", "16:00"))  # due 10-09 16:00: missed during this shift
    soon = _open_at(ticket, _at("2026-09-30", "20:30"))  # due 10-09 20:30: within the hour at 20:00
    ticket.advance(to=_at("2026-10-09", "19:00"))
    quiet = _open_at(ticket, _at("2026-10-09", "19:00"))
    ticket.clock.move_to(_at("2026-10-09", "20:00"))
    page = login_as("handler", "business").get("/handover/").get_data(as_text=True)
    assert "交接班：业务部门" in page and "班次 2026-10-09 12:00 至 2026-10-09 20:00" in page
    assert _numbers(page, "需催办") == {before_shift, in_shift, soon}
    assert _numbers(page, "本班超期") == {in_shift}
    assert _numbers(page, "在办工单") == {before_shift, in_shift, soon, quiet}
    longer = login_as("handler").get("/handover/?hours=48").get_data(as_text=True)
    assert _numbers(longer, "本班超期") == {before_shift, in_shift}


def test_handover_is_printable(login_as, ticket):
    page = login_as("handler", "business").get("/handover/").get_data(as_text=True)
    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in page
    assert "window.print()" in page and "没有需要催办的事项" in page and "本部门没有在办工单" in page
    css = login_as("handler").get("/static/css/print.css").get_data(as_text=True)
    assert ".topbar" in css and "display: none" in css


def test_a_department_reads_only_its_own_handover_and_the_shift_lead_reads_all(login_as, ticket):
    assert login_as("crew", "repair_crew").get("/handover/?group=business").status_code == 403
    lead = login_as("lead", "shift_lead").get("/handover/?group=business")
    assert lead.status_code == 200 and "交接班：业务部门" in lead.get_data(as_text=True)
    own = login_as("agent", "call_centre").get("/handover/").get_data(as_text=True)
    assert "交接班：95598 呼叫中心" in own
    assert login_as("owner", "process_owner").get("/handover/").status_code == 200
