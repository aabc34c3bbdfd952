"""Engine services on the test diagram: open, complete, route, events, cancel — and every error path."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from engine.errors import Conflict, InvalidState, NotFound, PermissionDenied, ValidationFailed
from engine.models import HumanTask, Timer, WorkflowState, WorkOrder
from engine.tasks import claim_task, complete_task
from engine.workorders import cancel_work_order, open_work_order, send_event
from tests.engine.conftest import INTAKE

SH = ZoneInfo("Asia/Shanghai")


def test_opening_creates_number_task_in_lane_and_two_working_day_deadline(ticket):
    wo_id = ticket.open("test_ticket", **INTAKE)
    wo = ticket.work_order(wo_id)
    assert wo.number.startswith("WO20260930") and wo.status == "open"
    assert (wo.customer_name, wo.customer_phone) == ("张三", "13800138000")
    assert ticket.ready_names(wo_id) == [("handle", "business")]
    task = ticket.task(wo_id, "handle")
    assert task.form_key == "test.handle"
    assert task.due_at.astimezone(SH) == datetime(2026, 10, 9, 16, 0, tzinfo=SH)
    assert task.deadline["rule"] == "2 working days"
    assert wo.due_at == task.due_at
    [timer] = ticket.timers(wo_id)
    assert (timer.bpmn_id, timer.attached_to) == ("late", "handle")
    assert ticket.events(wo_id) == ["work_order.opened", "task.ready"]


def test_spec_is_stored_once_per_version_not_in_each_instance(ticket, db):
    wo_id = ticket.open("test_ticket", **INTAKE)
    with db.reading() as session:
        state = session.get(WorkflowState, wo_id).state_json
        spec_json = session.get(WorkOrder, wo_id).process_version.spec_json
    assert '"spec"' not in state and "task_specs" not in state
    assert "task_specs" in spec_json


def test_invalid_intake_reports_field_errors_and_saves_nothing(ticket, db):
    with pytest.raises(ValidationFailed) as caught:
        ticket.open("test_ticket", customer_name="", customer_phone="12345", summary="x")
    assert set(caught.value.errors) == {"customer_name", "customer_phone"}
    with db.reading() as session:
        assert session.scalars(select(WorkOrder)).all() == []


def test_opening_an_undeployed_flow_is_not_found(ticket):
    with pytest.raises(NotFound, match="nope"):
        ticket.open("nope", **INTAKE)


def test_only_the_start_lane_may_open(ticket):
    with pytest.raises(PermissionDenied):
        open_work_order(ticket.db, "test_ticket", INTAKE, actor=ticket.user_in("billing"))


def test_default_path_goes_to_reply_and_closes(ticket):
    wo_id = ticket.open("test_ticket", **INTAKE)
    ticket.complete(wo_id, "handle", result="已核实", needs_visit=False)
    assert ticket.ready_names(wo_id) == [("reply", "call_centre")]
    assert ticket.timers(wo_id) == []
    ticket.complete(wo_id, "reply", reply="已答复客户")
    wo = ticket.work_order(wo_id)
    assert wo.status == "closed" and wo.closed_at is not None and wo.due_at is None
    assert ticket.path(wo_id)[-3:] == ["gw", "reply", "end"]
    assert ticket.events(wo_id)[-1] == "work_order.closed"


def test_visit_path_waits_for_event_then_replies(ticket):
    wo_id = ticket.open("test_ticket", **INTAKE)
    ticket.complete(wo_id, "handle", result="需上门核查", needs_visit=True)
    assert ticket.ready(wo_id) == []
    with pytest.raises(InvalidState, match="crew_arrived"):
        ticket.send(wo_id, "crew_arrived")
    ticket.send(wo_id, "visit_done", inspector="李四")
    assert ticket.ready_names(wo_id) == [("reply", "call_centre")]
    assert ticket.data(wo_id)["visit_done"] == {"inspector": "李四"}
    assert "event.received" in ticket.events(wo_id)


def test_invalid_task_data_returns_field_errors_and_task_stays_ready(ticket):
    wo_id = ticket.open("test_ticket", **INTAKE)
    with pytest.raises(ValidationFailed) as caught:
        ticket.complete(wo_id, "handle", result="", category="weather")
    assert set(caught.value.errors) == {"result", "category"}
    assert ticket.ready_names(wo_id) == [("handle", "business")]


def test_another_department_cannot_claim_or_complete(ticket):
    wo_id = ticket.open("test_ticket", **INTAKE)
    task = ticket.task(wo_id, "handle")
    outsider = ticket.user_in("billing")
    with pytest.raises(PermissionDenied):
        claim_task(ticket.db, task.id, actor=outsider)
    with pytest.raises(PermissionDenied):
        complete_task(ticket.db, task.id, {"result": "x"}, actor=outsider)


def test_completing_twice_is_a_conflict_naming_the_winner(ticket):
    wo_id = ticket.open("test_ticket", **INTAKE)
    task = ticket.task(wo_id, "handle")
    ticket.complete(wo_id, "handle", result="ok")
    with pytest.raises(Conflict, match="business_user"):
        complete_task(ticket.db, task.id, {"result": "again"}, actor=ticket.user_in("business"))


def test_stale_expected_version_is_a_conflict(ticket):
    wo_id = ticket.open("test_ticket", **INTAKE)
    task = ticket.task(wo_id, "handle")
    stale = ticket.work_order(wo_id).lock_version - 1
    with pytest.raises(Conflict):
        complete_task(ticket.db, task.id, {"result": "x"}, actor=ticket.user_in("business"), expected_version=stale)


def test_unknown_task_and_work_order_are_not_found(ticket):
    with pytest.raises(NotFound):
        complete_task(ticket.db, 999, {}, actor=ticket.user_in("business"))
    with pytest.raises(NotFound):
        send_event(ticket.db, 999, "visit_done", actor="system")


def test_cancel_needs_reason_and_shift_lead_and_withdraws_everything(ticket, db):
    wo_id = ticket.open("test_ticket", **INTAKE)
    with pytest.raises(ValidationFailed):
        cancel_work_order(db, wo_id, "  ", actor=ticket.user_in("shift_lead"))
    with pytest.raises(PermissionDenied):
        cancel_work_order(db, wo_id, "重复工单", actor=ticket.user_in("call_centre"))
    cancel_work_order(db, wo_id, "重复工单", actor=ticket.user_in("shift_lead"))
    wo = ticket.work_order(wo_id)
    assert (wo.status, wo.cancel_reason) == ("cancelled", "重复工单")
    assert ticket.ready(wo_id) == [] and ticket.timers(wo_id) == []
    with db.reading() as session:
        assert session.scalars(select(HumanTask.state)).all() == ["cancelled"]
    with pytest.raises(InvalidState):
        cancel_work_order(db, wo_id, "again", actor=ticket.user_in("shift_lead"))
    with pytest.raises(InvalidState):
        ticket.send(wo_id, "visit_done")
    assert ticket.events(wo_id)[-1] == "work_order.cancelled"


def test_running_work_orders_stay_on_their_version(ticket, db):
    from tests.engine.conftest import TICKET_BPMN

    old = ticket.open("test_ticket", **INTAKE)
    changed = TICKET_BPMN.read_text().replace('value="2 working days"', 'value="3 working days"')
    path = TICKET_BPMN.parent.parent / "changed.bpmn"
    try:
        path.write_text(changed)
        ticket.deploy(path)
    finally:
        path.unlink()
    new = ticket.open("test_ticket", **INTAKE)
    assert ticket.work_order(old).process_version.version == 1
    assert ticket.work_order(new).process_version.version == 2
    assert ticket.task(new, "handle").due_at.astimezone(SH) == datetime(2026, 10, 10, 16, 0, tzinfo=SH)
    assert ticket.task(old, "handle").due_at.astimezone(SH) == datetime(2026, 10, 9, 16, 0, tzinfo=SH)
    with db.reading() as session:
        assert len(session.scalars(select(Timer)).all()) == 2
