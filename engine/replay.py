"""Replay a work order from its audit events: what the diagram, the data and the deadlines were at each step.

Everything is derived from the hash-chained events alone, so a replay shows what the tamper-evident
record says happened, not what mutable rows say now:

* ``work_order.opened`` → the start event is done; the intake becomes the data.
* ``task.ready`` → the task is active, with the deadline (``due_at``) it carried.
* ``task.completed`` → the task is done; its form values are merged into the data.
* ``task.cancelled`` → the task is no longer active.
* ``deadline.breached`` → the task (and its boundary timer) are marked breached.
* ``timer.fired`` → the timer element is done.
* ``event.received`` → the catching message event is done; its payload lands under the message name.
* ``work_order.closed`` / ``work_order.cancelled`` → nothing is active any more.
"""
from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from engine import audit
from engine.deployment import spec_of
from engine.dossier import redactor_for
from engine.models import WorkOrder
from engine.queries import find_work_order, require_view

_ABSENT = object()


@dataclass
class Frame:
    """The work order as the audit log describes it right after one event."""

    index: int
    seq: int
    at: datetime
    kind: str
    actor: str
    event: dict
    completed: list[str]
    active: list[str]
    breached: list[str]
    data: dict
    changed: dict[str, dict]
    deadlines: list[dict]

    def markers(self) -> dict[str, list[str]]:
        return {"completed": self.completed, "active": self.active, "breached": self.breached}


@dataclass
class Replay:
    work_order: WorkOrder
    frames: list[Frame] = field(default_factory=list)
    may_read_sealed: bool = False

    @property
    def task_names(self) -> dict[str, str]:
        """BPMN id → step name, from the ``task.ready`` events (other events name only the id)."""
        return {f.event["task"]: f.event.get("name") or f.event["task"]
                for f in self.frames if f.kind == "task.ready" and f.event.get("task")}


@dataclass
class _State:
    completed: set[str] = field(default_factory=set)
    active: set[str] = field(default_factory=set)
    breached: set[str] = field(default_factory=set)
    data: dict = field(default_factory=dict)
    deadlines: dict[str, dict] = field(default_factory=dict)


def message_events(work_order: WorkOrder) -> dict[str, list[str]]:
    """Message name → BPMN ids of the catching events that wait for it in this version."""
    spec, subprocess_specs = spec_of(work_order.process_version)
    found: dict[str, list[str]] = {}
    for process in (spec, *subprocess_specs.values()):
        for task_spec in process.task_specs.values():
            name = getattr(getattr(task_spec, "event_definition", None), "name", None)
            if name and task_spec.bpmn_id:
                found.setdefault(name, []).append(task_spec.bpmn_id)
    return found


def _merge(state: _State, values: dict) -> dict[str, dict]:
    changed = {}
    for key, value in values.items():
        before = state.data.get(key, _ABSENT)
        if before != value:
            changed[key] = {"before": None if before is _ABSENT else before, "after": value}
            state.data[key] = value
    return changed


def _apply(state: _State, kind: str, payload: dict, work_order: WorkOrder, messages: dict) -> dict[str, dict]:
    """Move ``state`` past one event; return the data keys it changed."""
    task = payload.get("task")
    if kind == "work_order.opened":
        if work_order.process_version.start_event_id:
            state.completed.add(work_order.process_version.start_event_id)
        return _merge(state, {**(payload.get("intake") or {}), "work_order_number": payload.get("number")})
    if kind == "task.ready" and task:
        state.active.add(task)
        state.deadlines[task] = {"task": task, "name": payload.get("name") or task,
                                 "group": payload.get("group", ""), "due_at": payload.get("due_at")}
    elif kind == "task.completed" and task:
        state.active.discard(task)
        state.completed.add(task)
        state.deadlines.pop(task, None)
        return _merge(state, payload.get("data") or {})
    elif kind == "task.cancelled" and task:
        state.active.discard(task)
        state.deadlines.pop(task, None)
    elif kind == "deadline.breached":
        state.breached |= {v for v in (task, payload.get("timer")) if v}
    elif kind == "timer.fired" and payload.get("timer"):
        state.completed.add(payload["timer"])
    elif kind == "event.received":
        state.completed |= set(messages.get(payload.get("event"), []))
        return _merge(state, {payload.get("event", "event"): payload.get("payload") or {}})
    elif kind in ("work_order.closed", "work_order.cancelled"):
        state.active.clear()
        state.deadlines.clear()
    return {}


def replay(session: Session, ref: str | int, username: str) -> Replay:
    """Every step of a work order's history, redacted for ``username``."""
    work_order = find_work_order(session, ref)
    user = require_view(session, work_order, username)
    redacted = redactor_for(session, work_order, user.group_names)
    messages = message_events(work_order)
    state = _State()
    frames = []
    for index, event in enumerate(audit.events_for(session, work_order.id)):
        payload = event.payload
        changed = _apply(state, event.kind, payload, work_order, messages)
        frames.append(Frame(
            index=index, seq=event.seq, at=event.at, kind=event.kind, actor=event.actor, event=redacted(payload),
            completed=sorted(state.completed - state.active), active=sorted(state.active),
            breached=sorted(state.breached), data=redacted(deepcopy(state.data)), changed=redacted(changed),
            deadlines=[dict(d) for d in sorted(state.deadlines.values(), key=lambda d: str(d["due_at"] or "~"))],
        ))
    return Replay(work_order, frames, redacted.allowed)
