"""(b) Cost of a timer sweep with 100 000 waiting timers and none due — must not grow with them.

Compared in the same run against the same sweep over an empty timer table, so the figure is a
ratio, not a hope: O(due timers) means the two are about equal.
"""
from __future__ import annotations

import statistics
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select

from bench.fixtures import fresh_database
from engine.models import ProcessVersion, Timer, WorkOrder
from engine.timers import TimerSweeper


def _fill(db, count: int) -> None:
    now = datetime.now(timezone.utc)
    with db.transaction() as session:
        version_id = session.scalar(select(ProcessVersion.id))
        for start in range(0, count, 10_000):
            size = min(10_000, count - start)
            session.execute(insert(WorkOrder), [
                {"number": f"B{start + i:08d}", "flow_type": "test_ticket", "process_version_id": version_id,
                 "opened_at": now, "updated_at": now, "lock_version": 1} for i in range(size)])
        ids = session.scalars(select(WorkOrder.id)).all()
        for start in range(0, len(ids), 10_000):
            session.execute(insert(Timer), [
                {"work_order_id": wo, "spiff_task_id": f"t{wo}", "bpmn_id": "late", "name": "",
                 "due_at": now + timedelta(days=1 + wo % 30), "created_at": now} for wo in ids[start:start + 10_000]])


def _median_sweep_ms(db, repeats: int) -> float:
    sweeper = TimerSweeper(db)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = sweeper.sweep()
        times.append((time.perf_counter() - started) * 1000)
        assert result.fired == 0
    return statistics.median(times)


def run(short: bool = False, url: str | None = None) -> dict:
    count = 20_000 if short else 100_000
    empty = fresh_database(url)
    baseline = _median_sweep_ms(empty, 50)
    empty.dispose()
    full = fresh_database(url)
    _fill(full, count)
    loaded = _median_sweep_ms(full, 50)
    full.dispose()
    return {"waiting_timers": count, "sweep_ms_empty": baseline, "sweep_ms_loaded": loaded,
            "ratio_loaded_vs_empty": loaded / baseline, "target_ms": 10}


if __name__ == "__main__":
    print(run())
