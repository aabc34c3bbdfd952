"""The full file of one work order for the UI: summary, customer, records, deadlines, history, diagram.

Everything leaves this module already redacted for the viewer: sealed form fields (a tip-off
reporter's identity) are masked by key wherever they occur, and their values are also cut out
of free text (audit payloads, SMS bodies, recipients), so no page can print them by accident.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.confidentiality import MASK, may_read_sealed, redact, sealed_fields
from engine.deployment import spec_of
from engine.directory import get_user
from engine.errors import NotFound, PermissionDenied
from engine.models import HumanTask, OutboxMessage, Timer, WorkflowState, WorkOrder
from engine.queries import find_work_order, require_view
from engine.serializer import load_instance

ACTIVE_STATES = TaskState.READY | TaskState.WAITING | TaskState.STARTED
MIN_SCRUBBED_LENGTH = 2


@dataclass
class Event:
    """One audit event as the viewer may see it."""

    seq: int
    at: datetime
    kind: str
    actor: str
    data: dict


@dataclass
class Record:
    """A submitted form: the intake (no name) or a completed task, with values as the viewer may see them."""

    name: str
    form_key: str
    actor: str
    at: datetime
    values: dict


@dataclass
class Message:
    """An outbox message as the viewer may see it."""

    channel: str
    recipient: str
    body: str
    status: str
    created_at: datetime


@dataclass
class Markers:
    """BPMN element ids to highlight on the diagram."""

    completed: list[str] = field(default_factory=list)
    active: list[str] = field(default_factory=list)
    breached: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, list[str]]:
        return {"completed": self.completed, "active": self.active, "breached": self.breached}


@dataclass
class Dossier:
    work_order: WorkOrder
    may_read_sealed: bool
    customer: dict[str, str]
    summary: str
    intake: dict
    open_tasks: list[HumanTask]
    done_tasks: list[HumanTask]
    timers: list[Timer]
    records: list[Record]
    events: list[Event]
    outbox: list[Message]
    linked_calls: list[WorkOrder]
    parent: WorkOrder | None
    sealed: frozenset[str]

    @property
    def version(self):
        return self.work_order.process_version

    @property
    def task_names(self) -> dict[str, str]:
        """BPMN id → step name, for events that only name the id."""
        return {t.bpmn_id: t.name for t in (*self.done_tasks, *self.open_tasks)}


class Redactor:
    """Masks sealed keys and cuts sealed values out of free text, unless the viewer may read them."""

    def __init__(self, sealed: frozenset[str], secrets: set[str], allowed: bool):
        self.sealed = sealed
        self.secrets = sorted((s for s in secrets if len(s) >= MIN_SCRUBBED_LENGTH), key=len, reverse=True)
        self.allowed = allowed

    def __call__(self, value):
        if self.allowed:
            return value
        return self._scrub(redact(value, self.sealed))

    def _scrub(self, value):
        if isinstance(value, dict):
            return {k: self._scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._scrub(v) for v in value]
        if isinstance(value, str):
            for secret in self.secrets:
                value = value.replace(secret, MASK)
        return value


def _intake(events: list) -> dict:
    for event in events:
        if event.kind == "work_order.opened":
            return dict(event.payload.get("intake") or {})
    return {}


def redactor_for(session: Session, work_order: WorkOrder, groups: set[str]) -> Redactor:
    """The redactor of one work order for a viewer with ``groups``."""
    sealed = sealed_fields(work_order.process_version)
    allowed = may_read_sealed(groups) or not sealed
    secrets: set[str] = set()
    if not allowed:
        for event in audit.events_for(session, work_order.id):
            if event.kind in ("work_order.opened", "task.completed", "event.received"):
                _collect(event.payload, sealed, secrets)
    return Redactor(sealed, secrets, allowed)


def _collect(value, sealed: frozenset[str], found: set[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in sealed and isinstance(item, (str, int)) and str(item) not in ("", MASK):
                found.add(str(item))
            else:
                _collect(item, sealed, found)
    elif isinstance(value, list):
        for item in value:
            _collect(item, sealed, found)


def dossier(session: Session, ref: str | int, username: str) -> Dossier:
    """Everything the work-order page shows, checked and redacted for ``username``."""
    work_order = find_work_order(session, ref)
    user = require_view(session, work_order, username)
    redacted = redactor_for(session, work_order, user.group_names)
    raw_events = audit.events_for(session, work_order.id)
    intake = redacted(_intake(raw_events))
    tasks = list(session.scalars(select(HumanTask).where(HumanTask.work_order_id == work_order.id).order_by(HumanTask.id)))
    events = [Event(e.seq, e.at, e.kind, e.actor, redacted(e.payload)) for e in raw_events]
    outbox = [
        Message(m.channel, redacted(m.recipient), redacted(m.body), m.status, m.created_at)
        for m in session.scalars(select(OutboxMessage).where(OutboxMessage.work_order_id == work_order.id).order_by(OutboxMessage.id))
    ]
    customer = {c: intake.get(c, getattr(work_order, c)) or getattr(work_order, c)
                for c in ("customer_name", "customer_phone", "customer_address", "area_class")}
    return Dossier(
        work_order=work_order,
        may_read_sealed=redacted.allowed,
        customer={k: str(v) for k, v in customer.items()},
        summary=str(redacted(intake.get("summary", work_order.summary)) or ""),
        intake=intake,
        open_tasks=[t for t in tasks if t.state == "ready"],
        done_tasks=[t for t in tasks if t.state != "ready"],
        timers=list(session.scalars(select(Timer).where(Timer.work_order_id == work_order.id).order_by(Timer.due_at))),
        records=_records(work_order, events, tasks),
        events=events,
        outbox=outbox,
        linked_calls=list(session.scalars(select(WorkOrder).where(WorkOrder.parent_id == work_order.id).order_by(WorkOrder.id))),
        parent=session.get(WorkOrder, work_order.parent_id) if work_order.parent_id else None,
        sealed=redacted.sealed,
    )


def _records(work_order: WorkOrder, events: list[Event], tasks: list[HumanTask]) -> list[Record]:
    form_of = {t.id: t.form_key for t in tasks}
    records = []
    for event in events:
        if event.kind == "work_order.opened":
            records.append(Record("", work_order.process_version.start_form_key,
                                  event.actor, event.at, dict(event.data.get("intake") or {})))
        elif event.kind == "task.completed":
            records.append(Record(event.data.get("name") or event.data.get("task", ""),
                                  form_of.get(event.data.get("task_id"), ""), event.actor, event.at,
                                  dict(event.data.get("data") or {})))
    return records


def task_view(session: Session, task_id: int, username: str) -> tuple[HumanTask, Dossier]:
    """A task and its work order's context; only the task's group (and overseers, read-only) may look."""
    task = session.get(HumanTask, task_id)
    if task is None:
        raise NotFound(f"任务不存在 / task {task_id} does not exist")
    view = dossier(session, task.work_order_id, username)
    groups = get_user(session, username).group_names
    if task.group_name not in groups and not groups & {"shift_lead", "auditor"}:
        raise PermissionDenied(f"此任务属于「{task.group_name}」/ the task belongs to {task.group_name}")
    return task, view


def diagram_markers(session: Session, work_order: WorkOrder) -> Markers:
    """Completed, active and breached BPMN elements of a work order, read from its stored state."""
    state = session.get(WorkflowState, work_order.id)
    markers = Markers()
    if state is not None:
        spec, subprocess_specs = spec_of(work_order.process_version)
        workflow = load_instance(state.state_json, spec, subprocess_specs)
        completed, active = set(), set()
        for task in workflow.get_tasks():
            bpmn_id = getattr(task.task_spec, "bpmn_id", None)
            if not bpmn_id:
                continue
            if task.has_state(TaskState.COMPLETED):
                completed.add(bpmn_id)
            elif task.has_state(ACTIVE_STATES):
                active.add(bpmn_id)
        markers.completed, markers.active = sorted(completed - active), sorted(active)
    breached = set(session.scalars(select(HumanTask.bpmn_id).where(
        HumanTask.work_order_id == work_order.id, HumanTask.breached_at.is_not(None))))
    for event in audit.events_for(session, work_order.id):
        if event.kind == "deadline.breached":
            breached |= {v for v in (event.payload.get("task"), event.payload.get("timer")) if v}
    markers.breached = sorted(breached)
    return markers


def diagram_xml(session: Session, ref: str | int, username: str) -> tuple[str, Markers]:
    """The exact BPMN XML the work order runs on, plus its markers."""
    work_order = find_work_order(session, ref)
    require_view(session, work_order, username)
    return work_order.process_version.bpmn_xml, diagram_markers(session, work_order)
