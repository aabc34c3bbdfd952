"""The task page: any form rendered from its schema, errors inline, department boundaries enforced."""
from __future__ import annotations

import re

from tests.engine.conftest import INTAKE
from tests.web.conftest import post

XSS = "<script>alert('x')</script>"


def _field_block(html: str, name: str) -> str:
    match = re.search(rf'<div class="field[^"]*" data-field="{name}">(.*?)</div>\s*(?=<div class="field|<div class="actions")',
                      html, re.S)
    assert match, f"no field {name}"
    return match.group(1)


def test_task_form_is_rendered_from_its_schema(login_as, ticket):
    wo = ticket.open("test_ticket", **INTAKE)
    page = login_as("handler", "business").get(f"/tasks/{ticket.task(wo, 'handle').id}").get_data(as_text=True)
    assert '<textarea name="result" id="f-result"' in page
    assert '<input type="checkbox" name="needs_visit"' in page
    assert '<option value="billing" >电费</option>' in page and '<option value="quality" >质量</option>' in page
    assert "处理结果" in page and "需上门" in page and "类别" in page


def test_other_departments_cannot_see_or_complete_a_task(login_as, ticket):
    wo = ticket.open("test_ticket", **INTAKE)
    task = ticket.task(wo, "handle")
    agent = login_as("agent", "call_centre")
    assert agent.get(f"/tasks/{task.id}").status_code == 403
    refused = post(agent, f"/tasks/{task.id}", {"result": "我来办"})
    assert refused.status_code == 403 and "此任务属于" in refused.get_data(as_text=True)
    crew = login_as("crew", "repair_crew")
    assert crew.get(f"/tasks/{task.id}").status_code == 403
    assert post(crew, f"/tasks/{task.id}/claim").status_code == 403
    assert ticket.task(wo, "handle").state == "ready" and ticket.task(wo, "handle").claimed_by is None


def test_unknown_task_is_404(login_as, ticket):
    assert login_as("handler", "business").get("/tasks/999").status_code == 404


def test_server_side_errors_appear_next_to_each_field(login_as, ticket):
    wo = ticket.open("test_ticket", **INTAKE)
    task = ticket.task(wo, "handle")
    handler = login_as("handler", "business")
    response = post(handler, f"/tasks/{task.id}", {"result": "", "category": "nonsense", "needs_visit": "1"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<p class="field-error" id="err-result">此项必填。</p>' in _field_block(html, "result")
    assert '<p class="field-error" id="err-category">请从列表中选择。</p>' in _field_block(html, "category")
    assert "field-error" not in _field_block(html, "needs_visit")
    assert "checked" in _field_block(html, "needs_visit"), "what the user typed is kept"
    assert ticket.task(wo, "handle").state == "ready"


def test_completing_a_task_moves_the_work_order_on(login_as, ticket):
    wo = ticket.open("test_ticket", **INTAKE)
    task = ticket.task(wo, "handle")
    handler = login_as("handler", "business")
    response = post(handler, f"/tasks/{task.id}", {"result": "已核实，退费", "category": "billing"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/inbox?view=mine")
    assert ticket.ready_names(wo) == [("reply", "call_centre")]
    assert "「部门处理」已办结" in handler.get("/inbox").get_data(as_text=True)
    done = handler.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "已办结" in done and 'id="task-form"' not in done


def test_completing_twice_is_a_conflict(login_as, ticket):
    wo = ticket.open("test_ticket", **INTAKE)
    task = ticket.task(wo, "handle")
    handler = login_as("handler", "business")
    post(handler, f"/tasks/{task.id}", {"result": "ok"})
    again = post(handler, f"/tasks/{task.id}", {"result": "ok"})
    assert again.status_code == 409 and "任务已由 handler 办结" in again.get_data(as_text=True)


def test_a_step_held_by_a_colleague_shows_no_form(login_as, ticket):
    wo = ticket.open("test_ticket", **INTAKE)
    task = ticket.task(wo, "handle")
    post(login_as("first", "business"), f"/tasks/{task.id}/claim")
    page = login_as("second", "business").get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'id="task-form"' not in page and "first 正在办理此环节" in page


def test_task_page_shows_the_work_order_context(login_as, ticket):
    wo = ticket.open("test_ticket", **{**INTAKE, "summary": "电费异常，要求核查"})
    page = login_as("handler", "business").get(f"/tasks/{ticket.task(wo, 'handle').id}").get_data(as_text=True)
    assert ticket.work_order(wo).number in page and "电费异常，要求核查" in page and "张三" in page
    assert "2026-10-09 16:00" in page, "the deadline: 2 working days after 09-30 16:00 skip National Day"
    assert "跳过的非工作日：2026-10-01 至 2026-10-07（7天）" in page
    assert "规则：2个工作日" in page


def test_customer_text_is_escaped_everywhere(login_as, ticket):
    wo = ticket.open("test_ticket", **{**INTAKE, "customer_name": XSS, "summary": f"停电 {XSS}"})
    handler = login_as("handler", "business")
    task = ticket.task(wo, "handle")
    number = ticket.work_order(wo).number
    for path in ("/inbox", f"/tasks/{task.id}", f"/work-orders/{number}", f"/work-orders/?q={number}", "/handover/"):
        html = handler.get(path).get_data(as_text=True)
        assert XSS not in html, path
        assert "&lt;script&gt;alert(" in html, path
