"""Bulk-load realistic rows fast: COPY on PostgreSQL, Core executemany on SQLite.

The scale benchmarks need a million work orders or a hundred thousand waiting timers;
opening them through the engine would take hours, so they are written directly, with the
columns the queries under test read filled the way production fills them.
"""
from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import islice
from pathlib import Path

from lxml import etree
from psycopg.types.json import Json
from sqlalchemy import Table, func, select, text

from engine.db import Database
from engine.deployment import deploy_process
from engine.directory import DEPARTMENTS, create_user
from engine.models import HumanTask, ProcessVersion, Timer, WorkOrder
from tests.scale.cloning import clone_work_order

PROCESSES = Path(__file__).resolve().parent.parent / "processes"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "camunda": "http://camunda.org/schema/1.0/bpmn"}
# Share of each flow among the hotline's work orders (fault calls dominate).
FLOW_WEIGHTS = {"fault_repair": 40, "complaint": 20, "power_application": 15, "arrears_reminder": 20, "tip_off": 5}
USERS_PER_GROUP = 20
CHUNK = 50_000


@dataclass(frozen=True)
class UserTaskKind:
    """One user task of a deployed flow: what a materialised ``human_tasks`` row names."""

    version_id: int
    flow: str
    bpmn_id: str
    name: str
    group: str
    form_key: str


def deploy_all(db: Database) -> None:
    """Deploy every production diagram in processes/ (registers their forms first)."""
    with db.transaction() as session:
        for path in sorted(PROCESSES.glob("*.bpmn")):
            deploy_process(session, path.read_bytes(), actor="bench")


def add_staff(db: Database) -> list[str]:
    """``USERS_PER_GROUP`` people in every department: ``<group>_<k>``; returns the usernames."""
    names = []
    with db.transaction() as session:
        for group in DEPARTMENTS:
            for k in range(USERS_PER_GROUP):
                create_user(session, f"{group}_{k}", f"{group} {k}", [group])
                names.append(f"{group}_{k}")
    return names


def user_task_kinds(db: Database) -> dict[str, list[UserTaskKind]]:
    """Every user task of every deployed flow, by flow, read from the diagrams themselves."""
    kinds: dict[str, list[UserTaskKind]] = {}
    with db.reading() as session:
        for version in session.scalars(select(ProcessVersion)):
            tree = etree.fromstring(version.bpmn_xml.encode())
            for task in tree.iterfind(".//bpmn:userTask", NS):
                lane = (version.lane_map or {}).get(task.get("id"))
                if lane:
                    kinds.setdefault(version.process_id, []).append(UserTaskKind(
                        version.id, version.process_id, task.get("id"), task.get("name") or task.get("id"), lane,
                        task.get(f"{{{NS['camunda']}}}formKey") or ""))
    return kinds


def copy_rows(db: Database, table: Table, rows: Iterable[dict]) -> int:
    """Append rows (dicts with the same keys) to ``table``; returns how many were written."""
    rows = iter(rows)
    written = 0
    while chunk := list(islice(rows, CHUNK)):
        columns = list(chunk[0])
        with db.engine.begin() as conn:
            if db.is_sqlite:
                conn.execute(table.insert(), chunk)
            else:
                cursor = conn.connection.driver_connection.cursor()
                with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in chunk:
                        copy.write_row([Json(row[c]) if isinstance(row[c], (dict, list)) else row[c]
                                        for c in columns])
        written += len(chunk)
    return written


def next_id(db: Database, table: Table) -> int:
    with db.reading() as session:
        return (session.scalar(select(func.max(table.c.id))) or 0) + 1


def finish_load(db: Database, tables: Iterable[Table]) -> None:
    """Move PostgreSQL id sequences past the copied ids; vacuum and analyse as autovacuum would.

    Without the vacuum, freshly copied rows are not yet marked all-visible and PostgreSQL
    cannot answer from an index alone, which a live database (autovacuumed) can.
    """
    tables = list(tables)
    with db.engine.begin() as conn:
        for table in tables:
            if not db.is_sqlite:
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                  f"(SELECT coalesce(max(id), 1) FROM {table.name}))"))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if db.is_sqlite:
            conn.exec_driver_sql("ANALYZE")
        for table in () if db.is_sqlite else tables:
            conn.exec_driver_sql(f"VACUUM ANALYZE {table.name}")


def _pick_flow(rng: random.Random, kinds: dict[str, list[UserTaskKind]]) -> str:
    flows = [f for f in FLOW_WEIGHTS if f in kinds]
    return rng.choices(flows, weights=[FLOW_WEIGHTS[f] for f in flows])[0]


def load_work_orders(db: Database, count: int, open_tasks: int, *, seed: int = 7) -> dict:
    """``count`` work orders over two years; the newest carry ``open_tasks`` ready tasks, the rest are done.

    Open work orders have one ready task each (a fifth claimed, ~15% overdue); finished ones
    keep their last completed task, as the materialised task table does in production.
    """
    rng = random.Random(seed)
    kinds = user_task_kinds(db)
    now = datetime.now(timezone.utc)
    first_wo, first_task = next_id(db, WorkOrder.__table__), next_id(db, HumanTask.__table__)
    span = timedelta(days=730)
    open_from = count - min(count, open_tasks * 4)  # open ones are among the most recent quarter
    open_set = set(rng.sample(range(open_from, count), open_tasks))
    plan = []
    for i in range(count):
        flow = _pick_flow(rng, kinds)
        plan.append((first_wo + i, flow, rng.choice(kinds[flow]), now - span * (count - i) / count, i in open_set))

    def work_orders() -> Iterator[dict]:
        for wo_id, flow, kind, opened, is_open in plan:
            status = "open" if is_open else ("cancelled" if wo_id % 50 == 0 else "closed")
            due = opened + timedelta(hours=rng.choice((1, 4, 24, 72, 168)))
            yield {
                "id": wo_id, "number": f"B{wo_id:010d}", "flow_type": flow, "process_version_id": kind.version_id,
                "parent_id": None, "status": status, "customer_name": "客户", "customer_phone": f"138{wo_id % 10**8:08d}",
                "customer_address": f"南昌市红谷滩区丰和中大道{wo_id % 999 + 1}号", "area_class": "urban",
                "summary": "停电报修" if flow == "fault_repair" else "业务咨询", "priority": wo_id % 3,
                "opened_by": "call_centre_0", "opened_at": opened, "due_at": due,
                "closed_at": None if is_open else opened + timedelta(hours=20),
                "breached_at": due if (not is_open and wo_id % 17 == 0) else None, "cancel_reason": "",
                "updated_at": opened, "lock_version": 3,
            }

    def tasks() -> Iterator[dict]:
        for n, (wo_id, flow, kind, opened, is_open) in enumerate(plan):
            created = opened + timedelta(minutes=5)
            if is_open:
                # ~15% already overdue (by up to nine hours), the rest due within three days.
                overdue = rng.random() < 0.15
                due = now + timedelta(minutes=-rng.randint(1, 9 * 60) if overdue else rng.randint(1, 72 * 60))
                claimed = f"{kind.group}_{rng.randrange(USERS_PER_GROUP)}" if rng.random() < 0.2 else None
                state, done_at, done_by = "ready", None, None
            else:
                due, claimed = created + timedelta(hours=24), f"{kind.group}_{wo_id % USERS_PER_GROUP}"
                state, done_at, done_by = "completed", created + timedelta(hours=2), claimed
            yield {
                "id": first_task + n, "work_order_id": wo_id,
                "spiff_task_id": f"{wo_id:08x}-0000-4000-8000-0000000000a1",
                "bpmn_id": kind.bpmn_id, "name": kind.name, "group_name": kind.group, "flow_type": flow,
                "form_key": kind.form_key, "state": state, "priority": wo_id % 3, "claimed_by": claimed,
                "created_at": created, "due_at": due,
                "deadline": None, "breached_at": due if state == "ready" and due < now and n % 2 else None,
                "completed_at": done_at, "completed_by": done_by,
            }

    loaded = {"work_orders": copy_rows(db, WorkOrder.__table__, work_orders()),
              "human_tasks": copy_rows(db, HumanTask.__table__, tasks())}
    finish_load(db, (WorkOrder.__table__, HumanTask.__table__))
    return loaded


def clone_waiting(db: Database, template_id: int, count: int, *, min_days: int = 3, max_days: int = 60) -> int:
    """Copy one engine-opened work order ``count`` times, each with its timer due days ahead.

    The copies (``tests.scale.cloning``) are the template's rows with new ids, numbers and due
    times; their workflow state is left out (it is only loaded when a timer falls due, which these
    never do during a run).
    """
    now = datetime.now(timezone.utc)
    due = [now + timedelta(seconds=random.Random(i).uniform(min_days * 86400, max_days * 86400)) for i in range(count)]
    clone_work_order(db, template_id, count, due_at=due, with_state=False)
    finish_load(db, (WorkOrder.__table__, HumanTask.__table__, Timer.__table__))
    return count
