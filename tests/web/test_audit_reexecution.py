"""Re-execution: the recorded inputs, run again on the pinned version with the recorded clock, give the stored state."""
from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from engine.audit import remove_postgres_guard
from engine.models import WorkflowState, WorkOrder
from engine.reexecution import check
from tests.engine.conftest import INTAKE
from web.demo import load_demo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _check(flow, ref):
    with flow.db.reading() as session:
        return check(session, ref)


def _played(ticket) -> int:
    wo_id = ticket.open("test_ticket", **INTAKE)
    ticket.advance(to=datetime(2026, 10, 9, 16, 1, tzinfo=SHANGHAI))
    ticket.complete(wo_id, "handle", result="已核实退费", needs_visit=True)
    ticket.send(wo_id, "visit_done", note="上门完成")
    return wo_id


def test_replaying_the_recorded_inputs_gives_the_stored_state(ticket):
    wo_id = _played(ticket)
    result = _check(ticket, wo_id)
    assert result.consistent, result.divergence
    assert result.inputs == 4 and result.events_compared == len(
        [k for k in ticket.events(wo_id) if k not in ("task.claimed",)])


def _rewrite_state(db, wo_id: int, old: str, new: str) -> None:
    """Edit the stored workflow row behind the engine's back (what a careless fix-up would do)."""
    with db.transaction() as session:
        row = session.get(WorkflowState, wo_id)
        altered = row.state_json.replace(json.dumps(old)[1:-1], json.dumps(new)[1:-1]).replace(old, new)
        assert altered != row.state_json
        row.state_json = altered


def test_an_altered_stored_workflow_is_reported_as_the_divergence(ticket):
    wo_id = _played(ticket)
    _rewrite_state(ticket.db, wo_id, "已核实退费", "未核实")
    result = _check(ticket, wo_id)
    assert not result.consistent
    assert result.divergence.where.startswith("final state: ")
    assert "已核实退费" in result.divergence.replayed and "未核实" in result.divergence.recorded


def test_an_altered_recorded_form_is_reported_at_its_event(ticket):
    wo_id = _played(ticket)
    with ticket.db.engine.begin() as connection:
        remove_postgres_guard(connection)
        connection.exec_driver_sql(
            "update audit_events set data = replace(data, '\"needs_visit\":true', '\"needs_visit\":false') "
            "where kind = 'task.completed'")
    result = _check(ticket, wo_id)
    assert not result.consistent and result.divergence.where.endswith("(event.received)")
    assert "visit_done" in result.divergence.replayed and result.inputs == 3


def test_every_demo_work_order_replays_consistently(db, flow):
    for process in ("fault_repair", "complaint", "tip_off", "power_application", "arrears_reminder"):
        flow.deploy(process)
    load_demo(db, now=datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI))
    with db.reading() as session:
        numbers = list(session.scalars(select(WorkOrder.number).order_by(WorkOrder.id)))
    assert len(numbers) > 10
    failures = {n: r.divergence for n in numbers if not (r := _check(flow, n)).consistent}
    assert failures == {}


def test_replay_command_prints_consistent_or_the_divergence(ticket, db, monkeypatch):
    from click.testing import CliRunner

    from engine.audit.commands import audit

    wo_id = _played(ticket)
    number = ticket.work_order(wo_id).number
    monkeypatch.setenv("TICKETFLOW_DATABASE_URL", db.url)
    ok = CliRunner().invoke(audit, ["replay", number])
    assert ok.exit_code == 0 and ok.output.startswith(f"CONSISTENT: {number}: 4 inputs replayed"), ok.output
    _rewrite_state(ticket.db, wo_id, "已核实退费", "未核实")
    broken = CliRunner().invoke(audit, ["replay", number])
    assert broken.exit_code == 1 and f"DIVERGED: {number} at final state: " in broken.output


def test_re_execute_button_is_for_auditors_and_shows_the_verdict(login_as, ticket):
    from tests.web.conftest import post

    wo_id = _played(ticket)
    number = ticket.work_order(wo_id).number
    lead = login_as("lead", "shift_lead")
    assert 'id="re-execute"' not in lead.get(f"/audit/replay/{number}").get_data(as_text=True)
    assert post(lead, f"/audit/replay/{number}/re-execute").status_code == 403
    auditor = login_as("aud", "auditor")
    assert 'id="re-execute"' in auditor.get(f"/audit/replay/{number}").get_data(as_text=True)
    page = post(auditor, f"/audit/replay/{number}/re-execute").get_data(as_text=True)
    assert 'class="chain-ok" id="re-execute-result"' in page
    _rewrite_state(ticket.db, wo_id, "已核实退费", "未核实")
    page = post(auditor, f"/audit/replay/{number}/re-execute").get_data(as_text=True)
    assert 'class="chain-broken" id="re-execute-result"' in page and "未核实" in page
