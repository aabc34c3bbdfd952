"""Move running work orders to a newer version of their process, and back again.

A work order may move only when every part it has already completed is unchanged in the new
version (SpiffWorkflow's ``diff_workflow``): history is never rewritten. Its open steps and
waiting timers are reset and predicted again under the new definition, so a changed deadline
takes effect. Each move keeps the state it replaced, so it can be reverted while nothing has
happened to the work order since.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine import audit
from engine.db import Base
from engine.deployment import spec_of
from engine.errors import InvalidState, NotFound
from engine.models import HumanTask, ProcessVersion, Timer, UTCDateTime, WorkflowState, WorkOrder
from engine.runtime import load_step
from engine.sync import persist

_registry = BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG)
OPEN = TaskState.READY | TaskState.WAITING


class WorkOrderMigration(Base):
    """One work order moved between versions, with the state it had before (for revert)."""

    __tablename__ = "work_order_migrations"
    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    from_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    to_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    state_before: Mapped[str] = mapped_column(Text)
    state_after_sha: Mapped[str] = mapped_column(String(64))
    migrated_by: Mapped[str] = mapped_column(String(64))
    migrated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reverted_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reverted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    steps_changed: Mapped[int] = mapped_column(Integer, default=0)


@dataclass
class MigrationPreview:
    """Whether one work order can move, why not, and what happens to its open steps and timers."""

    work_order_id: int
    number: str
    movable: bool
    reasons: list[str] = field(default_factory=list)
    open_steps: list[dict] = field(default_factory=list)
    timers: list[dict] = field(default_factory=list)


def candidates(session: Session, from_version_id: int, *, status: str = "open") -> list[WorkOrder]:
    """Work orders of a version in a given state (the owner's filter before previewing)."""
    return list(session.scalars(select(WorkOrder).where(WorkOrder.process_version_id == from_version_id,
                                                        WorkOrder.status == status).order_by(WorkOrder.id)))


def preview(session: Session, work_order_id: int, to_version_id: int) -> MigrationPreview:
    """Try the move inside a savepoint and roll it back, reporting what would happen."""
    target = _target(session, work_order_id, to_version_id)
    work_order = session.get(WorkOrder, work_order_id)
    result = MigrationPreview(work_order_id, work_order.number, False, reasons=_blockers(session, work_order, target))
    if result.reasons:
        return result
    before_tasks, before_timers = _open_rows(session, work_order_id)
    savepoint = session.begin_nested()
    try:
        _move(session, work_order_id, target, actor="preview")
        after_tasks, after_timers = _open_rows(session, work_order_id)
    finally:
        savepoint.rollback()
    result.movable = True
    for task_id, (name, due) in sorted(before_tasks.items(), key=lambda item: item[1][0]):
        kept = task_id in after_tasks
        result.open_steps.append({"name": after_tasks[task_id][0] if kept else name,
                                  "effect": "stays open" if kept else "withdrawn",
                                  "due_before": due, "due_after": after_tasks[task_id][1] if kept else None})
    for task_id, (name, due) in after_tasks.items():
        if task_id not in before_tasks:
            result.open_steps.append({"name": name, "effect": "opened", "due_before": None, "due_after": due})
    for key in sorted(before_timers.keys() | after_timers.keys()):
        result.timers.append({"element": key, "due_before": before_timers.get(key), "due_after": after_timers.get(key)})
    session.expire_all()
    return result


def migrate(session: Session, work_order_id: int, to_version_id: int, *, actor: str) -> WorkOrderMigration:
    """Move one work order to ``to_version_id``; InvalidState when a completed part would change."""
    target = _target(session, work_order_id, to_version_id)
    work_order = session.get(WorkOrder, work_order_id)
    reasons = _blockers(session, work_order, target)
    if reasons:
        number = work_order.number
        raise InvalidState(f"工单 {number} 不能迁移 / work order {number} cannot move: " + "; ".join(reasons))
    from_version_id = work_order.process_version_id
    before = session.get(WorkflowState, work_order_id).state_json
    changed = _move(session, work_order_id, target, actor=actor)
    after = session.get(WorkflowState, work_order_id).state_json
    record = WorkOrderMigration(
        work_order_id=work_order_id, from_version_id=from_version_id, to_version_id=target.id, state_before=before,
        state_after_sha=_sha(after), migrated_by=actor, migrated_at=datetime.now(timezone.utc), steps_changed=changed)
    session.add(record)
    session.flush()
    audit.record(session, "work_order.migrated", actor=actor, work_order_id=work_order_id, data={
        "migration_id": record.id, "process_id": target.process_id, "from_version_id": from_version_id,
        "to_version": target.version})
    return record


def migrate_many(session: Session, work_order_ids: list[int], to_version_id: int, *,
                 actor: str) -> list[WorkOrderMigration]:
    """Move every movable work order of the list in one action; the others are left alone."""
    moved = []
    for work_order_id in work_order_ids:
        target = _target(session, work_order_id, to_version_id)
        if not _blockers(session, session.get(WorkOrder, work_order_id), target):
            moved.append(migrate(session, work_order_id, to_version_id, actor=actor))
    return moved


def revert(session: Session, migration_id: int, *, actor: str) -> WorkOrder:
    """Put a migrated work order back on its old version, if nothing happened to it since."""
    record = session.get(WorkOrderMigration, migration_id)
    if record is None:
        raise NotFound(f"迁移记录不存在 / migration {migration_id} does not exist")
    if record.reverted_at is not None:
        raise InvalidState("该迁移已撤销 / this migration was already reverted")
    locked = select(WorkOrder).where(WorkOrder.id == record.work_order_id).with_for_update(of=WorkOrder)
    work_order = session.scalars(locked).one()
    state = session.get(WorkflowState, record.work_order_id)
    if _sha(state.state_json) != record.state_after_sha:
        raise InvalidState("迁移后工单已有进展，不能撤销 / the work order moved on after the migration; it cannot be reverted")
    work_order.process_version = session.get(ProcessVersion, record.from_version_id)
    state.state_json = record.state_before
    session.flush()
    step = load_step(session, record.work_order_id, actor)
    persist(step)
    _refresh_open_steps(session, work_order, work_order.process_version)
    record.reverted_by, record.reverted_at = actor, datetime.now(timezone.utc)
    audit.record(session, "work_order.migration_reverted", actor=actor, work_order_id=work_order.id,
                 data={"migration_id": record.id, "back_to_version_id": record.from_version_id})
    return work_order


def _target(session: Session, work_order_id: int, to_version_id: int) -> ProcessVersion:
    work_order = session.get(WorkOrder, work_order_id)
    target = session.get(ProcessVersion, to_version_id)
    if work_order is None or target is None:
        raise NotFound("工单或版本不存在 / no such work order or version")
    if target.process_id != work_order.process_version.process_id:
        raise InvalidState("只能迁移到同一流程的版本 / a work order can only move to a version of its own process")
    return target


def _blockers(session: Session, work_order: WorkOrder, target: ProcessVersion) -> list[str]:
    """Plain sentences naming each completed part that the new version removes or changes."""
    if work_order.status != "open":
        return [f"the work order is {work_order.status}"]
    if work_order.process_version_id == target.id:
        return ["the work order already runs on this version"]
    workflow = load_step(session, work_order.id, "preview", lock=False, history=True).workflow
    spec, dependencies = spec_of(target)
    top, subs = diff_workflow(_registry, workflow, spec, dependencies)
    reasons = _completed_changes(top)
    for sub_id, sub_diff in subs.items():
        if sub_diff is None:
            name = workflow.subprocesses[sub_id].spec.name
            reasons.append(f"the sub-process '{name}' it ran no longer exists")
        else:
            reasons += _completed_changes(sub_diff)
    open_removed = [t.task_spec.bpmn_name or t.task_spec.name for t in top.removed if t.has_state(OPEN)]
    reasons += [f"the open step '{name}' does not exist in the new version" for name in open_removed]
    return sorted(set(reasons))


def _completed_changes(diff) -> list[str]:
    finished = [t for t in diff.removed + diff.changed if t.has_state(TaskState.COMPLETED)]
    reasons = []
    for task in finished:
        name = task.task_spec.bpmn_name or task.task_spec.bpmn_id or task.task_spec.name
        if task in diff.removed:
            reasons.append(f"the completed step '{name}' was removed")
        elif task.task_spec.bpmn_id:
            reasons.append(f"the completed step '{name}' was changed")
    return reasons


def _move(session: Session, work_order_id: int, target: ProcessVersion, *, actor: str) -> int:
    """Swap the spec under the live workflow, re-predict its open steps, and save; return steps reset."""
    step = load_step(session, work_order_id, actor)
    spec, dependencies = spec_of(target)
    workflow = step.workflow
    top, subs = diff_workflow(_registry, workflow, spec, dependencies)
    step.work_order.process_version = target  # re-predicted timers read the new version's settings
    reset = len(migrate_workflow(top, workflow, spec))
    for sub_id, sub_diff in subs.items():
        sub = workflow.subprocesses[sub_id]
        reset += len(migrate_workflow(sub_diff, sub, dependencies[sub.spec.name]))
    workflow.subprocess_specs = dependencies
    step.run_engine()
    persist(step)
    _refresh_open_steps(session, step.work_order, target)
    return reset


def _refresh_open_steps(session: Session, work_order: WorkOrder, version: ProcessVersion) -> None:
    """Bring rows of steps that stayed open in line with the new definition: name, lane, form, deadline.

    ``persist`` only fills these in when a step first opens; a migrated step keeps its row (and claim).
    """
    session.flush()
    timers = {}
    attached = select(Timer).where(Timer.work_order_id == work_order.id, Timer.attached_to.is_not(None))
    for timer in session.scalars(attached):
        if timer.attached_to not in timers or timer.due_at < timers[timer.attached_to].due_at:
            timers[timer.attached_to] = timer
    top, dependencies = spec_of(version)
    specs = {name: task_spec for process in (*dependencies.values(), top)
             for name, task_spec in process.task_specs.items()}
    open_dues = []
    for human in session.scalars(select(HumanTask).where(HumanTask.work_order_id == work_order.id,
                                                         HumanTask.state == "ready")):
        spec = specs.get(human.bpmn_id)
        if spec is not None:
            human.name = spec.bpmn_name or spec.bpmn_id
            human.group_name = (version.lane_map or {}).get(spec.bpmn_id, human.group_name)
            human.form_key = getattr(getattr(spec, "form", None), "key", "") or human.form_key
        timer = timers.get(human.bpmn_id)
        human.due_at = timer.due_at if timer else None
        human.deadline = timer.deadline if timer else None
        if human.due_at is not None:
            open_dues.append(human.due_at)
    work_order.due_at = min(open_dues) if open_dues else None
    session.flush()


def _open_rows(session: Session, work_order_id: int) -> tuple[dict, dict]:
    session.flush()
    tasks = {t.spiff_task_id: (t.name, t.due_at) for t in session.scalars(
        select(HumanTask).where(HumanTask.work_order_id == work_order_id, HumanTask.state == "ready"))}
    timers = {t.bpmn_id: t.due_at for t in session.scalars(
        select(Timer).where(Timer.work_order_id == work_order_id))}
    return tasks, timers


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def recent_migrations(session: Session, process_id: str,
                      limit: int = 50) -> list[tuple[WorkOrderMigration, str, int, int]]:
    """``(migration, work-order number, from version, to version)`` of a process, newest first."""
    from_version = ProcessVersion.__table__.alias("from_version")
    to_version = ProcessVersion.__table__.alias("to_version")
    rows = session.execute(
        select(WorkOrderMigration, WorkOrder.number, from_version.c.version, to_version.c.version)
        .join(WorkOrder, WorkOrder.id == WorkOrderMigration.work_order_id)
        .join(from_version, from_version.c.id == WorkOrderMigration.from_version_id)
        .join(to_version, to_version.c.id == WorkOrderMigration.to_version_id)
        .where(to_version.c.process_id == process_id)
        .order_by(WorkOrderMigration.id.desc()).limit(limit)).all()
    return [tuple(row) for row in rows]
