"""The work-order page: summary, deadlines explained, timeline, messages and the marked diagram."""
from __future__ import annotations

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.engine.conftest import INTAKE, TICKET_BPMN

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _markers(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="diagram-markers">(.*?)</script>', html, re.S).group(1))


def test_work_order_page_shows_summary_deadline_and_timeline(login_as, ticket):
    wo = ticket.work_order(ticket.open("test_ticket", **INTAKE))
    page = login_as("agent", "call_centre").get(f"/work-orders/{wo.number}").get_data(as_text=True)
    assert wo.number in page and "电费异常" in page and "张三" in page and "13800138000" in page
    assert "2026-10-09 16:00" in page and "规则：2个工作日" in page and "起算：2026-09-30 16:00:00+08:00（周三）" in page
    assert "跳过的非工作日：2026-10-01 至 2026-10-07（7天）" in page
    timeline = page.split("<h2>时间线</h2>")[1]
    assert timeline.index("工单已受理") < timeline.index("环节待办")


def test_work_order_page_is_reachable_by_id_or_number(login_as, ticket):
    wo = ticket.work_order(ticket.open("test_ticket", **INTAKE))
    agent = login_as("agent", "call_centre")
    assert agent.get(f"/work-orders/{wo.id}").status_code == 200
    assert agent.get("/work-orders/TS20990101000001").status_code == 404


def test_departments_outside_the_flow_may_not_open_the_work_order(login_as, ticket):
    wo = ticket.work_order(ticket.open("test_ticket", **INTAKE))
    crew = login_as("crew", "repair_crew")
    assert crew.get(f"/work-orders/{wo.number}").status_code == 403
    assert crew.get(f"/work-orders/{wo.number}/diagram.bpmn").status_code == 403
    assert f'href="/work-orders/{wo.number}"' not in crew.get(f"/work-orders/?q={wo.number}").get_data(as_text=True)
    assert login_as("lead", "shift_lead").get(f"/work-orders/{wo.number}").status_code == 200
    assert login_as("auditor", "auditor").get(f"/work-orders/{wo.number}").status_code == 200


def test_diagram_is_the_exact_xml_of_the_work_orders_version(login_as, ticket):
    wo = ticket.work_order(ticket.open("test_ticket", **INTAKE))
    response = login_as("agent", "call_centre").get(f"/work-orders/{wo.number}/diagram.bpmn")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert response.get_data() == TICKET_BPMN.read_bytes()


def test_diagram_marks_completed_active_and_breached_elements(login_as, ticket):
    wo_id = ticket.open("test_ticket", **INTAKE)
    number = ticket.work_order(wo_id).number
    agent = login_as("agent", "call_centre")
    fresh = _markers(agent.get(f"/work-orders/{number}").get_data(as_text=True))
    assert "start" in fresh["completed"] and "handle" in fresh["active"] and fresh["breached"] == []
    ticket.advance(to=datetime(2026, 10, 9, 16, 1, tzinfo=SHANGHAI))
    late = agent.get(f"/work-orders/{number}").get_data(as_text=True)
    markers = _markers(late)
    assert "handle" in markers["breached"] and "handle" in markers["active"]
    assert {"late", "mark_late", "late_end"} <= set(markers["completed"])
    assert "已超期" in late
    messages = late.split("<h2>已发消息</h2>")[1]
    assert "部门处理」已超期" in messages and "值班长" in messages


def test_bpmn_viewer_is_served_locally_and_only_its_own_files(login_as, ticket):
    agent = login_as("agent", "call_centre")
    wo = ticket.work_order(ticket.open("test_ticket", **INTAKE))
    page = agent.get(f"/work-orders/{wo.number}").get_data(as_text=True)
    assert 'src="/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js"' in page
    assert "//cdn" not in page and "https://" not in page
    viewer = agent.get("/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js")
    assert viewer.status_code == 200 and viewer.mimetype in ("text/javascript", "application/javascript")
    assert agent.get("/vendor/bpmn-js/bpmn-modeler.development.js").status_code == 404
    assert agent.get("/vendor/bpmn-js/../../package.json").status_code == 404


def test_search_finds_work_orders_by_number_and_phone(login_as, ticket):
    wo = ticket.work_order(ticket.open("test_ticket", **INTAKE))
    agent = login_as("agent", "call_centre")
    link = f'href="/work-orders/{wo.number}"'
    assert link in agent.get("/work-orders/?q=138-0013-8000").get_data(as_text=True)
    assert link in agent.get(f"/work-orders/?q={wo.number[:8]}").get_data(as_text=True)
    assert "没有与“13999999999”匹配的工单" in agent.get("/work-orders/?q=13999999999").get_data(as_text=True)


def test_a_provisional_deadline_is_flagged_on_the_page(login_as, ticket):
    ticket.clock.move_to(datetime(2031, 4, 30, 10, 0, tzinfo=SHANGHAI))  # no published 2031 schedule
    wo = ticket.work_order(ticket.open("test_ticket", **INTAKE))
    page = login_as("agent", "call_centre").get(f"/work-orders/{wo.number}").get_data(as_text=True)
    assert '<details class="explain" open>' in page and '<span class="badge badge-soon">临时</span>' in page
    assert "临时结果：2031年的节假日安排尚未公布" in page
