"""Human-task services: claim, unclaim, reassign and complete, each one transaction."""
from __future__ import annotations

from uuid import UUID

from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from engine import audit
from engine.db import Database
from engine.directory import get_user, require_member
from engine.errors import Conflict, InvalidState, NotFound, PermissionDenied
from engine.models import HumanTask
from engine.runtime import load_step, utcnow
from engine.sync import persist
from engine.workorders import serialized, validate_form


# Built once: every task service runs one. The work order comes joined: callers read it after the session.
_TASK = select(HumanTask).where(HumanTask.id == bindparam("task_id"))
_FRESH_TASK = _TASK.execution_options(populate_existing=True)


def _task(session: Session, task_id: int, *, fresh: bool = False) -> HumanTask:
    human = session.scalars(_FRESH_TASK if fresh else _TASK, {"task_id": task_id}).first()
    if human is None:
        raise NotFound(f"任务不存在 / task {task_id} does not exist")
    return human


def _require_ready(human: HumanTask) -> None:
    if human.state == "completed":
        raise Conflict(f"任务已由 {human.completed_by} 办结 / the task was already completed by {human.completed_by}")
    if human.state != "ready":
        raise Conflict("任务已撤回 / the task was withdrawn")


def claim_task(db: Database, task_id: int, *, actor: str) -> HumanTask:
    """Take a group task into the actor's own inbox; exactly one of two claimers wins."""
    with serialized(db) as session:
        human = _task(session, task_id)
        require_member(session, actor, human.group_name)
        _require_ready(human)
        if human.claimed_by == actor:
            return human
        result = session.execute(
            update(HumanTask).where(HumanTask.id == task_id, HumanTask.state == "ready", HumanTask.claimed_by.is_(None))
            .values(claimed_by=actor)
        )
        if result.rowcount != 1:
            human = _task(session, task_id, fresh=True)
            raise Conflict(f"任务已被 {human.claimed_by} 认领 / already claimed by {human.claimed_by}")
        audit.record(session, "task.claimed", actor=actor, work_order_id=human.work_order_id,
                     data={"task_id": task_id, "task": human.bpmn_id})
        return _task(session, task_id, fresh=True)


def unclaim_task(db: Database, task_id: int, *, actor: str) -> HumanTask:
    """Put a claimed task back in the group queue (its holder or a shift lead may)."""
    with serialized(db) as session:
        human = _task(session, task_id)
        _require_ready(human)
        user = get_user(session, actor)
        if human.claimed_by is None:
            raise InvalidState("任务未被认领 / the task is not claimed")
        if human.claimed_by != actor and "shift_lead" not in user.group_names:
            raise PermissionDenied(f"任务由 {human.claimed_by} 认领 / the task is held by {human.claimed_by}")
        previous, human.claimed_by = human.claimed_by, None
        audit.record(session, "task.unclaimed", actor=actor, work_order_id=human.work_order_id,
                     data={"task_id": task_id, "task": human.bpmn_id, "previous": previous})
        return human


def reassign_task(db: Database, task_id: int, assignee: str, *, actor: str) -> HumanTask:
    """Hand a task to another member of its group (holder, group member or shift lead)."""
    with serialized(db) as session:
        human = _task(session, task_id)
        _require_ready(human)
        user = get_user(session, actor)
        if human.group_name not in user.group_names and "shift_lead" not in user.group_names:
            raise PermissionDenied(f"{actor} 无权转派此任务 / may not reassign this task")
        if human.claimed_by not in (None, actor) and "shift_lead" not in user.group_names:
            raise PermissionDenied(f"任务由 {human.claimed_by} 认领 / the task is held by {human.claimed_by}")
        require_member(session, assignee, human.group_name)
        previous, human.claimed_by = human.claimed_by, assignee
        audit.record(session, "task.reassigned", actor=actor, work_order_id=human.work_order_id,
                     data={"task_id": task_id, "task": human.bpmn_id, "previous": previous, "assignee": assignee})
        return human


def complete_task(db: Database, task_id: int, data: dict, *, actor: str, expected_version: int | None = None) -> HumanTask:
    """Submit a task's form and move the work order on.

    The task's state is read while no other writer can commit (PostgreSQL: re-read under the
    work-order row lock; SQLite: inside ``BEGIN IMMEDIATE``), so of two handlers (or a handler
    and the timer sweeper) exactly one wins and the other gets :class:`Conflict`.
    Due timers fire first: an interrupting deadline that has passed withdraws the task.
    """
    with serialized(db) as session:
        human = _task(session, task_id)
        work_order_id = human.work_order_id
        step = load_step(session, work_order_id, actor)
        if not db.is_sqlite:  # re-read under the row lock; SQLite's BEGIN IMMEDIATE already shut other writers out
            human = _task(session, task_id, fresh=True)
        require_member(session, actor, human.group_name)
        _require_ready(human)
        if human.claimed_by not in (None, actor):
            raise PermissionDenied(f"任务由 {human.claimed_by} 认领 / the task is held by {human.claimed_by}")
        if expected_version is not None and expected_version != step.work_order.lock_version:
            raise Conflict("工单已被他人修改，请刷新后重试 / the work order changed since you opened it")
        values = validate_form(human.form_key, data)
        step.run_engine()
        task = step.workflow.get_task_from_id(UUID(human.spiff_task_id))
        if task is None or not task.has_state(TaskState.READY):
            raise Conflict("任务已因超期或流程变化被撤回 / the task was withdrawn (deadline passed or flow moved on)")
        task.data.update(values)
        try:
            task.run()
        except SpiffWorkflowException as exc:
            raise InvalidState(f"流程执行出错 / the process failed: {exc}") from exc
        now = utcnow()
        human.state, human.completed_at, human.completed_by = "completed", now, actor
        human.claimed_by = human.claimed_by or actor
        step.completed_task_ids.add(human.spiff_task_id)
        audit.record(session, "task.completed", actor=actor, work_order_id=work_order_id, data={
            "task_id": task_id, "task": human.bpmn_id, "name": human.name, "data": values,
            "overdue_seconds": int((now - human.due_at).total_seconds()) if human.due_at and now > human.due_at else 0,
        })
        step.run_engine()
        persist(step)
        return human

