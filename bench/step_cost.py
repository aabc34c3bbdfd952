"""(c) Cost of completing the 100th step of a long-running work order vs the 10th.

A fault repair stays in its progress-update loop (standardLoopCharacteristics, no gateway
back-edge) for 110 updates; each update's ``complete_task`` is timed. The stored state grows
with the history, so the ratio shows how much of it every step pays for.
"""
from __future__ import annotations

import statistics
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bench.fixtures import fresh_database
from engine.models import HumanTask, WorkflowState
from engine.tasks import claim_task, complete_task
from engine.testing import Clock, FlowHarness

SH = ZoneInfo("Asia/Shanghai")
CALL = {"customer_name": "李四", "customer_phone": "13800138001", "customer_address": "南昌市红谷滩区丰和中大道1号",
        "summary": "整栋楼停电", "area_class": "urban"}
CREW = {"crew_leader": "赵师傅", "crew_phone": "13900000001", "departure_time": "2026-09-30T16:10:00"}


def _to_progress_loop(flow: FlowHarness) -> int:
    flow.deploy("fault_repair")
    wo = flow.open("fault_repair", **CALL)
    flow.complete(wo, "judge_ownership", ownership="utility_fault", explanation="线路故障停电，已致歉")
    flow.complete(wo, "dispatch", **CREW)
    flow.advance(timedelta(minutes=20))
    flow.complete(wo, "report_arrival", arrival_note="已到达")
    flow.complete(wo, "crew_report", fault_cause="熔断器熔断", crew_location="配电房", estimated_minutes=600)
    return wo


def run(short: bool = False) -> dict:
    updates = 110
    db = fresh_database()
    clock = Clock(datetime(2026, 9, 30, 16, 0, tzinfo=SH))
    try:
        flow = FlowHarness(db, clock)
        wo = _to_progress_loop(flow)
        crew = flow.user_in("repair_crew")
        timings, sizes = [], []
        for number in range(1, updates + 1):
            clock.shift(timedelta(minutes=1))
            with db.reading() as session:
                task_id = session.scalar(select(HumanTask.id).where(
                    HumanTask.work_order_id == wo, HumanTask.bpmn_id == "progress_update", HumanTask.state == "ready"))
            claim_task(db, task_id, actor=crew)
            started = time.perf_counter()
            complete_task(db, task_id, {"status": f"第{number}次进展", "repaired": False, "estimated_minutes_left": 30},
                          actor=crew)
            timings.append((time.perf_counter() - started) * 1000)
            with db.reading() as session:
                sizes.append(session.scalar(select(func.length(WorkflowState.state_json)).where(
                    WorkflowState.work_order_id == wo)))
    finally:
        clock.stop()
        db.dispose()
    tenth = statistics.median(timings[5:15])  # steps 6–15: a window, so one slow commit cannot decide
    hundredth = statistics.median(timings[95:105])
    return {"step10_ms": tenth, "step100_ms": hundredth, "ratio": hundredth / tenth, "target_ratio": 2.0,
            "state_bytes_step10": sizes[9], "state_bytes_step100": sizes[99]}


if __name__ == "__main__":
    print(run())
