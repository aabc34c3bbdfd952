"""Fault repair 故障报修 (rules §1; art. 12, 25): intake, linking, ownership, dispatch, deadlines, progress.

Callbacks (art. 21.7, 21.11) are in ``test_fault_repair_callbacks.py``.
"""
from datetime import datetime, timedelta

import pytest
from lxml import etree

from engine.audit import events_for
from engine.deployment import NS
from engine.errors import ValidationFailed
from engine.models import WorkOrder
from engine.script_functions import callers_of
from engine.testing import PROCESSES
from tests.processes.diagram_layout import layout_report
from tests.processes.fault_repair_steps import AREA_DEADLINES, CREW, SH, call, dispatched, link, on_site, reported, tick
from tests.processes.inspect_flow import notices, texts
from tests.processes.task_history import data_after, tree_depth, visits, workflow_of

BPMN = PROCESSES / "fault_repair.bpmn"


@pytest.fixture
def repair(flow):
    """The harness with processes/fault_repair.bpmn deployed."""
    flow.deploy("fault_repair")
    return flow


def test_diagram_deploys_valid_against_the_xsd_with_di_for_every_element_and_reads_cleanly(flow):
    assert flow.deploy(BPMN) > 0  # deploy = XSD + lanes + forms + DI for every node and flow + sandbox
    root = etree.parse(str(BPMN)).getroot()
    shapes = {s.get("bpmnElement") for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    assert {"pool_fault_repair", "call_centre", "shift_lead", "repair_dispatch", "repair_crew",
            "report_arrival", "arrival_deadline", "progress_update", "callback"} <= shapes
    progress = root.find(".//bpmn:subProcess[@id='repair_progress']", NS)
    assert progress.find("bpmn:incoming", NS) is not None  # what the modeller writes; deployment accepts it
    assert progress.find("bpmn:standardLoopCharacteristics", NS) is not None
    assert layout_report(BPMN) == []


def test_intake_records_name_address_phone_symptom_and_area_class(repair):
    wo = call(repair, area_class="suburban")
    order = repair.work_order(wo)
    assert order.number.startswith("GZ20260930")
    assert (order.customer_name, order.customer_phone, order.customer_address, order.area_class, order.summary) == (
        "李四", "13800138001", "南昌市红谷滩区丰和中大道1号", "suburban", "整栋楼停电，闻到焦味")
    assert repair.ready_names(wo) == [("judge_ownership", "call_centre")]


def test_intake_refuses_a_bad_phone_a_missing_symptom_and_an_unknown_area_class(repair, db):
    with pytest.raises(ValidationFailed) as caught:
        call(repair, customer_phone="12345", summary="", area_class="downtown")
    assert set(caught.value.errors) == {"customer_phone", "summary", "area_class"}
    with db.reading() as session:
        assert session.query(WorkOrder).count() == 0


def test_a_call_linked_to_an_open_job_is_told_by_sms_closes_and_joins_the_jobs_callers(repair, db):
    master = call(repair)
    linked = link(repair, master, "王五", "13800138002", "南昌市红谷滩区丰和中大道3号")
    assert repair.work_order(linked).status == "closed"
    assert repair.work_order(linked).parent_id == master
    number = repair.work_order(master).number
    [(phone, body)] = texts(repair, linked)
    assert phone == "13800138002" and number in body and "正在处理" in body
    assert repair.path(linked) == ["intake", "gw_linked", "confirm_link", "end_linked"]
    with db.reading() as session:
        callers = callers_of(session, session.get(WorkOrder, master))
    assert [c["phone"] for c in callers] == ["13800138001", "13800138002"]
    assert repair.ready_names(master) == [("judge_ownership", "call_centre")]  # the job itself goes on


def test_link_to_must_name_an_open_fault_repair_job(repair):
    closed = call(repair)
    repair.complete(closed, "judge_ownership", ownership="customer_internal", explanation="户内故障")
    with pytest.raises(ValidationFailed) as caught:
        call(repair, link_to=repair.work_order(closed).number)
    assert "link_to" in caught.value.errors
    with pytest.raises(ValidationFailed) as caught:
        call(repair, link_to="TS20260930000001")
    assert "link_to" in caught.value.errors


def test_customer_owned_fault_is_explained_with_a_community_electrician_and_closed_without_dispatch(repair):
    wo = call(repair)
    repair.complete(wo, "judge_ownership", ownership="customer_internal",
                    explanation="属客户产权内部故障，不属供电服务范围，建议联系社区电工")
    assert repair.work_order(wo).status == "closed"
    assert repair.path(wo) == ["intake", "gw_linked", "judge_ownership", "gw_ownership", "end_internal"]
    assert "社区电工" in repair.data(wo)["explanation"]
    assert repair.outbox(wo) == []


def test_paid_repair_is_dispatched_only_after_the_fee_is_stated_and_accepted(repair):
    wo = call(repair)
    with pytest.raises(ValidationFailed) as caught:
        repair.complete(wo, "judge_ownership", ownership="customer_internal", explanation="户内故障", paid_repair=True)
    assert set(caught.value.errors) == {"paid_fee", "fee_consent"}
    with pytest.raises(ValidationFailed) as caught:
        repair.complete(wo, "judge_ownership", ownership="utility_fault", explanation="x", paid_repair=True,
                        paid_fee="80", fee_consent=True)
    assert set(caught.value.errors) == {"paid_repair"}
    repair.complete(wo, "judge_ownership", ownership="customer_internal", explanation="户内故障，已告知有偿服务收费80元",
                    paid_repair=True, paid_fee="80", fee_consent=True)
    assert repair.ready_names(wo) == [("dispatch", "repair_dispatch")]
    repair.complete(wo, "dispatch", **CREW)
    data = repair.data(wo)
    assert (data["paid_fee"], data["fee_consent"]) == ("80.00", True)
    [(_phone, body)] = texts(repair, wo)
    assert "有偿服务" in body and "80.00元" in body


def test_known_outage_is_explained_with_an_apology_and_closed(repair):
    wo = call(repair)
    with pytest.raises(ValidationFailed) as caught:
        repair.complete(wo, "judge_ownership", ownership="known_outage", explanation="计划检修停电")
    assert set(caught.value.errors) == {"outage_kind"}
    repair.complete(wo, "judge_ownership", ownership="known_outage", outage_kind="planned",
                    explanation="该区域今日计划检修停电，预计18:00恢复，深表歉意")
    assert repair.path(wo)[-2:] == ["gw_ownership", "end_outage"]
    assert repair.work_order(wo).status == "closed"
    assert repair.data(wo)["outage_kind"] == "planned"


def test_known_outage_with_a_new_fault_is_dispatched(repair):
    wo = call(repair)
    repair.complete(wo, "judge_ownership", ownership="known_outage", outage_kind="accidental", new_fault=True,
                    explanation="区域故障停电中，客户反映另有电杆倒伏")
    assert repair.ready_names(wo) == [("dispatch", "repair_dispatch")]


def test_dispatch_returns_crew_leader_phone_departure_and_sms_apologises_to_every_caller(repair):
    wo = call(repair)
    link(repair, wo, "王五", "13800138002", "南昌市红谷滩区丰和中大道3号")
    repair.complete(wo, "judge_ownership", ownership="utility_fault", explanation="线路故障，已致歉")
    tick(repair, 4)
    repair.complete(wo, "dispatch", **CREW)
    data = repair.data(wo)
    assert (data["crew_leader"], data["crew_phone"]) == ("赵师傅", "13900000001")
    assert datetime.fromisoformat(data["departure_time"]) == datetime(2026, 9, 30, 16, 10, tzinfo=SH)
    assert datetime.fromisoformat(data["dispatched_at"]) == datetime(2026, 9, 30, 16, 4, tzinfo=SH)
    sent = texts(repair, wo)
    assert [phone for phone, _ in sent] == ["13800138001", "13800138002"]
    assert all("深表歉意" in body and "赵师傅" in body and "13900000001" in body for _, body in sent)
    assert repair.ready_names(wo) == [("report_arrival", "repair_crew")]


@pytest.mark.parametrize("area, minutes", AREA_DEADLINES)
def test_crew_arriving_within_the_area_deadline_from_dispatch_is_not_breached(repair, area, minutes):
    wo = dispatched(repair, area_class=area)
    dispatched_at = datetime.fromisoformat(repair.data(wo)["dispatched_at"])
    task = repair.task(wo, "report_arrival")
    assert task.due_at == dispatched_at + timedelta(minutes=minutes)
    repair.advance(to=task.due_at - timedelta(minutes=1))
    assert repair.task(wo, "report_arrival").breached_at is None
    repair.complete(wo, "report_arrival")
    assert [t.bpmn_id for t in repair.timers(wo)] == ["report_deadline"]
    assert repair.work_order(wo).breached_at is None
    assert "deadline.breached" not in repair.events(wo)


@pytest.mark.parametrize("area, minutes", AREA_DEADLINES)
def test_missed_arrival_deadline_marks_task_and_order_breached_and_chases_the_crew(repair, area, minutes):
    wo = dispatched(repair, area_class=area)
    due = repair.task(wo, "report_arrival").due_at
    assert repair.advance(to=due + timedelta(minutes=1)).fired == 1
    task = repair.task(wo, "report_arrival")  # non-interrupting: the crew still reports arrival
    assert task.breached_at == due and repair.work_order(wo).breached_at == due
    assert any("已超期" in body for body in notices(repair, wo, "shift_lead"))
    assert any("已超期" in body for body in notices(repair, wo, "repair_crew"))
    assert any("到达时限" in body for body in notices(repair, wo, "repair_dispatch"))
    assert {"arrival_deadline", "chase_crew", "end_arrival_late"} <= set(repair.path(wo))
    repair.complete(wo, "report_arrival")
    assert repair.ready_names(wo) == [("crew_report", "repair_crew")]


def test_arrival_minutes_count_round_the_clock_over_midnight_and_holidays(repair):
    repair.clock.move_to(datetime(2026, 9, 30, 23, 40, tzinfo=SH))
    wo = dispatched(repair, area_class="suburban")
    assert repair.task(wo, "report_arrival").due_at == datetime(2026, 10, 1, 1, 12, tzinfo=SH)


def test_special_remote_arrival_deadline_is_edited_in_the_diagram_not_in_python(repair, tmp_path):
    edited = BPMN.read_text(encoding="utf-8").replace(
        'name="deadline.arrival.special_remote" value="3 hours"', 'name="deadline.arrival.special_remote" value="4 hours"')
    (tmp_path / "fault_repair.bpmn").write_text(edited, encoding="utf-8")
    repair.deploy(tmp_path / "fault_repair.bpmn")
    wo = dispatched(repair, area_class="special_remote")
    dispatched_at = datetime.fromisoformat(repair.data(wo)["dispatched_at"])
    assert repair.task(wo, "report_arrival").due_at == dispatched_at + timedelta(hours=4)


def test_crew_report_within_30_minutes_of_arrival_is_not_breached(repair):
    wo = dispatched(repair)
    on_site(repair, wo)
    arrived_at = datetime.fromisoformat(repair.data(wo)["arrived_at"])
    task = repair.task(wo, "crew_report")
    assert task.due_at == arrived_at + timedelta(minutes=30)
    repair.advance(to=task.due_at - timedelta(minutes=1))
    repair.complete(wo, "crew_report", fault_cause="熔断器熔断", crew_location="配电房", estimated_minutes=45)
    assert repair.timers(wo) == [] and repair.work_order(wo).breached_at is None
    data = data_after(repair, wo, "relay_report")
    assert (data["fault_cause"], data["crew_location"], data["estimated_minutes"]) == ("熔断器熔断", "配电房", 45)
    assert any("熔断器熔断" in body for body in notices(repair, wo, "call_centre"))
    assert repair.ready_names(wo) == [("progress_update", "repair_crew")]


def test_missed_30_minute_crew_report_marks_task_and_order_breached(repair):
    wo = dispatched(repair)
    on_site(repair, wo)
    due = repair.task(wo, "crew_report").due_at
    assert repair.advance(to=due + timedelta(minutes=1)).fired == 1
    assert repair.task(wo, "crew_report").breached_at == due
    assert repair.work_order(wo).breached_at == due
    assert {"report_deadline", "end_report_late"} <= set(repair.path(wo))
    assert any("已超期" in body for body in notices(repair, wo, "shift_lead"))


def test_crew_report_form_needs_cause_location_and_a_whole_number_of_minutes(repair):
    wo = dispatched(repair)
    on_site(repair, wo)
    with pytest.raises(ValidationFailed) as caught:
        repair.complete(wo, "crew_report", fault_cause="", estimated_minutes=0)
    assert set(caught.value.errors) == {"fault_cause", "crew_location", "estimated_minutes"}


def test_status_updates_repeat_as_loop_iterations_without_deepening_the_task_tree(repair):
    wo = dispatched(repair)
    reported(repair, wo)
    depths, sizes = [], []
    for n in range(1, 26):
        tick(repair, 10)
        repair.complete(wo, "progress_update", status=f"第{n}次进展：抢修中", estimated_minutes_left=300 - n)
        workflow = workflow_of(repair, wo)
        depths.append(tree_depth(workflow))
        sizes.append(len(workflow.get_tasks()))
    assert len(set(depths)) == 1  # a back-edge loop would add a level per pass
    assert len({b - a for a, b in zip(sizes, sizes[1:])}) == 1  # each update adds the same fixed number of tasks
    latest = data_after(repair, wo, "record_progress")
    assert (latest["progress_count"], latest["last_progress"]["status"]) == (25, "第25次进展：抢修中")
    with repair.db.reading() as session:  # every update stays on record in the audit log, not in the data
        statuses = [e.payload["data"]["status"] for e in events_for(session, wo)
                    if e.kind == "task.completed" and e.payload["task"] == "progress_update"]
    assert statuses == [f"第{n}次进展：抢修中" for n in range(1, 26)]
    assert sum("抢修进展" in body for body in notices(repair, wo, "call_centre")) == 25
    assert visits(repair, wo)["progress_update"] == 25
    tick(repair)
    repair.complete(wo, "progress_update", status="故障已排除", repaired=True)
    assert repair.ready_names(wo) == [("completion_report", "repair_dispatch")]


def test_completion_report_records_main_fault_result_and_power_restored_time(repair):
    wo = dispatched(repair)
    reported(repair, wo)
    repair.complete(wo, "progress_update", status="已恢复", repaired=True)
    with pytest.raises(ValidationFailed) as caught:
        repair.complete(wo, "completion_report", main_fault="x", repair_result="y", power_restored_at="2026-10-02T08:00:00")
    assert set(caught.value.errors) == {"power_restored_at"}  # cannot be in the future
    repair.complete(wo, "completion_report", main_fault="低压熔断器熔断", repair_result="更换熔断器",
                    power_restored_at="2026-09-30T16:30:00")
    data = data_after(repair, wo, "completion_report")
    assert (data["main_fault"], data["repair_result"]) == ("低压熔断器熔断", "更换熔断器")
    assert datetime.fromisoformat(data["power_restored_at"]) == datetime(2026, 9, 30, 16, 30, tzinfo=SH)
    assert repair.ready_names(wo) == [("plan_callbacks", "shift_lead")]
