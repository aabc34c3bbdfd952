"""Steps that walk a fault-repair work order forward, shared by the fault-repair flow tests.

Each step moves the clock on a little first, as real work does, so the harness's path and
``task_data`` see the steps in the order they happened.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from engine.testing import FlowHarness

SH = ZoneInfo("Asia/Shanghai")
CALL = {
    "customer_name": "李四", "customer_phone": "13800138001", "customer_address": "南昌市红谷滩区丰和中大道1号",
    "summary": "整栋楼停电，闻到焦味", "area_class": "urban",
}
CREW = {"crew_leader": "赵师傅", "crew_phone": "13900000001", "departure_time": "2026-09-30T16:10:00"}
AREA_DEADLINES = [("urban", 45), ("suburban", 90), ("remote", 120), ("special_remote", 180)]


def tick(flow: FlowHarness, minutes: int = 1) -> None:
    flow.advance(timedelta(minutes=minutes))


def call(flow: FlowHarness, **changes) -> int:
    """A new fault call as the agent records it."""
    return flow.open("fault_repair", **{**CALL, **changes})


def link(flow: FlowHarness, master: int, name: str, phone: str, address: str) -> int:
    """A later call about the same fault, linked to the master job."""
    return call(flow, customer_name=name, customer_phone=phone, customer_address=address,
                link_to=flow.work_order(master).number)


def dispatched(flow: FlowHarness, **changes) -> int:
    """A utility fault judged and dispatched; returns the work order id."""
    wo = call(flow, **changes)
    tick(flow)
    flow.complete(wo, "judge_ownership", ownership="utility_fault", explanation="线路故障停电，已致歉")
    tick(flow)
    flow.complete(wo, "dispatch", **CREW)
    return wo


def on_site(flow: FlowHarness, wo: int) -> None:
    tick(flow, 20)
    flow.complete(wo, "report_arrival", arrival_note="已到达")


def reported(flow: FlowHarness, wo: int) -> None:
    on_site(flow, wo)
    tick(flow, 10)
    flow.complete(wo, "crew_report", fault_cause="台区变压器低压熔断器熔断", crew_location="丰和中大道1号配电房",
                  estimated_minutes=60)


def repaired(flow: FlowHarness, wo: int) -> None:
    reported(flow, wo)
    tick(flow, 30)
    flow.complete(wo, "progress_update", status="已更换熔断器，恢复供电", repaired=True)


def completed(flow: FlowHarness, wo: int, *, at: datetime | None = None) -> None:
    """The desk's completion report, at ``at`` (Asia/Shanghai) when given."""
    if at is not None:
        flow.advance(to=at)
    else:
        tick(flow, 5)
    restored = (flow.clock.now() - timedelta(minutes=3)).astimezone(SH).replace(tzinfo=None)
    flow.complete(wo, "completion_report", main_fault="低压熔断器熔断", repair_result="更换熔断器，线路正常",
                  power_restored_at=restored.isoformat())
