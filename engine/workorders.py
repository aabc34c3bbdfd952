"""Work-order services: open one, deliver an external event to it, cancel it.

Each function is one transaction on a :class:`~engine.db.Database`; concurrent calls on the
same work order are serialised by its row lock, and the loser gets :class:`Conflict`.
"""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from marshmallow import ValidationError
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

import forms
from engine import audit
from engine.confidentiality import MASK, sealed_fields
from engine.db import Database
from engine.deployment import latest_version
from engine.directory import SYSTEM_ACTOR, require_member
from engine.errors import Conflict, InvalidState, ValidationFailed
from engine.models import HumanTask, Timer, WorkOrder
from engine.runtime import load_step, save_state, start_workflow, utcnow
from engine.sync import persist

SHANGHAI = ZoneInfo("Asia/Shanghai")
NUMBER_PREFIX = {
    "fault_repair": "GZ", "complaint": "TS", "tip_off": "JB", "power_application": "YK", "arrears_reminder": "QF",
}
CUSTOMER_COLUMNS = ("customer_name", "customer_phone", "customer_address", "area_class", "summary")


@contextmanager
def serialized(db: Database):
    """One transaction whose lost optimistic-lock race surfaces as :class:`Conflict`."""
    try:
        with db.transaction() as session:
            yield session
    except StaleDataError:
        raise Conflict("工单已被他人修改，请刷新后重试 / the work order changed meanwhile; reload and retry") from None


def validate_form(form_key: str, data: dict) -> dict:
    """Validate submitted data with the form's schema; return JSON-safe values."""
    if not form_key:
        return plain(data)
    try:
        loaded = forms.form_schema(form_key).load(data)
    except ValidationError as exc:
        raise ValidationFailed("表单有误 / the form has errors", exc.normalized_messages()) from None
    return plain(loaded)


def plain(value):
    """Make form output storable in workflow data (JSON types only)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=SHANGHAI)).astimezone(timezone.utc).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def open_work_order(db: Database, flow_type: str, intake: dict, *, actor: str, priority: int = 0) -> WorkOrder:
    """Open a work order of ``flow_type`` on its newest process version."""
    with serialized(db) as session:
        return open_in_session(session, flow_type, intake, actor=actor, priority=priority)


def open_in_session(session: Session, flow_type: str, intake: dict, *, actor: str, priority: int = 0) -> WorkOrder:
    """Open a work order inside the caller's transaction, so a batch opens all of its work orders or none."""
    version = latest_version(session, flow_type)
    require_member(session, actor, (version.lane_map or {}).get(version.start_event_id, "call_centre"))
    values = validate_form(version.start_form_key, intake)
    parent = _linked_parent(session, flow_type, values.get("link_to"))
    now = utcnow()
    work_order = WorkOrder(
        number=f"tmp-{uuid.uuid4().hex[:24]}", flow_type=flow_type, process_version_id=version.id,
        process_version=version, parent_id=parent.id if parent else None, status="open", priority=priority, opened_by=actor, opened_at=now, updated_at=now,
        **_customer_columns(values, sealed_fields(version)),
    )
    session.add(work_order)
    session.flush()
    work_order.number = f"{NUMBER_PREFIX.get(flow_type, 'WO')}{now.astimezone(SHANGHAI):%Y%m%d}{work_order.id:06d}"
    data = {**values, "work_order_number": work_order.number, "opened_at": now.isoformat(), "opened_by": actor,
            "linked_to": parent.number if parent else ""}
    audit.record(session, "work_order.opened", actor=actor, work_order_id=work_order.id, data={
        "number": work_order.number, "flow": flow_type, "version": version.version, "intake": values,
    })
    step = start_workflow(session, work_order, data, actor)
    persist(step)
    return work_order


def _customer_columns(values: dict, sealed: frozenset[str]) -> dict[str, str]:
    """Intake values copied to list columns; sealed ones are masked so no inbox or search shows them.

    A sealed value an agent also typed into the free-text summary is cut out of it too.
    """
    columns = {c: (MASK if c in sealed and values.get(c) else str(values.get(c, "") or "")) for c in CUSTOMER_COLUMNS}
    for name in sealed:
        secret = str(values.get(name) or "").strip()
        if len(secret) >= 2:
            columns["summary"] = columns["summary"].replace(secret, MASK)
    return columns


def _linked_parent(session, flow_type: str, number: str | None) -> WorkOrder | None:
    """Resolve ``link_to``: a later call joins an open work order of the same flow."""
    if not number:
        return None
    parent = session.scalars(select(WorkOrder).where(WorkOrder.number == number)).first()
    if parent is None or parent.flow_type != flow_type or parent.status != "open":
        raise ValidationFailed("无法关联 / cannot link", {"link_to": [f"{number} 不是进行中的同类工单 / is not an open {flow_type} work order"]})
    return parent


def send_event(db: Database, work_order_id: int, event_name: str, payload: dict | None = None, *, actor: str) -> WorkOrder:
    """Deliver a named message (e.g. ``crew_arrived``) to a work order waiting for it."""
    with serialized(db) as session:
        step = load_step(session, work_order_id, actor)
        _require_open(step.work_order)
        step.run_engine()
        waiting = [
            t for t in step.workflow.get_tasks(state=TaskState.WAITING)
            if getattr(getattr(t.task_spec, "event_definition", None), "name", None) == event_name
        ]
        if not waiting:
            raise InvalidState(f"工单 {step.work_order.number} 当前不等待事件「{event_name}」/ is not waiting for {event_name}")
        definition = waiting[0].task_spec.event_definition
        body = plain(payload or {})
        try:
            step.workflow.send_event(BpmnEvent(definition, {"payload": body, "result_var": event_name}))
        except SpiffWorkflowException as exc:
            raise InvalidState(str(exc)) from exc
        audit.record(session, "event.received", actor=actor, work_order_id=work_order_id,
                     data={"event": event_name, "payload": body})
        step.run_engine()
        persist(step)
        return step.work_order


def cancel_work_order(db: Database, work_order_id: int, reason: str, *, actor: str) -> WorkOrder:
    """Cancel a work order with a reason; its tasks and timers are withdrawn, its history kept."""
    if not reason.strip():
        raise ValidationFailed("请填写撤销原因 / a reason is required", {"reason": ["必填 / required"]})
    with serialized(db) as session:
        step = load_step(session, work_order_id, actor)
        _require_open(step.work_order)
        if actor != SYSTEM_ACTOR:
            require_member(session, actor, "shift_lead")
        step.workflow.cancel()
        work_order = step.work_order
        now = utcnow()
        for human in session.query(HumanTask).filter_by(work_order_id=work_order_id, state="ready"):
            human.state, human.completed_at = "cancelled", now
        session.query(Timer).filter_by(work_order_id=work_order_id).delete()
        work_order.status, work_order.closed_at, work_order.cancel_reason = "cancelled", now, reason.strip()
        work_order.due_at, work_order.updated_at = None, now
        audit.record(session, "work_order.cancelled", actor=actor, work_order_id=work_order_id,
                     data={"number": work_order.number, "reason": reason.strip()})
        save_state(step)
        return work_order


def _require_open(work_order: WorkOrder) -> None:
    if work_order.status != "open":
        raise InvalidState(f"工单 {work_order.number} 已{ {'closed': '办结', 'cancelled': '撤销'}.get(work_order.status, work_order.status) } / is {work_order.status}")

