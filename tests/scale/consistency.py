"""Does a work order agree with itself? Its workflow, its task and timer rows and its audit events."""
from __future__ import annotations

from collections import Counter

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select

from engine.audit.models import AuditEvent
from engine.db import Database
from engine.models import HumanTask, Timer
from engine.runtime import load_step


def disagreements(db: Database, work_order_id: int) -> list[str]:
    """Everything that would make the work order half-saved; empty when it is whole."""
    problems = []
    with db.reading() as session:
        workflow = load_step(session, work_order_id, "auditor", lock=False).workflow
        tasks = session.scalars(select(HumanTask).where(HumanTask.work_order_id == work_order_id)).all()
        timers = set(session.scalars(select(Timer.spiff_task_id).where(Timer.work_order_id == work_order_id)))
        events = session.scalars(select(AuditEvent).where(AuditEvent.work_order_id == work_order_id)).all()
    ready = {str(t.id) for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
    done = {str(t.id) for t in workflow.get_tasks(state=TaskState.COMPLETED, manual=True)}
    waiting = {str(t.id) for t in workflow.get_tasks(state=TaskState.WAITING)
               if isinstance(getattr(t.task_spec, "event_definition", None), TimerEventDefinition)}
    if ready != {t.spiff_task_id for t in tasks if t.state == "ready"}:
        problems.append("ready tasks in the workflow and in human_tasks differ")
    if not {t.spiff_task_id for t in tasks if t.state == "completed"} <= done:
        problems.append("a task row is completed that the workflow has not completed")
    if waiting != timers:
        problems.append("waiting timers in the workflow and timer rows differ")
    completions = Counter(e.payload["task_id"] for e in events if e.kind == "task.completed")
    for task in tasks:
        expected = 1 if task.state == "completed" else 0
        if completions[task.id] != expected:
            problems.append(f"task {task.id} ({task.state}) has {completions[task.id]} completion events")
    fired = Counter((e.payload["timer"], e.payload["due_at"]) for e in events if e.kind == "timer.fired")
    problems += [f"timer {key} fired {count} times" for key, count in fired.items() if count > 1]
    return problems


def events_per_work_order(db: Database, kind: str) -> Counter:
    """How many audit events of ``kind`` each work order has."""
    with db.reading() as session:
        return Counter(dict(session.execute(select(AuditEvent.work_order_id, func.count()).where(
            AuditEvent.kind == kind).group_by(AuditEvent.work_order_id)).all()))
