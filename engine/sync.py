"""Materialise a workflow's state into rows: ready human tasks, waiting timers, status.

Inboxes and the timer sweeper read these rows and never deserialise a workflow, which is
what keeps an inbox page and a sweep cheap however many work orders are waiting.
"""
from __future__ import annotations

from datetime import datetime
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, lazyload

from engine import audit
from engine.models import HumanTask, OutboxMessage, Timer
from engine.overdue import fired_at_birth, record_born_overdue
from engine.runtime import PendingMessage, Step, save_state, utcnow

SPLIT_SUFFIX = ".BoundaryEventSplit"
# Built once (building costs more than running them); the work order is already loaded, so no join.
_TIMERS = select(Timer).where(Timer.work_order_id == bindparam("work_order_id"))
_READY_TASKS = (select(HumanTask).options(lazyload(HumanTask.work_order))
                .where(HumanTask.work_order_id == bindparam("work_order_id"), HumanTask.state == "ready"))


def persist(step: Step) -> None:
    """Save the instance and bring every derived row in line with it.

    Everything is written in one flush (new tasks need their ids before their ``task.ready``
    events are recorded); only a deadline that fired before its task existed, which marks
    the workflow and the task afterwards, costs a second one.
    """
    session, work_order = step.session, step.work_order
    now = utcnow()
    timers = _sync_timers(step, now)
    ready, born, withdrawn = _stage_tasks(step, timers, now)
    work_order.due_at = _earliest_due(ready)
    closing = step.workflow.is_completed() and work_order.status == "open"
    if closing:
        work_order.status = "closed"
        work_order.closed_at = now
    work_order.updated_at = now
    overdue = fired_at_birth(step.workflow)
    if not overdue:
        save_state(step)
    session.flush()
    _record_tasks(step, born, withdrawn)
    if overdue:
        record_born_overdue(step, now, _record_fired, overdue)
        work_order.due_at = _earliest_due(ready)
    _flush_messages(step, now)
    if closing:
        audit.record(session, "work_order.closed", actor=step.actor, work_order_id=work_order.id,
                     data={"number": work_order.number})
    if overdue:
        save_state(step)
    session.flush()


def _earliest_due(ready: list[HumanTask]) -> datetime | None:
    dues = [t.due_at for t in ready if t.due_at is not None]
    return min(dues) if dues else None


def _timer_tasks(workflow) -> list:
    waiting = []
    for task in workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, TimerEventDefinition) or (
            isinstance(definition, MultipleEventDefinition)
            and any(isinstance(d, TimerEventDefinition) for d in definition.event_definitions)
        ):
            waiting.append(task)
    return waiting


def _due_of(task) -> datetime | None:
    value = task.internal_data.get("event_value")
    if isinstance(value, dict):
        value = value.get("next")
    if not value:
        return None
    return TimerEventDefinition.get_datetime(value) if isinstance(value, str) else None


def _attached_to(task) -> str | None:
    parent = task.parent
    if isinstance(task.task_spec, BoundaryEvent) and parent is not None and parent.task_spec.name.endswith(SPLIT_SUFFIX):
        return parent.task_spec.name[: -len(SPLIT_SUFFIX)]
    return None


def _sync_timers(step: Step, now: datetime) -> dict[str, Timer]:
    """Upsert waiting timers; rows whose task left WAITING either fired or were withdrawn."""
    session, work_order, workflow = step.session, step.work_order, step.workflow
    recorded = {d.due.isoformat(): d for d in step.deadlines}
    rows = {} if step.state is None else {t.spiff_task_id: t for t in _rows(session, _TIMERS, work_order.id)}
    live: dict[str, Timer] = {}
    for task in _timer_tasks(workflow):
        key = str(task.id)
        due = _due_of(task)
        if due is None:
            continue
        row = rows.pop(key, None)
        if row is None:
            deadline = recorded.get(due.isoformat())
            row = Timer(
                work_order_id=work_order.id, spiff_task_id=key, bpmn_id=task.task_spec.bpmn_id or task.task_spec.name,
                name=task.task_spec.bpmn_name or "", attached_to=_attached_to(task),
                interrupting=bool(getattr(task.task_spec, "cancel_activity", False)),
                due_at=due, deadline=deadline.to_dict() if deadline else None, created_at=now,
            )
            session.add(row)
        elif row.due_at != due:
            row.due_at = due
        live[key] = row
    for key, row in rows.items():
        task = workflow.get_task_from_id(_uuid(key))
        if task is not None and task.has_state(TaskState.COMPLETED):
            _record_fired(step, row, now)
        session.delete(row)
    return live


def _record_fired(step: Step, row: Timer, now: datetime) -> None:
    session, work_order = step.session, step.work_order
    audit.record(session, "timer.fired", actor="system", work_order_id=work_order.id, data={
        "timer": row.bpmn_id, "name": row.name, "due_at": row.due_at, "fired_at": now,
    })
    if row.attached_to is None:
        return
    overdue = now - row.due_at
    breached = session.scalars(select(HumanTask).where(
        HumanTask.work_order_id == work_order.id, HumanTask.bpmn_id == row.attached_to, HumanTask.state == "ready",
    )).all()
    for human in breached:
        human.breached_at = human.breached_at or row.due_at
    if work_order.breached_at is None:
        work_order.breached_at = row.due_at
    groups = sorted({h.group_name for h in breached}) or ["shift_lead"]
    audit.record(session, "deadline.breached", actor="system", work_order_id=work_order.id, data={
        "task": row.attached_to, "timer": row.bpmn_id, "due_at": row.due_at,
        "overdue_seconds": int(overdue.total_seconds()), "groups": groups,
    })
    text = f"工单 {work_order.number} 环节「{breached[0].name if breached else row.attached_to}」已超期 / deadline missed"
    for group in {*groups, "shift_lead"}:
        step.messages.append(_notice(group, text))


def _notice(group: str, text: str) -> PendingMessage:
    return PendingMessage("notice", f"group:{group}", text)


def _stage_tasks(step: Step, timers: dict[str, Timer], now: datetime) -> tuple[list, list, list]:
    """Add rows for newly ready user tasks and withdraw vanished ones; return (ready, born, withdrawn)."""
    session, work_order, workflow = step.session, step.work_order, step.workflow
    ready: list[HumanTask] = []
    born: list[HumanTask] = []
    lane_map = work_order.process_version.lane_map or {}
    rows = {} if step.state is None else {t.spiff_task_id: t for t in _rows(session, _READY_TASKS, work_order.id)}
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        key = str(task.id)
        existing = rows.pop(key, None)
        if existing is not None:
            ready.append(existing)
            continue
        spec = task.task_spec
        deadline_timer = _deadline_timer(task, timers)
        human = HumanTask(
            work_order_id=work_order.id, spiff_task_id=key, bpmn_id=spec.bpmn_id, name=spec.bpmn_name or spec.bpmn_id,
            group_name=lane_map.get(spec.bpmn_id, ""), flow_type=work_order.flow_type, form_key=_form_key(spec),
            state="ready",
            priority=work_order.priority, created_at=now,
            due_at=deadline_timer.due_at if deadline_timer else None,
            deadline=deadline_timer.deadline if deadline_timer else None,
        )
        session.add(human)
        ready.append(human)
        born.append(human)
    withdrawn = [human for key, human in rows.items() if key not in step.completed_task_ids]
    for human in withdrawn:
        human.state = "cancelled"
        human.completed_at = now
    return ready, born, withdrawn


def _record_tasks(step: Step, born: list[HumanTask], withdrawn: list[HumanTask]) -> None:
    """Audit the tasks :func:`_stage_tasks` opened and withdrew, once the new ones have ids."""
    session, work_order = step.session, step.work_order
    for human in born:
        audit.record(session, "task.ready", actor="system", work_order_id=work_order.id, data={
            "task_id": human.id, "task": human.bpmn_id, "name": human.name, "group": human.group_name,
            "due_at": human.due_at,
        })
    for human in withdrawn:
        audit.record(session, "task.cancelled", actor=step.actor, work_order_id=work_order.id, data={
            "task_id": human.id, "task": human.bpmn_id, "name": human.name,
        })


def _deadline_timer(task, timers: dict[str, Timer]) -> Timer | None:
    """The earliest waiting boundary timer attached to this user task: its deadline."""
    parent = task.parent
    if parent is None or not parent.task_spec.name.endswith(SPLIT_SUFFIX):
        return None
    candidates = [timers[str(c.id)] for c in parent.children if str(c.id) in timers]
    return min(candidates, key=lambda t: t.due_at) if candidates else None


def _form_key(spec) -> str:
    form = getattr(spec, "form", None)
    return getattr(form, "key", "") or ""


def _flush_messages(step: Step, now: datetime) -> None:
    for message in step.messages:
        row = OutboxMessage(work_order_id=step.work_order.id, channel=message.channel, recipient=message.recipient,
                            body=message.body, created_at=now)
        step.session.add(row)
        audit.record(step.session, "outbox.queued", actor="system", work_order_id=step.work_order.id, data={
            "channel": message.channel, "recipient": message.recipient, "body": message.body,
        })
    step.messages.clear()


def _rows(session: Session, query, work_order_id: int) -> list:
    """A work order's derived rows as stored, without flushing first.

    Only ``persist`` creates timers and task rows and it flushes them before it returns, so
    nothing pending can be missing here; pending changes to loaded rows (a task just completed,
    a timer deleted) stay on the identity-mapped objects and reach the database in one flush.
    """
    with session.no_autoflush:
        return list(session.scalars(query, {"work_order_id": work_order_id}))


def _uuid(key: str) -> UUID:
    return UUID(key)
