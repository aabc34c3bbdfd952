"""A tip-off reporter's identity never reaches a page of anyone outside discipline inspection and audit.

Proved twice: on a small sealed test diagram whose script texts the reporter (so the identity
also lands in the outbox and the audit log), and on the real tip-off flow.
"""
from __future__ import annotations

import re

from sqlalchemy import select

from engine.models import WorkOrder
from tests.web.conftest import post

NAME, PHONE, ADDRESS = "李举报", "13912345678", "和平路 8 号"
SEALED_INTAKE = {"customer_name": NAME, "customer_phone": PHONE, "summary": "抄表员收受好处费"}


def _id_of(flow, number: str) -> int:
    with flow.db.reading() as session:
        return session.scalar(select(WorkOrder.id).where(WorkOrder.number == number))


def _pages_of(client, number: str, task_id: int | None = None) -> dict[str, str]:
    paths = [f"/work-orders/{number}", f"/work-orders/?q={number}", "/inbox",
             "/inbox?view=mine", "/handover/?group=discipline", "/handover/", f"/work-orders/{number}/diagram.bpmn"]
    if task_id is not None:
        paths.append(f"/tasks/{task_id}")
    return {path: client.get(path).get_data(as_text=True) for path in paths}


def _assert_hidden(pages: dict[str, str]) -> None:
    for path, html in pages.items():
        assert NAME not in html and PHONE not in html and ADDRESS not in html, path


def test_sealed_identity_is_masked_for_everyone_outside_discipline_and_audit(login_as, sealed):
    agent = login_as("agent", "call_centre")
    opened = post(agent, "/intake/web_sealed", {**SEALED_INTAKE, "action": "open"}, follow_redirects=True)
    page = opened.get_data(as_text=True)
    number = re.search(r"工单 (WO\d{14}) 已生成", page).group(1)
    task = sealed.task(_id_of(sealed, number), "investigate")
    assert "【保密】" in page and "部分信息保密" in page
    _assert_hidden({"after intake": page})
    _assert_hidden(_pages_of(agent, number))
    _assert_hidden(_pages_of(login_as("lead", "shift_lead"), number, task.id))
    _assert_hidden(_pages_of(login_as("boss", "call_centre", "business", "process_owner"), number))
    looked_up = post(agent, "/intake/web_sealed", {"customer_phone": PHONE, "action": "lookup"}).get_data(as_text=True)
    assert number not in looked_up.split('id="caller-lookup"')[1], "a sealed phone finds nothing"
    assert f'href="/work-orders/{number}"' not in agent.get(f"/work-orders/?q={PHONE}").get_data(as_text=True)


def test_discipline_and_auditors_read_the_identity(login_as, sealed):
    wo_id = sealed.open("web_sealed", **SEALED_INTAKE)
    number = sealed.work_order(wo_id).number
    task = sealed.task(wo_id, "investigate")
    inspector = login_as("inspector", "discipline")
    task_page = inspector.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert NAME in task_page and PHONE in task_page and "部分信息保密" not in task_page
    work_order = login_as("auditor", "auditor").get(f"/work-orders/{number}").get_data(as_text=True)
    assert NAME in work_order and f"尊敬的{NAME}" in work_order, "the auditor sees the SMS as sent"


def test_the_sms_to_the_reporter_is_scrubbed_in_every_part_of_the_page(login_as, sealed):
    wo_id = sealed.open("web_sealed", **SEALED_INTAKE)
    number = sealed.work_order(wo_id).number
    assert any(NAME in m.body and m.recipient == PHONE for m in sealed.outbox(wo_id))
    page = login_as("agent", "call_centre").get(f"/work-orders/{number}").get_data(as_text=True)
    messages = page.split("<h2>已发消息</h2>")[1]
    assert "尊敬的【保密】，您的举报已受理" in messages and "<strong>【保密】</strong>" in messages


def test_real_tip_off_flow_hides_the_reporter(login_as, flow):
    flow.deploy("tip_off")
    agent = login_as("agent", "call_centre")
    intake = {"customer_name": NAME, "customer_phone": PHONE, "customer_address": ADDRESS, "allegation": "bribery",
              "accused": "某供电所抄表员", "summary": "抄表员收受好处费后少计电量"}
    response = post(agent, "/intake/tip_off", {**intake, "action": "open"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    number = re.search(r"工单 (JB\d{14}) 已生成", page).group(1)
    _assert_hidden({"after intake": page})
    _assert_hidden(_pages_of(agent, number))
    lead = login_as("lead", "shift_lead")
    _assert_hidden(_pages_of(lead, number))
    inspector = login_as("inspector", "discipline")
    queue = inspector.get("/inbox").get_data(as_text=True)
    task_id = int(re.search(r'data-task-id="(\d+)"', queue).group(1))
    _assert_hidden({"discipline inbox lists masked columns": queue})
    assert NAME in inspector.get(f"/tasks/{task_id}").get_data(as_text=True)
    _assert_hidden({"shift lead on the task": lead.get(f"/tasks/{task_id}").get_data(as_text=True)})
