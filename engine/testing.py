"""The flow test harness: drive deployed processes through the real services in fake time.

Tests travel in time with ``time-machine`` (the clock SpiffWorkflow and the engine read),
never by sleeping; ``advance`` moves the clock and runs a real timer sweep.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

import time_machine
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine import audit
from engine.calendar import seed_from_holidays
from engine.db import Database
from engine.deployment import deploy_process
from engine.directory import create_user, ensure_groups
from engine.models import HumanTask, OutboxMessage, Timer, User, WorkOrder
from engine.runtime import load_step
from engine.tasks import claim_task, complete_task
from engine.timers import SweepResult, TimerSweeper
from engine.workorders import open_work_order, send_event

PROCESSES = Path(__file__).resolve().parent.parent / "processes"


class Clock:
    """A frozen clock that only moves when told to."""

    def __init__(self, start: datetime):
        self._traveller = time_machine.travel(start, tick=False)
        self._coordinates = self._traveller.start()

    def now(self) -> datetime:
        return datetime.now().astimezone()

    def move_to(self, when: datetime) -> None:
        self._coordinates.move_to(when)

    def shift(self, delta: timedelta) -> None:
        self._coordinates.shift(delta)

    def stop(self) -> None:
        self._traveller.stop()


class FlowHarness:
    """Deploy, open, complete, send events and advance time against one database."""

    def __init__(self, db: Database, clock: Clock):
        self.db = db
        self.clock = clock
        self.sweeper = TimerSweeper(db)
        with db.transaction() as session:
            ensure_groups(session)
            seed_from_holidays(session)

    def deploy(self, process: str | Path, *, actor: str = "owner") -> int:
        """Deploy ``processes/<name>.bpmn`` (or a path); return the version id."""
        path = Path(process) if Path(process).suffix else PROCESSES / f"{process}.bpmn"
        with self.db.transaction() as session:
            version, _ = deploy_process(session, path.read_bytes(), actor=actor)
            return version.id

    def user_in(self, group: str) -> str:
        """A user of ``group`` (created on first use) named ``<group>_user``."""
        username = f"{group}_user"
        with self.db.transaction() as session:
            if session.scalars(select(User).where(User.username == username)).first() is None:
                create_user(session, username, username, [group])
        return username

    def open(self, flow: str, *, actor: str | None = None, **intake) -> int:
        """Open a work order; the actor defaults to a call-centre agent."""
        work_order = open_work_order(self.db, flow, intake, actor=actor or self.user_in("call_centre"))
        return work_order.id

    def work_order(self, work_order_id: int) -> WorkOrder:
        with self.db.reading() as session:
            return session.get(WorkOrder, work_order_id)

    def ready(self, work_order_id: int) -> list[HumanTask]:
        """Ready human tasks, oldest first."""
        with self.db.reading() as session:
            return list(session.scalars(select(HumanTask).where(
                HumanTask.work_order_id == work_order_id, HumanTask.state == "ready").order_by(HumanTask.id)))

    def ready_names(self, work_order_id: int) -> list[tuple[str, str]]:
        """``(bpmn id, lane group)`` of each ready task."""
        return [(t.bpmn_id, t.group_name) for t in self.ready(work_order_id)]

    def task(self, work_order_id: int, name: str) -> HumanTask:
        """The ready task with this BPMN id or name; AssertionError if there is none."""
        matches = [t for t in self.ready(work_order_id) if name in (t.bpmn_id, t.name)]
        assert matches, f"no ready task {name!r}; ready: {self.ready_names(work_order_id)}"
        return matches[0]

    def complete(self, work_order_id: int, name: str, *, actor: str | None = None, **data) -> HumanTask:
        """Claim and complete the ready task ``name`` as a member of its group."""
        human = self.task(work_order_id, name)
        actor = actor or self.user_in(human.group_name)
        if human.claimed_by is None:
            claim_task(self.db, human.id, actor=actor)
        return complete_task(self.db, human.id, data, actor=actor)

    def send(self, work_order_id: int, event: str, *, actor: str | None = None, **payload) -> None:
        send_event(self.db, work_order_id, event, payload, actor=actor or "system")

    def advance(self, delta: timedelta | None = None, *, to: datetime | None = None) -> SweepResult:
        """Move the clock (by ``delta`` or ``to`` an instant) and fire what fell due."""
        if to is not None:
            self.clock.move_to(to)
        elif delta is not None:
            self.clock.shift(delta)
        return self.sweeper.sweep()

    def timers(self, work_order_id: int) -> list[Timer]:
        with self.db.reading() as session:
            return list(session.scalars(select(Timer).where(Timer.work_order_id == work_order_id).order_by(Timer.due_at)))

    def outbox(self, work_order_id: int) -> list[OutboxMessage]:
        with self.db.reading() as session:
            return list(session.scalars(select(OutboxMessage).where(
                OutboxMessage.work_order_id == work_order_id).order_by(OutboxMessage.id)))

    def events(self, work_order_id: int) -> list[str]:
        """Audit event kinds recorded for the work order, in order."""
        with self.db.reading() as session:
            return [e.kind for e in audit.events_for(session, work_order_id)]

    def completed(self, work_order_id: int) -> list:
        """Every completed flow element, sub-processes included, oldest first.

        SpiffWorkflow's ``get_tasks`` does not descend into a finished sub-process, so past loop
        iterations and finished multi-instance calls are read from each sub-workflow directly.
        """
        with self.db.reading() as session:
            workflow = load_step(session, work_order_id, "system", lock=False, history=True).workflow
        seen, done = set(), []
        for tree in (workflow, *workflow.subprocesses.values()):
            for task in tree.get_tasks(state=TaskState.COMPLETED):  # tree order breaks clock ties
                if task.id not in seen and task.task_spec.bpmn_id:
                    seen.add(task.id)
                    done.append(task)
        return sorted(done, key=lambda t: t.last_state_change)

    def path(self, work_order_id: int) -> list[str]:
        """BPMN ids of the flow elements completed so far, in the order they completed."""
        return [t.task_spec.bpmn_id for t in self.completed(work_order_id)]

    def data(self, work_order_id: int) -> dict:
        """The data of the most recently completed task (what the next step would see)."""
        with self.db.reading() as session:
            step = load_step(session, work_order_id, "system", lock=False, history=True)
            return dict(step.workflow.last_task.data) if step.workflow.last_task else {}

    def spiff_task(self, work_order_id: int, task_id: str):
        with self.db.reading() as session:
            return load_step(session, work_order_id, "system", lock=False, history=True).workflow.get_task_from_id(UUID(task_id))
