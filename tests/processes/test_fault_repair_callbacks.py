"""Fault-repair callbacks (art. 21.7: at least 5 % of the callers, spread over the outage area;
art. 21.11: a repair finished after 22:00 is called back the next day)."""
from datetime import datetime, timedelta

import pytest

from engine.errors import ValidationFailed
from engine.tasks import complete_task
from engine.testing import PROCESSES
from tests.processes.fault_repair_steps import SH, completed, dispatched, link, repaired, tick
from tests.processes.task_history import data_after, visits

ADDRESSES = [f"南昌市红谷滩区丰和中大道{n}号" for n in range(1, 9)]


@pytest.fixture
def repair(flow):
    """The harness with processes/fault_repair.bpmn deployed."""
    flow.deploy("fault_repair")
    return flow


def outage(flow, linked_calls: int) -> tuple[int, list[dict]]:
    """One job at ADDRESSES[0] plus ``linked_calls`` later callers cycling through the eight addresses."""
    master = dispatched(flow, customer_address=ADDRESSES[0])
    callers = [{"number": flow.work_order(master).number, "address": ADDRESSES[0]}]
    for n in range(1, linked_calls + 1):
        address = ADDRESSES[n % len(ADDRESSES)]
        linked = link(flow, master, f"客户{n}", f"1380013{n:04d}", address)
        callers.append({"number": flow.work_order(linked).number, "address": address})
    return master, callers


def finished(flow, wo: int, *, at: datetime | None = None) -> None:
    repaired(flow, wo)
    completed(flow, wo, at=at)


def callee_of(flow, wo: int, human) -> dict:
    return flow.spiff_task(wo, human.spiff_task_id).data["callee"]


def test_callback_plan_takes_at_least_five_percent_of_callers_from_different_addresses_first(repair):
    master, callers = outage(repair, linked_calls=40)  # 41 callers → ceil(2.05) = 3
    finished(repair, master)
    assert data_after(repair, master, "prepare_callbacks")["callback_minimum"] == 3
    repair.complete(master, "plan_callbacks")
    plan = data_after(repair, master, "settle_plan")["callback_plan"]
    first_of_each_address = {}
    for caller in callers:
        first_of_each_address.setdefault(caller["address"], caller["number"])
    assert [c["number"] for c in plan] == list(first_of_each_address.values())[:3]
    assert len({c["address"] for c in plan}) == 3
    assert [(t.bpmn_id, t.group_name) for t in repair.ready(master)] == [("callback", "call_centre")] * 3


def test_shift_lead_picks_are_kept_unknown_numbers_refused_and_the_plan_topped_up_from_uncovered_addresses(repair):
    master, callers = outage(repair, linked_calls=40)
    same_street = [c["number"] for c in callers if c["address"] == ADDRESSES[0]][:2]
    finished(repair, master)
    with pytest.raises(ValidationFailed):
        repair.complete(master, "plan_callbacks", selected_numbers="not-a-number")
    repair.complete(master, "plan_callbacks", selected_numbers=f"{same_street[0]}，{same_street[1]} GZ20260930999999",
                    plan_note="两位客户曾多次来电")
    data = data_after(repair, master, "settle_plan")
    assert [c["number"] for c in data["callback_plan"]][:2] == same_street
    assert data["callback_plan"][2]["address"] == ADDRESSES[1]
    assert data["callback_rejected"] == ["GZ20260930999999"]
    assert data["callback_added"] == [data["callback_plan"][2]["number"]]


def test_a_single_caller_is_still_called_back(repair):
    wo = dispatched(repair)
    finished(repair, wo)
    repair.complete(wo, "plan_callbacks")
    [human] = repair.ready(wo)
    assert callee_of(repair, wo, human)["number"] == repair.work_order(wo).number


def test_callback_share_is_edited_in_the_diagram_not_in_python(repair, tmp_path):
    edited = (PROCESSES / "fault_repair.bpmn").read_text(encoding="utf-8").replace(
        'name="callback.min_percent" value="5"', 'name="callback.min_percent" value="50"')
    (tmp_path / "fault_repair.bpmn").write_text(edited, encoding="utf-8")
    repair.deploy(tmp_path / "fault_repair.bpmn")
    master, _callers = outage(repair, linked_calls=4)
    finished(repair, master)
    assert data_after(repair, master, "prepare_callbacks")["callback_minimum"] == 3  # ceil(5 × 50 %)
    repair.complete(master, "plan_callbacks")
    assert len(repair.ready(master)) == 3


def test_each_callback_records_reached_satisfaction_and_opinion_then_the_job_closes(repair):
    master, callers = outage(repair, linked_calls=2)
    finished(repair, master)
    repair.complete(master, "plan_callbacks", selected_numbers=" ".join(c["number"] for c in callers[:2]))
    first, second = repair.ready(master)
    answers = {callers[0]["number"]: {"reached": True, "satisfaction": "satisfied", "opinion": "抢修很及时"},
               callers[1]["number"]: {"reached": False, "attempts": 3, "unreachable_note": "三次无人接听"}}
    with pytest.raises(ValidationFailed) as caught:
        repair.complete(master, "callback", reached=True)
    assert set(caught.value.errors) == {"satisfaction", "opinion"}
    agent = repair.user_in("call_centre")
    for human in (second, first):
        tick(repair)
        complete_task(repair.db, human.id, answers[callee_of(repair, master, human)["number"]], actor=agent)
    order = repair.work_order(master)
    assert order.status == "closed" and order.breached_at is None
    data = repair.data(master)
    results = {c["number"]: c for c in data["callback_plan"]}
    assert (results[callers[0]["number"]]["satisfaction"], results[callers[0]["number"]]["opinion"]) == ("satisfied", "抢修很及时")
    assert (results[callers[1]["number"]]["reached"], results[callers[1]["number"]]["unreachable_note"]) == (False, "三次无人接听")
    assert (data["callbacks_reached"], data["callbacks_satisfied"]) == (1, 1)
    assert {"close_out", "end_closed"} <= set(repair.path(master))
    assert visits(repair, master)["callback"] == 2


def test_repair_finished_in_the_day_is_called_back_at_once(repair):
    wo = dispatched(repair)
    finished(repair, wo, at=datetime(2026, 9, 30, 21, 59, tzinfo=SH))
    assert data_after(repair, wo, "prepare_callbacks")["callback_at"] == ""
    repair.complete(wo, "plan_callbacks")
    assert [t.bpmn_id for t in repair.ready(wo)] == ["callback"]
    assert "wait_morning" not in visits(repair, wo)


def test_repair_finished_after_22_is_called_back_the_next_morning(repair):
    wo = dispatched(repair)
    finished(repair, wo, at=datetime(2026, 9, 30, 22, 30, tzinfo=SH))
    repair.complete(wo, "plan_callbacks")  # the night shift lead plans at once; the calls wait
    assert repair.ready(wo) == []
    [timer] = repair.timers(wo)
    assert (timer.bpmn_id, timer.due_at) == ("wait_morning", datetime(2026, 10, 1, 8, 0, tzinfo=SH))
    assert repair.advance(to=datetime(2026, 10, 1, 7, 59, tzinfo=SH)).fired == 0
    assert repair.ready(wo) == []
    assert repair.advance(to=datetime(2026, 10, 1, 8, 1, tzinfo=SH)).fired == 1
    assert [t.bpmn_id for t in repair.ready(wo)] == ["callback"]
    assert repair.work_order(wo).breached_at is None  # waiting for the morning is not a missed deadline


def test_repair_finished_after_midnight_waits_for_the_morning_too(repair):
    repair.clock.move_to(datetime(2026, 10, 1, 0, 10, tzinfo=SH))
    wo = dispatched(repair)
    finished(repair, wo, at=datetime(2026, 10, 1, 1, 30, tzinfo=SH))
    repair.complete(wo, "plan_callbacks")
    [timer] = repair.timers(wo)
    assert timer.due_at == datetime(2026, 10, 1, 8, 30, tzinfo=SH)  # the first whole hour past 08:00
    repair.advance(to=datetime(2026, 10, 1, 8, 31, tzinfo=SH))
    assert [t.bpmn_id for t in repair.ready(wo)] == ["callback"]


def test_quiet_hours_are_edited_in_the_diagram(repair, tmp_path):
    edited = (PROCESSES / "fault_repair.bpmn").read_text(encoding="utf-8").replace(
        'name="callback.quiet_from" value="22:00"', 'name="callback.quiet_from" value="21:00"').replace(
        'name="callback.quiet_until" value="08:00"', 'name="callback.quiet_until" value="09:00"')
    (tmp_path / "fault_repair.bpmn").write_text(edited, encoding="utf-8")
    repair.deploy(tmp_path / "fault_repair.bpmn")
    wo = dispatched(repair)
    finished(repair, wo, at=datetime(2026, 9, 30, 21, 15, tzinfo=SH))
    repair.complete(wo, "plan_callbacks")
    assert [t.due_at for t in repair.timers(wo)] == [datetime(2026, 10, 1, 9, 0, tzinfo=SH)]
    assert repair.advance(timedelta(hours=12)).fired == 1
