"""Load, run and save one work order's SpiffWorkflow instance inside a service transaction.

A :class:`Step` is what one service call holds: the locked work-order row, the live workflow,
and the side effects its scripts produced (deadlines computed, messages to send). ``save``
writes the instance back and materialises tasks, timers and status (see ``engine.sync``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.calendar import deadline_functions, load_calendar
from engine.deployment import spec_of
from engine.errors import InvalidState, NotFound
from engine.models import WorkflowArchive, WorkflowState, WorkOrder
from engine.sandbox import make_script_engine
from engine.script_functions import callers_of, local_hour, next_day_at
from engine.serializer import dump_instance, load_instance


def utcnow() -> datetime:
    """The current instant; tests travel in time by patching the clock, never by sleeping."""
    return datetime.now(timezone.utc)


@dataclass
class PendingMessage:
    channel: str
    recipient: str
    body: str


@dataclass
class Step:
    """One service call's hold on a work order."""

    session: Session
    work_order: WorkOrder
    workflow: BpmnWorkflow
    actor: str
    deadlines: list = field(default_factory=list)
    messages: list[PendingMessage] = field(default_factory=list)
    completed_task_ids: set[str] = field(default_factory=set)
    with_history: bool = False
    state: WorkflowState | None = None

    def attach_script_engine(self) -> None:
        """Give the workflow our sandboxed engine with this call's calendar and outbox functions.

        A deserialised workflow comes back with SpiffWorkflow's unsafe default engine, so this
        runs on every load.
        """
        functions = deadline_functions(_CalendarOnDemand(self.session), recorder=self.deadlines)
        functions["send_sms"] = self._send_sms
        functions["notify"] = self._notify
        functions["setting"] = self._setting
        functions["deadline"] = lambda name, start: functions["due"](start, self._setting(name))
        functions["local_hour"] = local_hour
        functions["next_day_at"] = next_day_at
        functions["callers"] = lambda: callers_of(self.session, self.work_order)
        self.workflow.script_engine = make_script_engine(functions)

    def _setting(self, name: str, default: str | None = None) -> str:
        """A value from the process's extension properties (see ``deployment.process_settings``)."""
        settings = self.work_order.process_version.settings or {}
        if name not in settings and default is None:
            raise KeyError(f"the process has no setting '{name}' (add it as an extension property of the process)")
        return settings.get(name, default)

    def _send_sms(self, phone: str, text: str) -> bool:
        self.messages.append(PendingMessage("sms", str(phone), str(text)))
        return True

    def _notify(self, group: str, text: str) -> bool:
        self.messages.append(PendingMessage("notice", f"group:{group}", str(text)))
        return True

    def run_engine(self) -> None:
        """Fire due timers and run every automatic task until people or events must act."""
        try:
            self.workflow.refresh_timers()
            self.workflow.do_engine_steps()
        except SpiffWorkflowException as exc:
            raise InvalidState(f"流程执行出错 / the process failed: {_describe(exc)}") from exc


class _CalendarOnDemand:
    """Load the working-day calendar only when an expression first counts a deadline.

    Most steps compute no deadline; checking the calendar's revision on every load would be
    a query per service call for nothing.
    """

    def __init__(self, session: Session):
        self._session = session
        self._calendar = None

    def __getattr__(self, name: str):
        if self._calendar is None:
            with self._session.no_autoflush:  # calendar tables are written by Core statements only
                self._calendar = load_calendar(self._session)
        return getattr(self._calendar, name)


def _describe(exc: SpiffWorkflowException) -> str:
    task = getattr(exc, "task", None)
    where = f" at {task.task_spec.bpmn_id} ({task.task_spec.bpmn_name or ''})" if task is not None else ""
    return f"{exc}{where}"


def start_workflow(session: Session, work_order: WorkOrder, data: dict, actor: str) -> Step:
    """Create the workflow for a new work order and seed the start task with intake data."""
    spec, subprocess_specs = spec_of(work_order.process_version)
    workflow = BpmnWorkflow(spec, subprocess_specs)
    step = Step(session, work_order, workflow, actor)
    step.attach_script_engine()
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    step.run_engine()
    return step


# Built once: every service call runs one of them.
_WORK_ORDER = select(WorkOrder).where(WorkOrder.id == bindparam("id"))
_LOCKED_WORK_ORDER = _WORK_ORDER.with_for_update(of=WorkOrder)


def load_step(session: Session, work_order_id: int, actor: str, *, lock: bool = True, history: bool = False) -> Step:
    """Load a work order and its workflow; ``lock`` takes the row lock on PostgreSQL.

    ``history`` also restores the archived finished sub-processes (read-only uses: replay,
    the test harness); a step that will be saved never needs them.
    """
    work_order = session.scalars(_LOCKED_WORK_ORDER if lock else _WORK_ORDER, {"id": work_order_id}).first()
    if work_order is None:
        raise NotFound(f"工单不存在 / work order {work_order_id} does not exist")
    state = session.get(WorkflowState, work_order_id)
    spec, subprocess_specs = spec_of(work_order.process_version)
    archived = None
    if history:
        archived = dict(session.execute(select(WorkflowArchive.subprocess_id, WorkflowArchive.state_json)
                                        .where(WorkflowArchive.work_order_id == work_order_id)).all())
    workflow = load_instance(state.state_json, spec, subprocess_specs, archived)
    step = Step(session, work_order, workflow, actor, with_history=history, state=state)
    step.attach_script_engine()
    return step


def save_state(step: Step) -> None:
    """Write the serialised instance (the spec stays on the version row, finished sub-processes
    go to the archive once)."""
    if step.with_history:
        raise RuntimeError("a workflow loaded with its archived history is read-only")
    text, finished = dump_instance(step.workflow, archive=_finished_subprocesses(step.workflow))
    now = utcnow()
    for key, value in finished.items():
        step.session.add(WorkflowArchive(work_order_id=step.work_order.id, subprocess_id=key, state_json=value,
                                         archived_at=now))
    if step.state is None:
        step.state = WorkflowState(work_order_id=step.work_order.id, state_json=text, updated_at=now)
        step.session.add(step.state)
    else:
        step.state.state_json = text
        step.state.updated_at = now


def _finished_subprocesses(workflow: BpmnWorkflow) -> set[str]:
    """Sub-processes whose calling task is finished: nothing will run in them again."""
    finished = set()
    for key, subprocess in workflow.subprocesses.items():
        caller = workflow.get_task_from_id(subprocess.parent_task_id)
        if subprocess.completed and caller is not None and caller.has_state(TaskState.FINISHED_MASK):
            finished.add(str(key))
    return finished

