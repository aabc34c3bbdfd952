"""Arrears reminder 欠费催交 (rules §5; art. 18.3, 18.4, 17.4): SMS or calls within 1 working day,
every attempt recorded, three failed calls back to billing, payment closes it at any point."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from engine.arrears import read_arrears_csv, submit_arrears_batch
from engine.deployment import NS
from engine.errors import InvalidState, ValidationFailed
from engine.testing import PROCESSES
from tests.processes.diagram_layout import layout_report
from tests.processes.inspect_flow import notices, texts
from tests.processes.task_history import data_after, tree_depth, visits, workflow_of

SH = ZoneInfo("Asia/Shanghai")
BPMN = PROCESSES / "arrears_reminder.bpmn"
HEADER = "customer_name,customer_phone,address,account_no,customer_kind,billing_months,amount,due_date,pay_at"
HOUSEHOLD = "张三,13800138000,南昌市红谷滩区丰和中大道1号,1000000001,residential,2026-08;2026-09,120.50;98.00,2026-09-15;2026-10-15,红谷滩营业厅"
NO_ANSWER = {"channel": "outbound_call", "call_outcome": "no_answer", "note": "响铃无人接"}


@pytest.fixture
def arrears(flow):
    """The harness with processes/arrears_reminder.bpmn deployed."""
    flow.deploy("arrears_reminder")
    return flow


def remind(flow) -> int:
    """Submit a one-customer batch as the billing centre; return the reminder's id."""
    rows = read_arrears_csv(f"{HEADER}\n{HOUSEHOLD}\n")
    [order] = submit_arrears_batch(flow.db, rows, actor=flow.user_in("billing"))
    return order.id


def attempt(flow, wo: int, step: str = "retry_attempt", **form) -> None:
    flow.advance(timedelta(minutes=30))
    flow.complete(wo, step, **form)


def test_diagram_deploys_valid_against_the_xsd_with_di_for_every_element_and_reads_cleanly(flow):
    assert flow.deploy(BPMN) > 0
    root = etree.parse(str(BPMN)).getroot()
    shapes = {s.get("bpmnElement") for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    assert {"pool_arrears_reminder", "billing", "call_centre", "reminder_attempts", "first_attempt",
            "reminder_deadline", "paid_first", "paid_retry", "paid_billing", "billing_followup"} <= shapes
    loop = root.find(".//bpmn:subProcess[@id='reminder_attempts']/bpmn:standardLoopCharacteristics", NS)
    assert loop is not None
    assert root.find(".//bpmn:message[@name='payment_confirmed']", NS) is not None
    assert layout_report(BPMN) == []


@pytest.mark.parametrize("opened_at, due_at", [
    (datetime(2026, 9, 30, 16, 0), datetime(2026, 10, 8, 16, 0)),   # eve of National Day: the holiday week is skipped
    (datetime(2026, 10, 9, 16, 0), datetime(2026, 10, 10, 16, 0)),  # Friday → the make-up working Saturday
    (datetime(2026, 10, 10, 16, 0), datetime(2026, 10, 12, 16, 0)),  # make-up Saturday → Monday, Sunday skipped
    (datetime(2026, 10, 3, 11, 0), datetime(2026, 10, 9, 0, 0)),    # opened on a holiday: counting starts 10-08 00:00
])
def test_the_reminder_is_due_one_working_day_after_the_batch_on_chinas_calendar(arrears, opened_at, due_at):
    arrears.clock.move_to(opened_at.replace(tzinfo=SH))
    wo = remind(arrears)
    task = arrears.task(wo, "first_attempt")
    assert task.due_at == due_at.replace(tzinfo=SH)
    assert task.deadline["rule"] == "1 working day"


def test_an_sms_sent_before_the_deadline_closes_the_reminder_without_breach(arrears):
    wo = remind(arrears)
    assert arrears.advance(to=datetime(2026, 10, 8, 15, 59, tzinfo=SH)).fired == 0
    arrears.complete(wo, "first_attempt", channel="sms")
    order = arrears.work_order(wo)
    assert order.status == "closed" and order.breached_at is None
    [(phone, body)] = texts(arrears, wo)
    assert phone == "13800138000"
    for fact in ("户号1000000001", "2026-08、2026-09", "218.50元", "违约金1.81元", "220.31元", "红谷滩营业厅"):
        assert fact in body
    [record] = data_after(arrears, wo, "record_attempt")["attempts"]
    assert (record["attempt"], record["channel"], record["outcome"]) == (1, "sms", "sms_sent")
    assert datetime.fromisoformat(record["at"]) == datetime(2026, 10, 8, 15, 59, tzinfo=SH)
    assert {"end_reminded"} <= set(arrears.path(wo)) and "hand_to_billing" not in arrears.path(wo)
    assert "deadline.breached" not in arrears.events(wo)


def test_a_missed_one_working_day_deadline_marks_task_and_order_breached_and_notifies(arrears):
    wo = remind(arrears)
    due = datetime(2026, 10, 8, 16, 0, tzinfo=SH)
    assert arrears.advance(to=due + timedelta(minutes=1)).fired == 1
    task = arrears.task(wo, "first_attempt")  # non-interrupting: the reminder must still go out
    assert task.breached_at == due and arrears.work_order(wo).breached_at == due
    assert any("已超期" in body for body in notices(arrears, wo, "call_centre"))
    assert any("已超期" in body for body in notices(arrears, wo, "shift_lead"))
    assert visits(arrears, wo)["end_reminder_late"] == 1
    arrears.complete(wo, "first_attempt", channel="outbound_call", call_outcome="reached", note="客户承诺明日缴清")
    order = arrears.work_order(wo)
    assert order.status == "closed" and order.breached_at == due


def test_an_answered_call_closes_the_reminder_with_its_outcome_recorded(arrears):
    wo = remind(arrears)
    attempt(arrears, wo, "first_attempt", channel="outbound_call", call_outcome="reached", note="客户已知晓")
    assert arrears.work_order(wo).status == "closed"
    assert texts(arrears, wo) == []
    [record] = data_after(arrears, wo, "record_attempt")["attempts"]
    assert (record["outcome"], record["note"]) == ("reached", "客户已知晓")


def test_three_unsuccessful_calls_hand_the_customer_back_to_billing_for_a_notice_or_visit(arrears):
    wo = remind(arrears)
    attempt(arrears, wo, "first_attempt", **NO_ANSWER)
    assert arrears.ready_names(wo) == [("retry_attempt", "call_centre")]
    attempt(arrears, wo, channel="outbound_call", call_outcome="busy")
    attempt(arrears, wo, channel="outbound_call", call_outcome="powered_off")
    assert arrears.ready_names(wo) == [("billing_followup", "billing")]
    data = data_after(arrears, wo, "hand_to_billing")
    assert [(a["attempt"], a["outcome"]) for a in data["attempts"]] == [(1, "no_answer"), (2, "busy"), (3, "powered_off")]
    assert data["failed_calls"] == 3
    assert any("外呼3次未成功" in body for body in notices(arrears, wo, "billing"))
    arrears.complete(wo, "billing_followup", method="written_notice", result="已寄送书面催交通知书")
    assert arrears.work_order(wo).status == "closed"
    assert {"hand_to_billing", "billing_followup", "end_billing"} <= set(arrears.path(wo))


def test_failed_calls_followed_by_an_sms_still_remind_without_going_to_billing(arrears):
    wo = remind(arrears)
    attempt(arrears, wo, "first_attempt", **NO_ANSWER)
    attempt(arrears, wo, channel="outbound_call", call_outcome="wrong_number")
    attempt(arrears, wo, channel="sms", note="外呼未通，改发短信")
    assert arrears.work_order(wo).status == "closed"
    attempts = data_after(arrears, wo, "record_attempt")["attempts"]
    assert [a["outcome"] for a in attempts] == ["no_answer", "wrong_number", "sms_sent"]
    assert len(texts(arrears, wo)) == 1 and "billing_followup" not in visits(arrears, wo)


def test_the_number_of_failed_calls_is_a_process_property(arrears, tmp_path):
    edited = BPMN.read_text(encoding="utf-8").replace(
        'name="reminder.max_failed_calls" value="3"', 'name="reminder.max_failed_calls" value="2"')
    (tmp_path / "arrears_reminder.bpmn").write_text(edited, encoding="utf-8")
    arrears.deploy(tmp_path / "arrears_reminder.bpmn")
    wo = remind(arrears)
    attempt(arrears, wo, "first_attempt", **NO_ANSWER)
    attempt(arrears, wo, **NO_ANSWER)
    assert arrears.ready_names(wo) == [("billing_followup", "billing")]


def test_attempts_are_loop_iterations_that_do_not_deepen_the_task_tree(arrears, tmp_path):
    edited = BPMN.read_text(encoding="utf-8").replace(
        'name="reminder.max_failed_calls" value="3"', 'name="reminder.max_failed_calls" value="12"')
    (tmp_path / "arrears_reminder.bpmn").write_text(edited, encoding="utf-8")
    arrears.deploy(tmp_path / "arrears_reminder.bpmn")
    wo = remind(arrears)
    attempt(arrears, wo, "first_attempt", **NO_ANSWER)
    depths = []
    for _ in range(10):
        attempt(arrears, wo, **NO_ANSWER)
        depths.append(tree_depth(workflow_of(arrears, wo)))
    assert len(set(depths)) == 1  # a gateway back-edge would add a level per attempt
    assert visits(arrears, wo)["record_attempt"] == 11
    assert arrears.ready_names(wo) == [("retry_attempt", "call_centre")]


def test_payment_confirmed_before_any_attempt_closes_it_and_withdraws_the_deadline(arrears):
    wo = remind(arrears)
    arrears.send(wo, "payment_confirmed", actor=arrears.user_in("billing"), receipt_no="SK2026093000017", paid="220.31")
    order = arrears.work_order(wo)
    assert order.status == "closed" and arrears.ready(wo) == [] and arrears.timers(wo) == []
    data = arrears.data(wo)
    assert data["payment_confirmed"] == {"receipt_no": "SK2026093000017", "paid": "220.31"}
    assert data["closed_reason"] == "paid" and data["attempts"] == []
    assert {"paid_first", "gw_paid", "record_payment", "end_paid"} <= set(visits(arrears, wo))
    assert arrears.advance(to=datetime(2026, 10, 9, tzinfo=SH)).fired == 0
    assert arrears.work_order(wo).breached_at is None


def test_payment_confirmed_between_call_attempts_closes_it(arrears):
    wo = remind(arrears)
    attempt(arrears, wo, "first_attempt", **NO_ANSWER)
    arrears.send(wo, "payment_confirmed", actor=arrears.user_in("billing"))
    assert arrears.work_order(wo).status == "closed"
    assert arrears.data(wo)["payment_confirmed"] == {}
    assert {"paid_retry", "end_paid"} <= set(visits(arrears, wo)) and "billing_followup" not in visits(arrears, wo)
    assert [a["outcome"] for a in arrears.data(wo)["attempts"]] == ["no_answer"]


def test_payment_confirmed_while_billing_follows_up_closes_it(arrears):
    wo = remind(arrears)
    attempt(arrears, wo, "first_attempt", **NO_ANSWER)
    attempt(arrears, wo, **NO_ANSWER)
    attempt(arrears, wo, **NO_ANSWER)
    arrears.send(wo, "payment_confirmed", actor=arrears.user_in("billing"), receipt_no="SK1")
    assert arrears.work_order(wo).status == "closed" and arrears.ready(wo) == []
    assert {"paid_billing", "record_payment", "end_paid"} <= set(arrears.path(wo))


def test_payment_confirmation_for_a_closed_reminder_is_refused(arrears):
    wo = remind(arrears)
    arrears.complete(wo, "first_attempt", channel="sms")
    with pytest.raises(InvalidState):
        arrears.send(wo, "payment_confirmed")


def test_a_call_attempt_needs_its_outcome_and_an_sms_has_none(arrears):
    wo = remind(arrears)
    with pytest.raises(ValidationFailed) as caught:
        arrears.complete(wo, "first_attempt", channel="outbound_call")
    assert set(caught.value.errors) == {"call_outcome"}
    with pytest.raises(ValidationFailed) as caught:
        arrears.complete(wo, "first_attempt", channel="sms", call_outcome="reached")
    assert set(caught.value.errors) == {"call_outcome"}
    with pytest.raises(ValidationFailed) as caught:
        arrears.complete(wo, "first_attempt", channel="fax")
    assert set(caught.value.errors) == {"channel"}
