"""Read-side queries for the screens: who may open or see what, caller look-ups, shift handover.

Plain functions over a :class:`~sqlalchemy.orm.Session`; every list is already limited to what
the viewer's groups may see, so a caller (web page or REST resource) cannot forget to filter.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engine.deployment import latest_version
from engine.directory import get_user
from engine.errors import NotFound, PermissionDenied
from engine.inbox import SORTS, urgency
from engine.models import Group, HumanTask, ProcessVersion, User, WorkOrder
from engine.runtime import utcnow

MAX_ID = 2**31 - 1
"""The largest row id: ids are 32-bit INTEGER columns on PostgreSQL, so a larger number names nothing."""

# Groups that oversee every flow: the shift lead supervises, the auditor reads everything.
OVERSEERS = frozenset({"shift_lead", "auditor"})
DEFAULT_START_LANE = "call_centre"
_ADDRESS_NOISE = re.compile(r"[\s,，.。;；:：#\-—()（）]+")


def start_lane(version: ProcessVersion) -> str:
    """The group whose members may open work orders of this version."""
    return (version.lane_map or {}).get(version.start_event_id, DEFAULT_START_LANE)


def lanes_of(version: ProcessVersion) -> set[str]:
    """Every department taking part in this version, including the start lane."""
    return set((version.lane_map or {}).values()) | {start_lane(version)}


def may_view(version: ProcessVersion, groups: set[str]) -> bool:
    """Whether members of ``groups`` may see work orders of this version."""
    return bool(set(groups) & (lanes_of(version) | OVERSEERS))


def require_view(session: Session, work_order: WorkOrder, username: str) -> User:
    """Refuse a viewer whose groups take no part in the work order's flow."""
    user = get_user(session, username)
    if not may_view(work_order.process_version, user.group_names):
        raise PermissionDenied(f"无权查看工单 {work_order.number} / you may not view work order {work_order.number}")
    return user


def find_work_order(session: Session, ref: str | int) -> WorkOrder:
    """A work order by number (``TS2026...``) or numeric id."""
    text = str(ref).strip()
    if text.isdecimal() and int(text) > MAX_ID:
        raise NotFound(f"工单不存在 / work order {text} does not exist")
    query = select(WorkOrder).where(WorkOrder.id == int(text)) if text.isdecimal() else select(WorkOrder).where(
        WorkOrder.number == text)
    work_order = session.scalars(query).first()
    if work_order is None:
        raise NotFound(f"工单不存在 / work order {text} does not exist")
    return work_order


def latest_versions(session: Session) -> list[ProcessVersion]:
    """The newest version of every deployed process, by process id."""
    newest = select(ProcessVersion.process_id, func.max(ProcessVersion.version).label("v")).group_by(
        ProcessVersion.process_id).subquery()
    return list(session.scalars(select(ProcessVersion).join(
        newest, (ProcessVersion.process_id == newest.c.process_id) & (ProcessVersion.version == newest.c.v),
    ).order_by(ProcessVersion.process_id)))


def startable_versions(session: Session, username: str) -> list[ProcessVersion]:
    """Processes whose start lane the user belongs to: the intake screens they get."""
    groups = get_user(session, username).group_names
    return [v for v in latest_versions(session) if start_lane(v) in groups]


def startable_version(session: Session, flow_type: str, username: str) -> ProcessVersion:
    """The newest version of ``flow_type`` if the user may open it."""
    version = latest_version(session, flow_type)
    lane = start_lane(version)
    if lane not in get_user(session, username).group_names:
        raise PermissionDenied(f"只有「{lane}」可以受理此类工单 / only {lane} may open {flow_type} work orders")
    return version


def _visible_flow_types(session: Session, groups: set[str]) -> list[str]:
    versions = session.scalars(select(ProcessVersion)).all()
    return sorted({v.process_id for v in versions if may_view(v, groups)})


def _digits(phone: str) -> str:
    return re.sub(r"[\s\-]", "", phone or "")


def open_work_orders_for_phone(session: Session, phone: str, username: str, *, limit: int = 20) -> list[WorkOrder]:
    """A caller's open work orders the viewer may see (sealed phones never match: they are masked)."""
    wanted = _digits(phone)
    if len(wanted) < 5:
        return []
    flows = _visible_flow_types(session, get_user(session, username).group_names)
    stored = func.replace(func.replace(WorkOrder.customer_phone, " ", ""), "-", "")
    return list(session.scalars(select(WorkOrder).where(
        WorkOrder.status == "open", WorkOrder.flow_type.in_(flows), stored == wanted,
    ).order_by(WorkOrder.opened_at.desc()).limit(limit)))


def normalise_address(address: str) -> str:
    """Compare addresses without spaces and punctuation, so typing differences still match."""
    return _ADDRESS_NOISE.sub("", address or "").lower()


def open_jobs_at(session: Session, address: str, flow_type: str) -> list[WorkOrder]:
    """Open work orders of ``flow_type`` (not themselves linked calls) at a matching address.

    A fault already being repaired there is one job with many callers: the new call is linked
    to it (intake ``link_to``) instead of dispatching a second crew.
    """
    wanted = normalise_address(address)
    if len(wanted) < 4:
        return []
    jobs = session.scalars(select(WorkOrder).where(
        WorkOrder.status == "open", WorkOrder.flow_type == flow_type, WorkOrder.parent_id.is_(None),
    ).order_by(WorkOrder.opened_at.desc()))
    found = []
    for job in jobs:
        place = normalise_address(job.customer_address)
        if place and (wanted in place or place in wanted):
            found.append(job)
    return found


def search_work_orders(session: Session, text: str, username: str, *, limit: int = 50) -> list[WorkOrder]:
    """Work orders (open or not) by number prefix or phone, limited to what the viewer may see."""
    needle = text.strip()
    if not needle:
        return []
    flows = _visible_flow_types(session, get_user(session, username).group_names)
    stored = func.replace(func.replace(WorkOrder.customer_phone, " ", ""), "-", "")
    return list(session.scalars(select(WorkOrder).where(
        WorkOrder.flow_type.in_(flows),
        or_(WorkOrder.number.startswith(needle.upper()), stored == _digits(needle)),
    ).order_by(WorkOrder.opened_at.desc()).limit(limit)))


def group_members(session: Session, group: str) -> list[User]:
    """Active members of a group, by display name (who a task can be handed to)."""
    return list(session.scalars(
        select(User).join(User.groups).where(Group.name == group, User.is_active).order_by(User.display_name)
    ))


def group_titles(session: Session) -> dict[str, tuple[str, str]]:
    """``name → (title_zh, title_en)`` of every group."""
    return {g.name: (g.title_zh, g.title_en) for g in session.scalars(select(Group))}


def handover_groups(session: Session, username: str) -> list[str]:
    """Departments whose handover list the user may read: their own, or all for overseers."""
    groups = get_user(session, username).group_names
    lanes = list(session.scalars(select(Group.name).where(Group.is_lane).order_by(Group.id)))
    return lanes if groups & OVERSEERS else [g for g in lanes if g in groups]


@dataclass
class Handover:
    """What one department hands to the next shift (art. 22)."""

    group: str
    since: datetime
    until: datetime
    open_tasks: list[HumanTask] = field(default_factory=list)
    to_chase: list[HumanTask] = field(default_factory=list)
    breaches: list[HumanTask] = field(default_factory=list)

    @property
    def open_work_orders(self) -> list[WorkOrder]:
        seen: dict[int, WorkOrder] = {}
        for task in self.open_tasks:
            seen.setdefault(task.work_order_id, task.work_order)
        return list(seen.values())


def handover(session: Session, group: str, username: str, *, hours: int = 8, now: datetime | None = None) -> Handover:
    """Open items of ``group``, those to chase (overdue or due within the hour), breaches of the shift."""
    if group not in handover_groups(session, username):
        raise PermissionDenied(f"无权查看「{group}」的交接班 / you may not read the handover of {group}")
    until = now or utcnow()
    since = until - timedelta(hours=max(1, hours))
    open_tasks = list(session.scalars(select(HumanTask).where(
        HumanTask.group_name == group, HumanTask.state == "ready").order_by(*SORTS["due"])))
    breaches = list(session.scalars(select(HumanTask).where(
        HumanTask.group_name == group, HumanTask.breached_at.is_not(None),
        HumanTask.breached_at >= since, HumanTask.breached_at <= until,
    ).order_by(HumanTask.breached_at)))
    return Handover(group, since, until, open_tasks,
                    [t for t in open_tasks if urgency(t, until) != "ok"], breaches)
