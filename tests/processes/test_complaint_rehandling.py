"""Complaint: an unsatisfied customer's complaint returned once to the department (loop-safe second round)."""
import pytest

from engine.errors import ValidationFailed
from tests.processes.inspect_flow import at, notices, task_data
from tests.processes.test_complaint import FINAL, NAMED, REPLY, SATISFIED, UNSATISFIED

SECOND = {"handler": "王工", "result": "复核后补发退费通知并上门致歉", "finding": "substantiated", "measures": "营业厅整改"}


@pytest.fixture
def returned(flow):
    """A complaint whose customer was unsatisfied and that the shift lead returned on 10-09 10:00."""
    flow.deploy("complaint")
    wo = flow.open("complaint", **NAMED)
    flow.advance(to=at(10, 8, 9))
    flow.complete(wo, "handle", **FINAL)
    flow.complete(wo, "reply", **REPLY)
    flow.complete(wo, "callback", **UNSATISFIED)
    flow.advance(to=at(10, 9, 10))
    flow.complete(wo, "review", decision="rehandle", explanation="退费进度未告知客户，退回补充处理")
    return flow, wo


def test_returned_complaint_is_handled_again_within_the_department_deadline_counted_from_the_decision(returned):
    flow, wo = returned
    rehandle = flow.task(wo, "rehandle")
    assert (rehandle.group_name, rehandle.due_at, rehandle.deadline["rule"]) == ("business", at(10, 12, 10), "2 working days")
    assert notices(flow, wo, "business")[-1].endswith("值班长退回重新处理：退费进度未告知客户，退回补充处理")


def test_second_round_keeps_the_first_result_and_callback_on_record_and_closes_when_satisfied(returned):
    flow, wo = returned
    flow.advance(to=at(10, 10, 9))
    flow.complete(wo, "rehandle", **SECOND)
    combined = flow.task(wo, "reply_callback")
    assert (combined.group_name, combined.due_at) == ("call_centre", at(10, 12, 9))
    flow.complete(wo, "reply_callback", reply_summary="已告知补发退费", **SATISFIED)
    assert flow.work_order(wo).status == "closed" and flow.work_order(wo).breached_at is None
    data = task_data(flow, wo, "record_outcome")
    assert data["first_result"] == FINAL["result"]
    assert data["first_callback"] == {"satisfaction": "unsatisfied", "opinion": "退费太慢，不满意"}
    assert (data["result"], data["satisfaction"]) == (SECOND["result"], "satisfied")
    assert flow.path(wo)[-8:] == ["review", "decision", "start_rehandle", "rehandle", "record_rehandle",
                                  "reply_callback", "record_outcome", "end_final"]
    assert "重新处理后仍不满意" not in " ".join(notices(flow, wo, "shift_lead"))


def test_still_unsatisfied_after_the_second_round_is_recorded_verbatim_and_reported_to_the_shift_lead(returned):
    flow, wo = returned
    flow.complete(wo, "rehandle", **SECOND)
    flow.complete(wo, "reply_callback", reply_summary="已告知", reached=True, satisfaction="unsatisfied",
                  opinion="要求赔偿误工费")
    assert flow.work_order(wo).status == "closed"
    assert any("重新处理后仍不满意" in body for body in notices(flow, wo, "shift_lead"))
    assert task_data(flow, wo, "record_outcome")["opinion"] == "要求赔偿误工费"
    assert flow.ready(wo) == []  # a second dissatisfaction does not loop back


def test_missed_rehandling_deadline_is_a_breach_that_is_chased_and_must_be_explained(returned):
    flow, wo = returned
    assert flow.advance(to=at(10, 12, 10, 0, 1)).fired == 1
    assert flow.task(wo, "rehandle").breached_at == at(10, 12, 10) == flow.work_order(wo).breached_at
    assert [n for n, _ in flow.ready_names(wo)] == ["rehandle", "explain3"]
    assert any(body.startswith("【95598催办】") for body in notices(flow, wo, "business"))
    flow.complete(wo, "explain3", delay_reason="需调取营业厅录像", progress="录像已调取")
    flow.complete(wo, "rehandle", **SECOND)
    flow.complete(wo, "reply_callback", reply_summary="已告知", **SATISFIED)
    assert flow.work_order(wo).status == "closed"
    assert {"chase3", "explain3", "relay3", "end_explained3"} <= set(flow.path(wo))


def test_missed_reply_after_the_second_round_is_a_breach(returned):
    flow, wo = returned
    flow.complete(wo, "rehandle", **SECOND)
    due = flow.task(wo, "reply_callback").due_at
    assert due == at(10, 10, 10)
    assert flow.advance(to=at(10, 12, 8)).fired == 1
    assert flow.task(wo, "reply_callback").breached_at == due
    flow.complete(wo, "reply_callback", reply_summary="已告知", **SATISFIED)
    assert "end_reply_callback_late" in flow.path(wo)


def test_a_reached_customer_in_the_second_round_must_have_been_told_the_new_result(returned):
    flow, wo = returned
    flow.complete(wo, "rehandle", **SECOND)
    with pytest.raises(ValidationFailed) as caught:
        flow.complete(wo, "reply_callback", **SATISFIED)
    assert set(caught.value.errors) == {"reply_summary"}
