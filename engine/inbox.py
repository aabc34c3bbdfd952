"""Read side of the task inboxes: what a user or a group may see, filtered and paged."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from engine.directory import get_user
from engine.models import HumanTask, ProcessVersion, WorkOrder
from engine.runtime import utcnow

SORTS = {
    "due": (HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id),
    "priority": (HumanTask.priority.desc(), HumanTask.due_at, HumanTask.id),
    "created": (HumanTask.created_at.desc(), HumanTask.id),
}
MAX_PAGE = 100_000
"""Far beyond any real inbox, and it keeps the row offset inside the database's integer range."""


@dataclass(frozen=True)
class InboxQuery:
    """Filters for an inbox page; ``view`` is ``group`` (unclaimed queue) or ``mine``."""

    view: str = "group"
    group: str | None = None
    flow: str | None = None
    overdue_only: bool = False
    sort: str = "due"
    page: int = 1
    per_page: int = 25


@dataclass
class InboxPage:
    tasks: list[HumanTask]
    total: int
    counts: dict[str, int]
    page: int
    per_page: int


def visible_groups(session: Session, username: str) -> set[str]:
    """The lane groups whose tasks a user may see."""
    return get_user(session, username).group_names


def _base(username: str, groups: set[str], query: InboxQuery, now: datetime):
    """The matching tasks' ids, read from ``human_tasks`` alone.

    Every filter column and the due and priority sorts are in the index ``ix_human_tasks_queue``
    (the flow is copied onto the task for this), so counting and sorting never join work orders
    nor read table rows, and a page costs the same with a million finished work orders behind it.
    """
    stmt = select(HumanTask.id).where(HumanTask.state == "ready")
    if query.view == "mine":
        stmt = stmt.where(HumanTask.claimed_by == username)
    else:
        stmt = stmt.where(HumanTask.claimed_by.is_(None))
    wanted = {query.group} & groups if query.group else groups
    stmt = stmt.where(HumanTask.group_name.in_(sorted(wanted)))
    if query.flow:
        stmt = stmt.where(HumanTask.flow_type == query.flow)
    if query.overdue_only:
        stmt = stmt.where(or_(HumanTask.breached_at.is_not(None), HumanTask.due_at < now))
    return stmt


def inbox(session: Session, username: str, query: InboxQuery) -> InboxPage:
    """One page of a user's inbox plus the tab counts."""
    groups = visible_groups(session, username)
    now = utcnow()
    order = SORTS.get(query.sort, SORTS["due"])
    page = min(max(query.page, 1), MAX_PAGE)
    # Sort and cut the page on narrow rows, then load only its tasks with their work orders.
    keys = _base(username, groups, query, now).order_by(*order)
    ids = session.scalars(keys.offset((page - 1) * query.per_page).limit(query.per_page)).all()
    loaded = {task.id: task for task in session.scalars(select(HumanTask).where(HumanTask.id.in_(ids)).options(
        selectinload(HumanTask.work_order).selectinload(WorkOrder.process_version)))}
    counts = {
        view: _count(session, _base(username, groups, InboxQuery(view=view, group=query.group, flow=query.flow), now))
        for view in ("group", "mine")
    }
    tab = "mine" if query.view == "mine" else "group"
    total = _count(session, _base(username, groups, query, now)) if query.overdue_only else counts[tab]
    return InboxPage([loaded[i] for i in ids], total, counts, page, query.per_page)


def deployed_flows(session: Session) -> list[str]:
    """Process ids with a deployed version: the flow filter's choices, without reading any diagram."""
    return list(session.scalars(select(ProcessVersion.process_id).distinct().order_by(ProcessVersion.process_id)))


def _count(session: Session, stmt) -> int:
    return session.scalar(select(func.count()).select_from(stmt.subquery()))


def urgency(task: HumanTask, now: datetime | None = None) -> str:
    """``overdue`` (red), ``soon`` (due within an hour, amber) or ``ok``."""
    now = now or utcnow()
    if task.breached_at is not None or (task.due_at is not None and task.due_at < now):
        return "overdue"
    if task.due_at is not None and task.due_at - now <= timedelta(hours=1):
        return "soon"
    return "ok"


def tasks_of_group(session: Session, group: str) -> list[HumanTask]:
    """Every ready task of one group, soonest due first (shift handover, tests)."""
    return list(session.scalars(
        select(HumanTask).where(HumanTask.group_name == group, HumanTask.state == "ready").order_by(*SORTS["due"])
    ))
