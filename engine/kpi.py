"""Service figures for managers and auditors: timeliness, backlog, breaches, handling time, callbacks.

Definitions (all over work orders *opened* in the period, Shanghai calendar days inclusive):

* **timeliness** = closed without any missed deadline ÷ closed (``None`` when nothing closed);
* **open** = still open; **overdue** = open with a missed deadline or a due time already past;
* **breaches per day** = steps whose deadline was missed, by the Shanghai day it was missed;
* **average handling hours** = mean of closing time − opening time over the closed ones;
* **callback rate** = closed work orders with at least one completed callback form (a form
  carrying ``reached``) ÷ closed, against the rule: the process's ``callback.min_percent``
  property if it has one, else :data:`CALLBACK_RULE` (5 % of faults, every complaint and tip-off);
* **satisfaction** = callbacks answered "satisfied" or "basically satisfied" ÷ callbacks that
  reached the customer.

Per department and per step the same figures are taken over the steps (human tasks) of those
work orders: a step is on time when it was completed and never breached.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit.models import AuditEvent
from engine.inbox import urgency
from engine.models import HumanTask, WorkOrder

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALLBACK_RULE = {"fault_repair": 5.0, "complaint": 100.0, "tip_off": 100.0}
SATISFIED = frozenset({"satisfied", "basically_satisfied"})


@dataclass
class Figures:
    """One row of the dashboard: a flow, a department or a step."""

    key: str
    label: str = ""
    total: int = 0
    closed: int = 0
    closed_in_time: int = 0
    open: int = 0
    overdue: int = 0
    handling_hours: list[float] = field(default_factory=list)
    callbacks: int = 0
    callback_rule: float | None = None
    reached: int = 0
    satisfied: int = 0

    @property
    def timeliness(self) -> float | None:
        return _percent(self.closed_in_time, self.closed)

    @property
    def average_hours(self) -> float | None:
        return round(sum(self.handling_hours) / len(self.handling_hours), 2) if self.handling_hours else None

    @property
    def callback_rate(self) -> float | None:
        return _percent(self.callbacks, self.closed)

    @property
    def callback_ok(self) -> bool | None:
        if self.callback_rule is None or self.callback_rate is None:
            return None
        return self.callback_rate >= self.callback_rule

    @property
    def satisfaction(self) -> float | None:
        return _percent(self.satisfied, self.reached)


@dataclass
class Dashboard:
    first_day: date
    last_day: date
    flows: list[Figures]
    departments: list[Figures]
    steps: list[Figures]
    breaches_per_day: dict[str, int]


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _hours(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600


def _local_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def period_window(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """The UTC instants bounding Shanghai days ``first_day`` to ``last_day`` inclusive (SQLite compares as UTC)."""
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=SHANGHAI)
    end = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), tzinfo=SHANGHAI)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def _surveys(session: Session, ids: list[int]) -> dict[int, list[dict]]:
    """Completed callback forms per work order (forms that carry ``reached``)."""
    found: dict[int, list[dict]] = defaultdict(list)
    if not ids:
        return found
    for event in session.scalars(select(AuditEvent).where(
            AuditEvent.kind == "task.completed", AuditEvent.work_order_id.in_(ids))):
        data = event.payload.get("data") or {}
        if "reached" in data:
            found[event.work_order_id].append(data)
    return found


def _flow_figures(orders: list[WorkOrder], surveys: dict[int, list[dict]], now: datetime) -> list[Figures]:
    rows: dict[str, Figures] = {}
    for order in orders:
        settings = order.process_version.settings or {}
        rule = settings.get("callback.min_percent", CALLBACK_RULE.get(order.flow_type))
        row = rows.setdefault(order.flow_type, Figures(order.flow_type, callback_rule=float(rule) if rule is not None else None))
        row.total += 1
        if order.status == "open":
            row.open += 1
            row.overdue += order.breached_at is not None or (order.due_at is not None and order.due_at < now)
        elif order.status == "closed" and order.closed_at is not None:
            row.closed += 1
            row.closed_in_time += order.breached_at is None
            row.handling_hours.append(_hours(order.opened_at, order.closed_at))
            row.callbacks += bool(surveys.get(order.id))
        for survey in surveys.get(order.id, []):
            if survey.get("reached"):
                row.reached += 1
                row.satisfied += survey.get("satisfaction") in SATISFIED
    return sorted(rows.values(), key=lambda r: r.key)


def _task_figures(tasks: list[HumanTask], key_of, label_of, now: datetime) -> list[Figures]:
    rows: dict[str, Figures] = {}
    for task in tasks:
        key = key_of(task)
        row = rows.setdefault(key, Figures(key, label_of(task)))
        row.total += 1
        if task.state == "ready":
            row.open += 1
            row.overdue += urgency(task, now) == "overdue"
        elif task.state == "completed" and task.completed_at is not None:
            row.closed += 1
            row.closed_in_time += task.breached_at is None
            row.handling_hours.append(_hours(task.created_at, task.completed_at))
    return sorted(rows.values(), key=lambda r: r.key)


def dashboard(session: Session, first_day: date, last_day: date, *, now: datetime) -> Dashboard:
    """The figures for work orders opened from ``first_day`` to ``last_day`` (Shanghai days, inclusive)."""
    start, end = period_window(first_day, last_day)
    orders = list(session.scalars(select(WorkOrder).where(
        WorkOrder.opened_at >= start, WorkOrder.opened_at < end).order_by(WorkOrder.id)))
    ids = [o.id for o in orders]
    tasks = list(session.scalars(select(HumanTask).where(HumanTask.work_order_id.in_(ids)))) if ids else []
    flow_of = {o.id: o.flow_type for o in orders}
    breaches = Counter(_local_day(t.breached_at).isoformat() for t in tasks if t.breached_at is not None)
    return Dashboard(
        first_day, last_day,
        flows=_flow_figures(orders, _surveys(session, ids), now),
        departments=_task_figures(tasks, lambda t: t.group_name, lambda t: t.group_name, now),
        steps=_task_figures(tasks, lambda t: f"{flow_of[t.work_order_id]}/{t.bpmn_id}", lambda t: t.name, now),
        breaches_per_day=dict(sorted(breaches.items())),
    )
