"""Many copies of one real work order, fast.

Opening 10 000 complaints through the engine would take minutes of test time. The sweeper and
the handlers act on rows — the order, its serialised workflow, its tasks and timers — so copies
of a work order the engine really opened exercise exactly the code the originals would.
"""
from __future__ import annotations

from sqlalchemy import func, insert, select, text

from engine.db import Database
from engine.models import HumanTask, Timer, WorkflowArchive, WorkflowState, WorkOrder

_CHILDREN = (WorkflowState, WorkflowArchive, HumanTask, Timer)
_CHUNK = 1000


def clone_work_order(db: Database, template_id: int, copies: int) -> list[int]:
    """Insert ``copies`` copies of the work order's rows with new ids and numbers; return the ids."""
    with db.transaction() as session:
        order = _row(session, WorkOrder, WorkOrder.id == template_id)[0]
        children = {model: _row(session, model, model.work_order_id == template_id) for model in _CHILDREN}
        first = (session.scalar(select(func.max(WorkOrder.id))) or 0) + 1
        ids = list(range(first, first + copies))
        for start in range(0, copies, _CHUNK):
            chunk = ids[start:start + _CHUNK]
            session.execute(insert(WorkOrder), [
                {**order, "id": new_id, "number": f"C{new_id:012d}"} for new_id in chunk])
            for model, rows in children.items():
                if rows:
                    session.execute(insert(model), [
                        {**row, "work_order_id": new_id} for new_id in chunk for row in rows])
        if not db.is_sqlite:
            session.execute(text("SELECT setval(pg_get_serial_sequence('work_orders', 'id'), :last)"),
                            {"last": ids[-1]})
    return ids


def _row(session, model, where) -> list[dict]:
    """The rows as column dicts, without surrogate ids the database should assign."""
    table = model.__table__
    keep = [column for column in table.columns if not (column.primary_key and column.name == "id"
                                                       and model is not WorkOrder)]
    return [dict(row._mapping) for row in session.execute(select(*keep).where(where))]
