"""Tasks born overdue: a deadline that had already passed when its task became ready.

Deadlines count from a stored instant (``deadline("deadline.callback", result_at)``), so a
step that starts late — a callback after a late reply, a residential power-on after a slow
supply scheme — can have its boundary timer due before the task even exists. SpiffWorkflow
then fires that timer in the same engine step, no timer row is ever written, and the sweeper
would never learn of the breach. :func:`record_born_overdue` records those timers exactly as
the sweeper records one that fires later: the task gets its due time and is marked breached,
the work order is marked breached, and the owning group and the shift lead are notified.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine.models import HumanTask, Timer
from engine.runtime import Step

SPLIT_SUFFIX = ".BoundaryEventSplit"
RECORDED_FLAG = "born_overdue_recorded"


def record_born_overdue(step: Step, now: datetime, record_fired: Callable[[Step, Timer, datetime], None],
                        fired: list[tuple]) -> None:
    """Record each boundary timer in ``fired`` (see :func:`fired_at_birth`) like the sweeper would."""
    session, work_order = step.session, step.work_order
    recorded = {d.due.isoformat(): d for d in step.deadlines}
    for timer_task, host in fired:
        human = session.scalars(select(HumanTask).where(
            HumanTask.work_order_id == work_order.id, HumanTask.spiff_task_id == str(host.id))).first()
        if human is not None and human.created_at != now:
            timer_task.internal_data[RECORDED_FLAG] = True  # fired later, through its row: the sweeper recorded it
            continue
        due = TimerEventDefinition.get_datetime(timer_task.internal_data["event_value"])
        deadline = recorded.get(due.isoformat())
        if human is not None:
            human.due_at = due
            human.deadline = deadline.to_dict() if deadline else None
        row = Timer(
            work_order_id=work_order.id, spiff_task_id=str(timer_task.id), bpmn_id=timer_task.task_spec.bpmn_id,
            name=timer_task.task_spec.bpmn_name or "", attached_to=host.task_spec.name,
            interrupting=bool(getattr(timer_task.task_spec, "cancel_activity", False)),
            due_at=due, deadline=deadline.to_dict() if deadline else None, created_at=now,
        )
        record_fired(step, row, now)
        timer_task.internal_data[RECORDED_FLAG] = True


def fired_at_birth(workflow) -> list[tuple]:
    """Completed, not yet recorded boundary timers whose guarded task is still in the tree: (timer, task)."""
    found = []
    for task in workflow.get_tasks(state=TaskState.COMPLETED):
        spec = task.task_spec
        if not isinstance(spec, BoundaryEvent) or not isinstance(getattr(spec, "event_definition", None), TimerEventDefinition):
            continue
        if task.internal_data.get(RECORDED_FLAG) or not isinstance(task.internal_data.get("event_value"), str):
            continue
        parent = task.parent
        if parent is None or not parent.task_spec.name.endswith(SPLIT_SUFFIX):
            continue
        host_name = parent.task_spec.name[: -len(SPLIT_SUFFIX)]
        hosts = [c for c in parent.children if c.task_spec.name == host_name]
        if hosts:
            found.append((task, hosts[0]))
    return found
