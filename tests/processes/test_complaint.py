"""Complaint 投诉 (rules §2; art. 15, 21.8, 28) stepped through processes/complaint.bpmn in fake time.

The clock starts 2026-09-30 16:00 Beijing time, the eve of National Day (10-01…10-07 off);
2026-10-10 is a make-up working Saturday.
"""
import pytest

from engine.deployment import latest_version
from engine.errors import ValidationFailed
from engine.testing import PROCESSES
from tests.processes.diagram_layout import layout_report
from tests.processes.inspect_flow import at, notices, task_data, texts

NAMED = {"customer_name": "张三", "customer_phone": "13800138000", "customer_address": "南昌市东湖区八一大道 1 号",
         "category": "billing_metering", "summary": "本月电费比上月高出三倍，怀疑抄表错误"}
FINAL = {"result_type": "final", "handler": "李工", "result": "系抄表员误抄，已更正并退还多收电费",
         "finding": "substantiated", "measures": "抄表数据双人复核"}
SATISFIED = {"reached": True, "satisfaction": "satisfied", "opinion": "处理及时，满意"}
UNSATISFIED = {"reached": True, "satisfaction": "unsatisfied", "opinion": "退费太慢，不满意"}
REPLY = {"reached": True, "reply_summary": "已告知客户核查结果与退费安排"}
EXPLAIN = {"delay_reason": "需供应商校验电能表", "progress": "电能表已送检，预计下周出结果"}


@pytest.fixture
def complaint(flow):
    """The harness with processes/complaint.bpmn deployed."""
    flow.deploy("complaint")
    return flow


def answered(flow, wo: int) -> None:
    """The call centre replies and the customer, called back, is satisfied."""
    flow.complete(wo, "reply", **REPLY)
    flow.complete(wo, "callback", **SATISFIED)


def test_the_diagram_deploys_with_lanes_readable_layout_and_editable_deadlines(complaint, db):
    with db.reading() as session:
        version = latest_version(session, "complaint")
        assert version.settings == {
            "deadline.department_result": "2 working days", "deadline.interim_extension": "4 working days",
            "deadline.customer_reply": "1 working day", "deadline.callback": "1 working day",
        }
        lanes = version.lane_map
    assert {lanes[t] for t in ("handle", "handle_final", "rehandle", "explain1", "explain2", "explain3")} == {"business"}
    assert {lanes[t] for t in ("intake", "reply", "callback", "reply_callback")} == {"call_centre"}
    assert lanes["review"] == "shift_lead"
    assert layout_report(PROCESSES / "complaint.bpmn") == []


def test_department_result_opened_on_national_day_eve_is_due_2026_10_09_16_00(complaint):
    wo = complaint.open("complaint", **NAMED)
    task = complaint.task(wo, "handle")
    assert task.group_name == "business"
    assert task.due_at == at(10, 9, 16)
    assert task.deadline["rule"] == "2 working days"
    assert task.deadline["skipped_days"] == [f"2026-10-0{d}" for d in range(1, 8)]
    assert complaint.work_order(wo).due_at == at(10, 9, 16)


def test_the_process_property_drives_the_department_deadline_three_days_land_on_the_make_up_saturday(complaint, tmp_path):
    xml = (PROCESSES / "complaint.bpmn").read_text(encoding="utf-8")
    edited = xml.replace('name="deadline.department_result" value="2 working days"',
                         'name="deadline.department_result" value="3 working days"')
    assert edited != xml
    (tmp_path / "complaint.bpmn").write_text(edited, encoding="utf-8")
    complaint.deploy(tmp_path / "complaint.bpmn")
    wo = complaint.open("complaint", **NAMED)
    assert complaint.task(wo, "handle").due_at == at(10, 10, 16)


@pytest.mark.parametrize(("category", "unit"), [
    ("billing_metering", "抄表收费"), ("tariff", "电价管理"), ("supply_quality", "运维检修（供电质量）"),
    ("outage", "运维检修（停电）"), ("staff_attitude", "营销服务"), ("other", "综合管理"),
])
def test_every_category_is_owned_by_the_business_lane_and_records_its_sub_unit(complaint, category, unit):
    wo = complaint.open("complaint", **{**NAMED, "category": category})
    assert complaint.ready_names(wo) == [("handle", "business")]
    assert task_data(complaint, wo, "route")["department_unit"] == unit


def test_a_named_complaint_needs_name_and_phone(complaint):
    with pytest.raises(ValidationFailed) as caught:
        complaint.open("complaint", category="tariff", summary="电价不对")
    assert set(caught.value.errors) == {"customer_name", "customer_phone", "no_contact_reason"}


def test_an_anonymous_complaint_without_a_phone_must_say_why_no_callback_is_possible(complaint):
    with pytest.raises(ValidationFailed) as caught:
        complaint.open("complaint", anonymous=True, category="tariff", summary="电价不对")
    assert set(caught.value.errors) == {"no_contact_reason"}


def test_final_result_in_time_is_replied_and_called_back_and_closes_without_breach(complaint):
    wo = complaint.open("complaint", **NAMED)
    number = complaint.work_order(wo).number
    assert texts(complaint, wo) == [("13800138000", f"您的投诉已受理（工单号 {number}），我们将在处理后答复您。【95598】")]
    assert complaint.advance(to=at(10, 9, 15, 59, 59)).fired == 0
    complaint.complete(wo, "handle", **FINAL)
    reply = complaint.task(wo, "reply")
    assert (reply.group_name, reply.due_at) == ("call_centre", at(10, 10, 15, 59, 59))
    complaint.complete(wo, "reply", **REPLY)
    assert complaint.task(wo, "callback").due_at == at(10, 10, 15, 59, 59)
    complaint.complete(wo, "callback", **SATISFIED)
    order = complaint.work_order(wo)
    assert (order.status, order.breached_at) == ("closed", None)
    assert complaint.path(wo) == ["intake", "route", "handle", "result_kind", "result_in", "record_result", "contact",
                                  "reply", "callback", "satisfied", "end_closed"]
    data = task_data(complaint, wo, "callback")
    assert (data["finding"], data["satisfaction"], data["opinion"]) == ("substantiated", "satisfied", "处理及时，满意")
    assert "deadline.breached" not in complaint.events(wo)


def test_missed_department_deadline_is_a_breach_that_is_chased_and_must_be_explained(complaint):
    wo = complaint.open("complaint", **NAMED)
    assert complaint.advance(to=at(10, 9, 16, 0, 1)).fired == 1
    handle = complaint.task(wo, "handle")
    assert handle.breached_at == at(10, 9, 16) == complaint.work_order(wo).breached_at
    assert complaint.ready_names(wo) == [("handle", "business"), ("explain1", "business")]
    chased = notices(complaint, wo, "business")
    assert any(body.startswith("【95598催办】投诉工单") for body in chased)
    assert any("已超期" in body for body in chased) and notices(complaint, wo, "shift_lead")
    complaint.complete(wo, "handle", **FINAL)
    answered(complaint, wo)
    assert complaint.work_order(wo).status == "open"  # the explanation is still owed
    complaint.complete(wo, "explain1", **EXPLAIN)
    assert complaint.work_order(wo).status == "closed"
    assert notices(complaint, wo, "call_centre")[-1].endswith("超期说明：需供应商校验电能表；进展：电能表已送检，预计下周出结果")
    assert task_data(complaint, wo, "explain1")["delay_reason"] == "需供应商校验电能表"
    assert complaint.path(wo)[-4:] == ["chase1", "explain1", "relay1", "end_explained1"]


def test_interim_reply_before_the_deadline_extends_handling_by_the_configured_extension(complaint):
    wo = complaint.open("complaint", **NAMED)
    complaint.advance(to=at(10, 9, 10))
    complaint.complete(wo, "handle", **{**FINAL, "result_type": "interim", "result": "电能表已送检，结果出来后答复"})
    final = complaint.task(wo, "handle_final")
    assert (final.group_name, final.due_at, final.deadline["rule"]) == ("business", at(10, 14, 10), "4 working days")
    assert notices(complaint, wo, "call_centre") == [
        f"投诉工单 {complaint.work_order(wo).number} 阶段性答复：电能表已送检，结果出来后答复"]
    assert "正在处理中" in texts(complaint, wo)[-1][1]
    assert complaint.advance(to=at(10, 14, 9, 59)).fired == 0  # the first deadline no longer applies
    complaint.complete(wo, "handle_final", **{k: v for k, v in FINAL.items() if k != "result_type"})
    answered(complaint, wo)
    assert complaint.work_order(wo).status == "closed" and complaint.work_order(wo).breached_at is None
    assert task_data(complaint, wo, "callback")["interim_reply"] == "电能表已送检，结果出来后答复"
    assert complaint.path(wo)[:7] == ["intake", "route", "handle", "result_kind", "interim", "handle_final", "result_in"]


def test_missed_extension_after_an_interim_reply_is_a_breach_that_must_be_explained(complaint):
    wo = complaint.open("complaint", **NAMED)
    complaint.complete(wo, "handle", **{**FINAL, "result_type": "interim"})
    due = complaint.task(wo, "handle_final").due_at
    assert due == at(10, 12, 16)  # 8 h on 09-30, then 10-08, 10-09, the make-up 10-10; Sunday 10-11 skipped
    complaint.advance(to=at(10, 12, 16, 0, 1))
    assert complaint.task(wo, "handle_final").breached_at == due == complaint.work_order(wo).breached_at
    assert [n for n, _ in complaint.ready_names(wo)] == ["handle_final", "explain2"]
    complaint.complete(wo, "explain2", **EXPLAIN)
    complaint.complete(wo, "handle_final", **{k: v for k, v in FINAL.items() if k != "result_type"})
    answered(complaint, wo)
    assert complaint.work_order(wo).status == "closed"
    assert "explain2" in complaint.path(wo) and "explain1" not in complaint.path(wo)


def test_anonymous_complaint_without_a_phone_closes_after_the_result_recording_why_no_callback(complaint):
    wo = complaint.open("complaint", anonymous=True, category="staff_attitude", summary="营业厅工作人员态度恶劣",
                        no_contact_reason="客户匿名且未留联系方式")
    order = complaint.work_order(wo)
    assert (order.customer_name, order.customer_phone) == ("", "")
    complaint.complete(wo, "handle", **FINAL)
    assert complaint.work_order(wo).status == "closed"
    assert complaint.path(wo)[-3:] == ["contact", "no_contact", "end_no_contact"]
    data = task_data(complaint, wo, "no_contact")
    assert (data["callback_outcome"], data["no_contact_reason"]) == ("no_contact", "客户匿名且未留联系方式")
    assert texts(complaint, wo) == []


def test_anonymous_complaint_that_leaves_a_phone_is_still_replied_to_and_called_back(complaint):
    wo = complaint.open("complaint", anonymous=True, customer_phone="0791-86000000", category="outage",
                        summary="频繁停电")
    complaint.complete(wo, "handle", **FINAL)
    assert complaint.ready_names(wo) == [("reply", "call_centre")]
    answered(complaint, wo)
    assert complaint.work_order(wo).status == "closed"


def test_callback_is_due_one_working_day_after_the_result_counting_the_make_up_saturday(complaint):
    wo = complaint.open("complaint", **NAMED)
    complaint.advance(to=at(10, 9, 15))
    complaint.complete(wo, "handle", **FINAL)
    complaint.advance(to=at(10, 10, 14))
    complaint.complete(wo, "reply", **REPLY)
    assert complaint.task(wo, "callback").due_at == at(10, 10, 15)
    assert complaint.advance(to=at(10, 10, 15, 0, 1)).fired == 1
    callback = complaint.task(wo, "callback")
    assert callback.breached_at == at(10, 10, 15) == complaint.work_order(wo).breached_at
    assert any("「回访」已超期" in body for body in notices(complaint, wo, "call_centre"))
    complaint.complete(wo, "callback", **SATISFIED)
    assert complaint.work_order(wo).status == "closed"
    assert "end_callback_late" in complaint.path(wo)


def test_a_late_reply_is_a_breach_and_the_callback_starting_after_it_is_born_overdue(complaint):
    wo = complaint.open("complaint", **NAMED)
    complaint.advance(to=at(10, 9, 15))
    complaint.complete(wo, "handle", **FINAL)
    assert complaint.advance(to=at(10, 12, 9)).fired == 1
    assert complaint.task(wo, "reply").breached_at == at(10, 10, 15)
    complaint.complete(wo, "reply", **REPLY)
    callback = complaint.task(wo, "callback")
    assert callback.due_at == callback.breached_at == at(10, 10, 15)
    assert complaint.events(wo).count("deadline.breached") == 2
    complaint.complete(wo, "callback", **SATISFIED)
    assert {"end_reply_late", "end_callback_late"} <= set(complaint.path(wo))
    assert complaint.work_order(wo).status == "closed"


def test_an_unreachable_customer_is_recorded_and_the_complaint_closes(complaint):
    wo = complaint.open("complaint", **NAMED)
    complaint.complete(wo, "handle", **FINAL)
    complaint.complete(wo, "reply", reached=False, reply_summary="三次呼叫无人接听")
    complaint.complete(wo, "callback", reached=False, attempts=3, unreachable_note="三次呼叫无人接听")
    assert complaint.work_order(wo).status == "closed"
    assert complaint.path(wo)[-2:] == ["satisfied", "end_unreachable"]
    assert task_data(complaint, wo, "callback")["attempts"] == 3


def test_a_reached_customer_must_give_satisfaction_and_opinion(complaint):
    wo = complaint.open("complaint", **NAMED)
    complaint.complete(wo, "handle", **FINAL)
    complaint.complete(wo, "reply", **REPLY)
    with pytest.raises(ValidationFailed) as caught:
        complaint.complete(wo, "callback", reached=True)
    assert set(caught.value.errors) == {"satisfaction", "opinion"}


def test_an_unsatisfied_customer_goes_to_the_shift_lead_who_may_close_with_an_explanation(complaint):
    wo = complaint.open("complaint", **NAMED)
    complaint.complete(wo, "handle", **FINAL)
    complaint.complete(wo, "reply", **REPLY)
    complaint.complete(wo, "callback", **UNSATISFIED)
    assert complaint.ready_names(wo) == [("review", "shift_lead")]
    complaint.complete(wo, "review", decision="close", explanation="退费已按规定办理，已向客户解释")
    assert complaint.work_order(wo).status == "closed"
    assert complaint.path(wo)[-4:] == ["satisfied", "review", "decision", "end_explained"]
