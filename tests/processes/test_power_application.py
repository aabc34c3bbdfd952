"""Power application 用电申请 (rules §4; art. 16, 20, 29): intake, eligibility, routing by type,
supply scheme and design review deadlines, stepped through processes/power_application.bpmn.

The clock starts 2026-09-30 16:00 Beijing time; applications accepted then count from that instant.
"""
from datetime import timedelta

import pytest

from engine.deployment import latest_version
from engine.errors import ValidationFailed
from engine.testing import PROCESSES
from forms.power_application import APPLICATION_TYPES
from tests.processes.diagram_layout import layout_report
from tests.processes.inspect_flow import at, notices, task_data, texts

FACTORY = {"customer_name": "南昌某机械厂", "customer_phone": "0791-88880000", "customer_address": "南昌市青山湖区高新大道 100 号",
           "application_type": "new_connection", "customer_kind": "organisation", "voltage": "high_single",
           "residential": False, "capacity_kva": "630", "summary": "新建厂房申请用电 630kVA"}
HOME = {"customer_name": "赵六", "customer_phone": "13700001111", "customer_address": "南昌市红谷滩区丰和大道 9 号 2-301",
        "application_type": "new_connection", "customer_kind": "individual", "voltage": "low", "residential": True,
        "summary": "新房申请居民生活用电"}
DOCUMENTS = {"organisation": ["sealed_application_letter"], "individual": ["id_copy", "property_certificate"],
             "self_employed": ["business_licence"]}
CONNECTIONS = {"new_connection", "capacity_increase", "relocation", "voltage_change"}
SITE_WORK = {"temporary_swap", "meter_move", "split", "merge"}
SCHEME = {"scheme": "10kV 专线供电，新建 630kVA 箱变一台", "replied_by": "业扩班 陈工"}


@pytest.fixture
def power(flow):
    """The harness with processes/power_application.bpmn deployed."""
    flow.deploy("power_application")
    return flow


def accepted(flow, intake: dict, documents: list[str] | None = None) -> int:
    """An eligible application, accepted by the department with the documents its customer kind needs."""
    wo = flow.open("power_application", **intake)
    flow.complete(wo, "check", eligibility="eligible", informed_customer=True, fee_note="高可靠性供电费按规定收取")
    flow.complete(wo, "accept", documents_received=DOCUMENTS[intake["customer_kind"]] if documents is None else documents)
    return wo


def test_the_diagram_deploys_with_lanes_readable_layout_and_editable_deadlines(power, db):
    with db.reading() as session:
        version = latest_version(session, "power_application")
        assert version.settings == {
            "deadline.supply_scheme.low": "10 days", "deadline.supply_scheme.high_single": "1 month",
            "deadline.supply_scheme.high_dual": "2 months", "deadline.design_review.low": "10 days",
            "deadline.design_review.high": "1 month", "deadline.power_on": "5 working days",
            "deadline.change_completion": "5 working days", "deadline.callback": "1 working day",
        }
        lanes = version.lane_map
    assert {lanes[t] for t in ("intake", "check", "callback")} == {"call_centre"}
    assert {lanes[t] for t in ("accept", "scheme", "delay_reason", "receive_design", "design_review", "inspection",
                               "power_on", "change")} == {"customer_service_mgmt"}
    assert layout_report(PROCESSES / "power_application.bpmn") == []


def test_the_form_offers_fifteen_distinct_types_with_rename_and_ownership_transfer_apart():
    values = [value for value, _zh, _en in APPLICATION_TYPES]
    assert len(values) == len(set(values)) == 15
    assert CONNECTIONS | SITE_WORK <= set(values) and {"rename", "ownership_transfer"} <= set(values)


@pytest.mark.parametrize("kind", [value for value, _zh, _en in APPLICATION_TYPES])
def test_every_application_type_is_routed_to_its_kind_of_work(power, kind):
    wo = accepted(power, {**FACTORY, "application_type": kind})
    work = "connection" if kind in CONNECTIONS else "site_work" if kind in SITE_WORK else "change"
    assert task_data(power, wo, "plan")["work_kind"] == work
    first = {"connection": "scheme", "site_work": "inspection", "change": "change"}[work]
    assert power.ready_names(wo) == [(first, "customer_service_mgmt")]


def test_site_work_for_a_residential_customer_goes_straight_to_power_on(power):
    wo = accepted(power, {**HOME, "application_type": "meter_move"})
    assert power.ready_names(wo) == [("power_on", "customer_service_mgmt")]
    assert power.path(wo)[-7:] == ["work", "scheme_done", "design", "design_done", "residential_gw", "ready_gw",
                                   "start_power_clock"]


def test_an_ineligible_application_is_explained_and_closed(power):
    wo = power.open("power_application", **FACTORY)
    assert power.ready_names(wo) == [("check", "call_centre")]
    power.complete(wo, "check", eligibility="not_eligible", informed_customer=True,
                   ineligible_reason="用电地址属违章建筑，不符合《供电营业规则》新装条件")
    assert power.work_order(wo).status == "closed"
    assert power.path(wo) == ["intake", "check", "eligible", "end_not_eligible"]
    assert texts(power, wo) == []


def test_eligibility_must_state_a_refusals_reason_and_that_the_customer_was_told(power):
    wo = power.open("power_application", **FACTORY)
    with pytest.raises(ValidationFailed) as caught:
        power.complete(wo, "check", eligibility="eligible", informed_customer=False)
    assert set(caught.value.errors) == {"informed_customer"}
    with pytest.raises(ValidationFailed) as caught:
        power.complete(wo, "check", eligibility="not_eligible", informed_customer=True)
    assert set(caught.value.errors) == {"ineligible_reason"}


def test_a_residential_applicant_is_an_individual_on_low_voltage(power):
    with pytest.raises(ValidationFailed) as caught:
        power.open("power_application", **{**HOME, "customer_kind": "organisation", "voltage": "high_single"})
    assert set(caught.value.errors) == {"customer_kind", "voltage"}


@pytest.mark.parametrize(("kind", "told"), [
    ("organisation", "加盖公章的申请书"), ("individual", "身份证复印件、房产证复印件"), ("self_employed", "营业执照复印件"),
])
def test_the_customer_is_told_the_documents_of_their_kind_and_they_are_recorded(power, kind, told):
    wo = accepted(power, {**FACTORY, "customer_kind": kind})
    data = task_data(power, wo, "record_acceptance")
    assert (data["required_documents"], data["documents_missing"]) == (DOCUMENTS[kind], [])
    assert [body for _phone, body in texts(power, wo)] == [
        f"您的用电申请已受理（工单号 {power.work_order(wo).number}），请准备：{told}。【95598】"]


def test_missing_documents_are_recorded_and_the_customer_reminded_to_bring_them_to_the_site_survey(power):
    wo = accepted(power, HOME, documents=["id_copy"])
    assert task_data(power, wo, "record_acceptance")["documents_missing"] == ["property_certificate"]
    assert "尚缺资料" in texts(power, wo)[-1][1]


@pytest.mark.parametrize(("voltage", "due"), [
    ("low", at(10, 10, 16)), ("high_single", at(10, 30, 16)), ("high_dual", at(11, 30, 16)),
])
def test_supply_scheme_replied_within_its_voltages_limit_is_no_breach(power, voltage, due):
    wo = accepted(power, {**FACTORY, "voltage": voltage})
    scheme = power.task(wo, "scheme")
    assert scheme.due_at == due
    assert power.advance(to=due - timedelta(minutes=1)).fired == 0
    power.complete(wo, "scheme", **SCHEME)
    assert power.work_order(wo).breached_at is None
    assert power.ready_names(wo) == [("receive_design", "customer_service_mgmt")]


@pytest.mark.parametrize(("voltage", "due"), [
    ("low", at(10, 10, 16)), ("high_single", at(10, 30, 16)), ("high_dual", at(11, 30, 16)),
])
def test_late_supply_scheme_is_a_breach_chased_by_the_call_centre_and_its_reason_reported(power, voltage, due):
    wo = accepted(power, {**FACTORY, "voltage": voltage})
    assert power.advance(to=due.replace(second=1)).fired == 1
    assert power.task(wo, "scheme").breached_at == due == power.work_order(wo).breached_at
    assert power.ready_names(wo) == [("scheme", "customer_service_mgmt"), ("delay_reason", "customer_service_mgmt")]
    assert any(b.startswith("【95598催办】") and "答复供电方案" in b for b in notices(power, wo, "customer_service_mgmt"))
    with pytest.raises(ValidationFailed):
        power.complete(wo, "delay_reason")
    power.complete(wo, "delay_reason", delay_reason="上级电源间隔需扩建，待调度批复")
    assert notices(power, wo, "call_centre")[-1].endswith("供电方案超期原因：上级电源间隔需扩建，待调度批复")
    power.complete(wo, "scheme", **SCHEME)
    assert {"chase_scheme", "delay_reason", "report_delay", "end_scheme_late"} <= set(power.path(wo))


@pytest.mark.parametrize(("voltage", "due"), [
    ("high_single", at(1, 31, 10, year=2027)), ("high_dual", at(2, 28, 10, year=2027)),
])
def test_month_limits_cross_the_year_end_and_clamp_to_the_end_of_february(power, voltage, due):
    power.clock.move_to(at(12, 31, 10))
    wo = accepted(power, {**FACTORY, "voltage": voltage})
    assert power.task(wo, "scheme").due_at == due


@pytest.mark.parametrize(("intake", "applies"), [
    (FACTORY, True), ({**FACTORY, "voltage": "high_dual"}, True), ({**FACTORY, "voltage": "low"}, True),
    ({**FACTORY, "voltage": "low", "customer_kind": "self_employed"}, True), (HOME, False),
])
def test_design_review_applies_to_high_voltage_and_low_voltage_non_residential_connections(power, intake, applies):
    wo = accepted(power, intake)
    power.complete(wo, "scheme", **SCHEME)
    assert task_data(power, wo, "plan")["design_review_applies"] is applies
    expected = "receive_design" if applies else ("power_on" if intake["residential"] else "inspection")
    assert [name for name, _group in power.ready_names(wo)] == [expected]


@pytest.mark.parametrize(("voltage", "due"), [("low", at(10, 18, 9)), ("high_single", at(11, 8, 9))])
def test_design_review_counts_from_receipt_of_the_documents_and_is_met_in_time(power, voltage, due):
    wo = accepted(power, {**FACTORY, "voltage": voltage})
    power.complete(wo, "scheme", **SCHEME)
    power.advance(to=at(10, 9, 10))
    power.complete(wo, "receive_design", design_received_at="2026-10-08T09:00:00+08:00", documents="受电工程施工图一套")
    review = power.task(wo, "design_review")
    assert (review.due_at, review.deadline["rule"]) == (due, "10 days" if voltage == "low" else "1 month")
    power.clock.move_to(due.replace(hour=8))
    power.complete(wo, "design_review", review_outcome="corrections", review_opinion="计量柜位置需调整")
    assert power.work_order(wo).breached_at is None
    assert power.ready_names(wo) == [("inspection", "customer_service_mgmt")]


def test_late_design_review_is_a_breach_and_is_chased(power):
    wo = accepted(power, {**FACTORY, "voltage": "low"})
    power.complete(wo, "scheme", **SCHEME)
    power.complete(wo, "receive_design", design_received_at="2026-09-30T15:00:00+08:00", documents="施工图")
    assert power.advance(to=at(10, 10, 15, 0, 1)).fired == 1
    assert power.task(wo, "design_review").breached_at == at(10, 10, 15)
    assert any("「审核设计文件」已超过时限" in b for b in notices(power, wo, "customer_service_mgmt"))
    power.complete(wo, "design_review", review_outcome="approved", review_opinion="同意")
    assert {"chase_design", "end_design_late"} <= set(power.path(wo))


def test_design_documents_cannot_be_received_in_the_future(power):
    wo = accepted(power, FACTORY)
    power.complete(wo, "scheme", **SCHEME)
    with pytest.raises(ValidationFailed) as caught:
        power.complete(wo, "receive_design", design_received_at="2026-10-02T09:00:00+08:00", documents="施工图")
    assert set(caught.value.errors) == {"design_received_at"}
