"""Auditors: search everything, see the audit chain proved intact or broken, replay any work order, change nothing."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from engine.audit import events_for, remove_postgres_guard
from engine.errors import PermissionDenied
from engine.tasks import claim_task, complete_task
from engine.workorders import cancel_work_order, open_work_order
from tests.engine.conftest import INTAKE
from tests.web.conftest import post
from tests.web.test_ui_confidentiality import NAME, SEALED_INTAKE

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _results(html: str) -> set[str]:
    return set(re.findall(r'href="/work-orders/([A-Z]+\d{14})"', html))


def test_auditor_searches_by_number_phone_flow_department_dates_and_breach(login_as, ticket):
    first = ticket.work_order(ticket.open("test_ticket", **INTAKE)).number
    ticket.advance(to=datetime(2026, 10, 12, 9, 0, tzinfo=SHANGHAI))
    second = ticket.work_order(ticket.open("test_ticket", **{**INTAKE, "customer_phone": "13911112222"})).number
    auditor = login_as("aud", "auditor")
    search = lambda query: _results(auditor.get(f"/audit/?{query}").get_data(as_text=True))  # noqa: E731
    assert search(f"number={first}") == {first}
    assert search("phone=139-1111-2222") == {second}
    assert search("flow=test_ticket") == {first, second}
    assert search("department=business") == {first, second} and search("department=billing") == set()
    assert search("from=2026-10-10&to=2026-10-12") == {second}
    assert search("to=2026-09-30") == {first}
    assert search("breached=yes") == {first} and search("breached=no") == {second}


def test_only_auditors_reach_the_audit_pages(login_as, ticket):
    lead = login_as("lead", "shift_lead")
    assert lead.get("/audit/").status_code == 403 and lead.get("/audit/chain").status_code == 403
    auditor = login_as("aud", "auditor")
    assert auditor.get("/audit/").status_code == 200 and 'href="/audit/"' in auditor.get("/inbox").get_data(as_text=True)


def test_auditor_changes_nothing(flow, ticket, make_user):
    auditor = make_user("aud", "auditor")
    wo_id = ticket.open("test_ticket", **INTAKE)
    task = ticket.task(wo_id, "handle")
    for attempt in (lambda: open_work_order(flow.db, "test_ticket", INTAKE, actor=auditor),
                    lambda: claim_task(flow.db, task.id, actor=auditor),
                    lambda: complete_task(flow.db, task.id, {"result": "x", "needs_visit": False}, actor=auditor),
                    lambda: cancel_work_order(flow.db, wo_id, "审计", actor=auditor)):
        with pytest.raises(PermissionDenied):
            attempt()
    assert ticket.ready_names(wo_id) == [("handle", "business")]


def test_auditor_task_form_posts_are_refused(login_as, ticket):
    wo_id = ticket.open("test_ticket", **INTAKE)
    task = ticket.task(wo_id, "handle")
    auditor = login_as("aud", "auditor")
    post(auditor, f"/tasks/{task.id}", {"result": "审计改的", "needs_visit": ""})
    assert ticket.ready_names(wo_id) == [("handle", "business")]


def test_auditor_reading_a_sealed_identity_is_itself_audited(login_as, sealed):
    wo_id = sealed.open("web_sealed", **SEALED_INTAKE)
    number = sealed.work_order(wo_id).number
    assert NAME in login_as("aud", "auditor").get(f"/work-orders/{number}").get_data(as_text=True)
    login_as("inspector", "discipline").get(f"/work-orders/{number}")
    login_as("agent", "call_centre").get(f"/work-orders/{number}")
    with sealed.db.reading() as session:
        reads = [e for e in events_for(session, wo_id) if e.kind == "sealed.read"]
    assert [(e.actor, e.payload["purpose"]) for e in reads] == [("aud", "work order page")]
    assert {"customer_name", "customer_phone"} <= set(reads[0].payload["fields"])


def test_chain_page_shows_intact_with_the_event_count(login_as, ticket):
    ticket.open("test_ticket", **INTAKE)
    with ticket.db.reading() as session:
        count = session.scalar(text("select count(*) from audit_events"))
    page = login_as("aud", "auditor").get("/audit/chain").get_data(as_text=True)
    assert f"完整（{count} 条事件）" in page or f"Intact ({count} events)" in page


def _tamper(db, statement: str) -> None:
    """Raw SQL behind the log's back; PostgreSQL's guard trigger (tests/test_migrations.py) is lifted first."""
    with db.engine.begin() as connection:
        remove_postgres_guard(connection)
        connection.execute(text(statement))


@pytest.mark.parametrize("statement, seq, words", [
    ("update audit_events set actor = 'someone_else' where seq = 3", 3, "altered"),
    ("delete from audit_events where seq = 2", 2, "missing"),
])
def test_chain_page_names_the_first_broken_link_after_raw_sql_tampering(login_as, ticket, db, statement, seq, words):
    ticket.open("test_ticket", **INTAKE)
    auditor = login_as("aud", "auditor")
    _tamper(db, statement)
    page = auditor.get("/audit/chain").get_data(as_text=True)
    assert 'class="chain-broken"' in page and f"#{seq}" in page and words in page


def test_replay_page_lists_every_event_with_the_first_step_shown(login_as, ticket):
    wo_id = ticket.open("test_ticket", **INTAKE)
    ticket.complete(wo_id, "handle", result="已处理", needs_visit=False)
    number = ticket.work_order(wo_id).number
    lead = login_as("lead", "shift_lead")
    page = lead.get(f"/audit/replay/{number}?step=2").get_data(as_text=True)
    frames = re.findall(r'<section class="panel replay-frame" data-index="(\d+)" (hidden)?', page)
    assert len(frames) == len(ticket.events(wo_id)) and [i for i, hidden in frames if not hidden] == ["2"]
    assert 'id="replay-frames"' in page and f"/work-orders/{number}/diagram.bpmn" in page
    assert login_as("crew", "repair_crew").get(f"/audit/replay/{number}").status_code == 403
    assert f'href="/audit/replay/{number}"' in lead.get(f"/work-orders/{number}").get_data(as_text=True)
