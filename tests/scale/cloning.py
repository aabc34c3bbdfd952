"""Many copies of one real work order, fast.

Opening 10 000 complaints through the engine would take minutes of test time. The sweeper and
the handlers act on rows — the order, its serialised workflow, its tasks and timers — so copies
of a work order the engine really opened exercise exactly the code the originals would. The
benchmarks use the same copies for their 100 000 waiting timers.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, insert, select, text

from engine.db import Database
from engine.models import HumanTask, Timer, WorkflowArchive, WorkflowState, WorkOrder

_STATE = (WorkflowState, WorkflowArchive)
_DERIVED = (HumanTask, Timer)
_CHUNK = 1000


def clone_work_order(db: Database, template_id: int, copies: int, *, due_at: Sequence[datetime] | None = None,
                     with_state: bool = True) -> list[int]:
    """Insert ``copies`` copies of the work order's rows with new ids and numbers; return the ids.

    ``due_at`` gives copy *i* its own due time (order, tasks and timers alike). ``with_state=False``
    leaves out the serialised workflow: for copies whose timers never fall due, which nothing
    ever loads, it saves writing ~20 KB per copy.
    """
    with db.transaction() as session:
        order = _rows(session, WorkOrder, WorkOrder.id == template_id)[0]
        children = {model: _rows(session, model, model.work_order_id == template_id)
                    for model in (*(_STATE if with_state else ()), *_DERIVED)}
        first = (session.scalar(select(func.max(WorkOrder.id))) or 0) + 1
        ids = list(range(first, first + copies))
        for start in range(0, copies, _CHUNK):
            chunk = list(enumerate(ids[start:start + _CHUNK], start))
            session.execute(insert(WorkOrder.__table__), [
                {**order, **_due(due_at, i), "id": new_id, "number": f"C{new_id:012d}"} for i, new_id in chunk])
            for model, rows in children.items():
                if rows:
                    dated = model in _DERIVED
                    session.execute(insert(model.__table__), [
                        {**row, **(_due(due_at, i) if dated else {}), "work_order_id": new_id}
                        for i, new_id in chunk for row in rows])
        if not db.is_sqlite:
            session.execute(text("SELECT setval(pg_get_serial_sequence('work_orders', 'id'), :last)"),
                            {"last": ids[-1]})
    return ids


def _due(due_at: Sequence[datetime] | None, index: int) -> dict:
    return {"due_at": due_at[index]} if due_at is not None else {}


def _rows(session, model, where) -> list[dict]:
    """The rows as column dicts, without surrogate ids the database should assign."""
    table = model.__table__
    keep = [column for column in table.columns if not (column.primary_key and column.name == "id"
                                                       and model is not WorkOrder)]
    return [dict(row._mapping) for row in session.execute(select(*keep).where(where))]
