"""Re-execution check: run a work order's recorded inputs again and prove the stored result follows from them.

The inputs are read from the hash-chained audit log — the intake (``work_order.opened``), every
form (``task.completed``, with its actor), every message (``event.received``), every timer sweep
(``timer.fired``) and a cancellation — and replayed through the real services, in order, on a
throwaway SQLite database holding a copy of the pinned process version, the working-day
calendar and the actors, with the clock travelled (time-machine) to each input's recorded time.

"Consistent" means both of these hold:

1. **Same history.** The replay records the same sequence of events of the kinds in
   :data:`COMPARED_KINDS`, each with the same kind, actor and data — ignoring the ``task_id``
   (a row id of the task table, which other work orders share) and the ``fired_at`` of timers.
   Instants in data are compared to the second: a live clock ticks within one transaction,
   the replayed clock does not.
2. **Same state.** The replayed workflow and the stored one (``workflow_states`` plus its archive)
   have the same set of completed BPMN ids, the same ready and waiting BPMN ids, the same
   workflow data and the same data on the most recently completed task, and the work order
   the same status.

Otherwise the report names the first divergence: the event where the histories part, or which
part of the final state differs.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import time_machine
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engine import audit
from engine.audit.canonical import as_utc
from engine.calendar.models import CalendarDay, CalendarYear
from engine.db import Database
from engine.directory import create_user, ensure_groups
from engine.errors import TicketflowError
from engine.models import HumanTask, ProcessVersion, User, WorkOrder
from engine.queries import find_work_order
from engine.runtime import load_step
from engine.tasks import claim_task, complete_task
from engine.timers import TimerSweeper
from engine.workorders import cancel_work_order, open_work_order, send_event

INPUT_KINDS = ("work_order.opened", "task.completed", "event.received", "timer.fired", "work_order.cancelled")
COMPARED_KINDS = frozenset({
    "work_order.opened", "work_order.closed", "work_order.cancelled", "task.ready", "task.completed",
    "task.cancelled", "timer.fired", "deadline.breached", "event.received", "outbox.queued",
})
_IGNORED_KEYS = frozenset({"task_id", "fired_at"})
_SUB_SECOND = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.\d+")


@dataclass(frozen=True)
class Divergence:
    """Where re-execution and the record part: the recorded event (or state part), and how."""

    where: str
    recorded: str
    replayed: str


@dataclass(frozen=True)
class CheckResult:
    number: str
    inputs: int
    events_compared: int
    divergence: Divergence | None = None

    @property
    def consistent(self) -> bool:
        return self.divergence is None


@dataclass(frozen=True)
class _Recorded:
    work_order: dict
    version: dict
    events: list
    children: list[dict]
    parent: dict | None
    users: list[tuple[str, str, list[str]]]
    calendar_years: list[dict]
    calendar_days: list[dict]
    state: dict


def _row(obj) -> dict:
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns}


def _snapshot(workflow) -> dict:
    """The comparable final state of a workflow (see the module docstring)."""
    completed, ready, waiting = set(), set(), set()
    for tree in (workflow, *workflow.subprocesses.values()):
        for task in tree.get_tasks():
            bpmn_id = getattr(task.task_spec, "bpmn_id", None)
            if not bpmn_id:
                continue
            if task.has_state(TaskState.COMPLETED):
                completed.add(bpmn_id)
            elif task.has_state(TaskState.READY):
                ready.add(bpmn_id)
            elif task.has_state(TaskState.WAITING):
                waiting.add(bpmn_id)
    last = workflow.last_task
    return {"completed BPMN ids": sorted(completed), "ready BPMN ids": sorted(ready),
            "waiting BPMN ids": sorted(waiting), "workflow data": _plain(workflow.data),
            "data of the last completed task": _plain(last.data if last is not None else {})}


def _plain(value):
    return json.loads(_SUB_SECOND.sub(r"\1", json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)))


def _comparable(event) -> tuple:
    data = {k: v for k, v in event.payload.items() if k not in _IGNORED_KEYS}
    return event.kind, event.actor, _plain(data)


def _read(session: Session, work_order: WorkOrder) -> _Recorded:
    events = audit.events_for(session, work_order.id)
    actors = {e.actor for e in events if e.kind in INPUT_KINDS}
    users = [(u.username, u.display_name, sorted(u.group_names))
             for u in session.scalars(select(User).where(User.username.in_(actors)))]
    children = [_row(w) for w in session.scalars(select(WorkOrder).where(WorkOrder.parent_id == work_order.id))]
    parent = _row(session.get(WorkOrder, work_order.parent_id)) if work_order.parent_id else None
    step = load_step(session, work_order.id, "system", lock=False, history=True)
    return _Recorded(
        work_order=_row(work_order), version=_row(work_order.process_version), events=events, children=children,
        parent=parent, users=users, calendar_years=[_row(y) for y in session.scalars(select(CalendarYear))],
        calendar_days=[_row(d) for d in session.scalars(select(CalendarDay))],
        state={**_snapshot(step.workflow), "status": work_order.status},
    )


def _stand_in(recorded: _Recorded, **values) -> dict:
    """A bare work-order row for a linked call or parent (scripts list callers from these rows)."""
    base = {k: recorded.work_order[k] for k in ("flow_type", "opened_at", "opened_by")}
    return {**base, "process_version_id": recorded.version["id"], "status": "open", "summary": "", **values}


def _prepare(target: Database, recorded: _Recorded) -> None:
    target.create_all()
    with target.transaction() as session:
        ensure_groups(session)
        for table, rows in ((CalendarYear, recorded.calendar_years), (CalendarDay, recorded.calendar_days),
                            (ProcessVersion, [recorded.version])):
            if rows:
                session.execute(insert(table), rows)
        for username, name, groups in recorded.users:
            create_user(session, username, name, groups)
        wanted = recorded.work_order["id"]
        if recorded.parent is not None:
            parent = {k: recorded.parent[k] for k in ("id", "number", "customer_name", "customer_phone",
                                                      "customer_address")}
            session.execute(insert(WorkOrder), [_stand_in(recorded, **parent)])
        if wanted > 1 and session.get(WorkOrder, wanted - 1) is None:
            session.execute(insert(WorkOrder), [_stand_in(recorded, id=wanted - 1, number=f"placeholder-{wanted - 1}",
                                                          status="placeholder")])


def _link_children(target: Database, recorded: _Recorded, before: datetime) -> None:
    """Add the linked calls opened before ``before`` that are not there yet."""
    with target.transaction() as session:
        for child in recorded.children:
            if as_utc(child["opened_at"]) <= before and session.get(WorkOrder, child["id"]) is None:
                values = {k: child[k] for k in ("id", "number", "customer_name", "customer_phone", "customer_address",
                                                "opened_at")}
                session.execute(insert(WorkOrder), [_stand_in(recorded, parent_id=recorded.work_order["id"], **values)])


def _ready_task(target: Database, work_order_id: int, bpmn_id: str) -> HumanTask | None:
    with target.reading() as session:
        return session.scalars(select(HumanTask).where(
            HumanTask.work_order_id == work_order_id, HumanTask.bpmn_id == bpmn_id, HumanTask.state == "ready",
        ).order_by(HumanTask.id)).first()


def _feed(target: Database, recorded: _Recorded, event, work_order_id: int | None) -> int | None:
    """Give the replay one recorded input; return the replayed work order's id."""
    payload = event.payload
    if event.kind == "work_order.opened":
        opened = open_work_order(target, recorded.work_order["flow_type"], payload.get("intake") or {},
                                 actor=event.actor, priority=recorded.work_order["priority"])
        return opened.id
    if event.kind == "task.completed":
        human = _ready_task(target, work_order_id, payload["task"])
        if human is None:
            raise TicketflowError(f"no ready task {payload['task']} to complete")
        if human.claimed_by is None:
            claim_task(target, human.id, actor=event.actor)
        complete_task(target, human.id, payload.get("data") or {}, actor=event.actor)
    elif event.kind == "event.received":
        send_event(target, work_order_id, payload["event"], payload.get("payload") or {}, actor=event.actor)
    elif event.kind == "timer.fired":
        TimerSweeper(target).sweep()
    elif event.kind == "work_order.cancelled":
        cancel_work_order(target, work_order_id, payload.get("reason") or "", actor=event.actor)
    return work_order_id


def _input_time(recorded: _Recorded, event) -> datetime:
    """When to replay an input: timers at their recorded firing, the intake at the stored opening instant."""
    if event.kind == "timer.fired" and event.payload.get("fired_at"):
        return as_utc(datetime.fromisoformat(event.payload["fired_at"]))
    if event.kind == "work_order.opened":
        return as_utc(recorded.work_order["opened_at"])
    return as_utc(event.at)


def _replay(target: Database, recorded: _Recorded) -> tuple[int, Divergence | None, int | None]:
    inputs, work_order_id = 0, None
    with time_machine.travel(recorded.work_order["opened_at"], tick=False) as traveller:
        for event in recorded.events:
            if event.kind not in INPUT_KINDS:
                continue
            moment = _input_time(recorded, event)
            traveller.move_to(moment)
            _link_children(target, recorded, moment)
            try:
                work_order_id = _feed(target, recorded, event, work_order_id)
            except TicketflowError as exc:
                return inputs, Divergence(f"event #{event.seq} ({event.kind})", "accepted when recorded",
                                          f"refused on replay: {exc}"), work_order_id
            inputs += 1
    return inputs, None, work_order_id


def _compare_events(recorded: list, replayed: list) -> tuple[int, Divergence | None]:
    mine = [e for e in recorded if e.kind in COMPARED_KINDS]
    theirs = [e for e in replayed if e.kind in COMPARED_KINDS]
    for index, event in enumerate(mine):
        if index >= len(theirs):
            return index, Divergence(f"event #{event.seq} ({event.kind})", _text(_comparable(event)),
                                     "the replay recorded nothing here")
        if _comparable(event) != _comparable(theirs[index]):
            return index, Divergence(f"event #{event.seq} ({event.kind})", _text(_comparable(event)),
                                     _text(_comparable(theirs[index])))
    if len(theirs) > len(mine):
        extra = theirs[len(mine)]
        return len(mine), Divergence("after the last recorded event", "nothing more",
                                     _text(_comparable(extra)))
    return len(mine), None


def _text(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _scratch_file() -> Path:
    """This thread's throwaway database file: one fixed name, so the calendar cache keeps one entry per thread."""
    return Path(tempfile.gettempdir()) / f"ticketflow-reexecution-{os.getpid()}-{threading.get_ident()}.db"


def check(session: Session, ref: str | int) -> CheckResult:
    """Re-execute one work order's recorded inputs and compare the outcome with what is stored."""
    work_order = find_work_order(session, ref)
    recorded = _read(session, work_order)
    scratch = _scratch_file()
    scratch.unlink(missing_ok=True)
    target = Database(f"sqlite:///{scratch}")
    try:
        _prepare(target, recorded)
        inputs, failed, replayed_id = _replay(target, recorded)
        if failed is not None or replayed_id is None:
            failed = failed or Divergence("the start", "a work_order.opened event", "none was recorded")
            return CheckResult(work_order.number, inputs, 0, failed)
        with target.reading() as replay_session:
            replayed_events = audit.events_for(replay_session, replayed_id)
            step = load_step(replay_session, replayed_id, "system", lock=False, history=True)
            state = {**_snapshot(step.workflow), "status": step.work_order.status}
    finally:
        target.dispose()
        scratch.unlink(missing_ok=True)
    compared, divergence = _compare_events(recorded.events, replayed_events)
    if divergence is None:
        divergence = _compare_state(recorded.state, state)
    return CheckResult(work_order.number, inputs, compared, divergence)


def _compare_state(stored: dict, replayed: dict) -> Divergence | None:
    for part, value in stored.items():
        if replayed.get(part) != value:
            return Divergence(f"final state: {part}", _text(value), _text(replayed.get(part)))
    return None
