"""Power application: power-on, changes without a connection, and the callback after completion
(art. 20, 21.10, 29.10), stepped through processes/power_application.bpmn in fake time."""
import pytest

from engine.errors import ValidationFailed
from tests.processes.inspect_flow import at, notices, task_data
from tests.processes.test_power_application import FACTORY, HOME, SCHEME, accepted

POWERED = {"powered_on_at": "2026-10-13T10:00:00+08:00", "meter_number": "3601000012345", "work_note": "装表接电完成"}
INSPECTED = {"inspection_passed": True, "inspection_passed_at": "2026-10-20T10:00:00+08:00", "contract_signed": True,
             "contract_signed_at": "2026-10-21T15:00:00+08:00", "contract_number": "GY-2026-0815"}
SATISFIED = {"reached": True, "satisfaction": "basically_satisfied", "opinion": "送电及时"}


@pytest.fixture
def power(flow):
    """The harness with processes/power_application.bpmn deployed."""
    flow.deploy("power_application")
    return flow


def test_residential_power_on_is_due_five_working_days_after_acceptance_and_met(power):
    wo = accepted(power, HOME)
    power.advance(to=at(10, 8, 9))
    power.complete(wo, "scheme", **SCHEME)
    task = power.task(wo, "power_on")
    assert (task.due_at, task.deadline["rule"]) == (at(10, 13, 16), "5 working days")
    assert task_data(power, wo, "start_power_clock")["power_on_from"] == "2026-09-30T08:00:00+00:00"
    power.advance(to=at(10, 13, 15))
    power.complete(wo, "power_on", **POWERED)
    callback = power.task(wo, "callback")
    assert (callback.group_name, callback.due_at) == ("call_centre", at(10, 14, 15))
    power.complete(wo, "callback", **SATISFIED)
    order = power.work_order(wo)
    assert (order.status, order.breached_at) == ("closed", None)
    assert power.path(wo) == [
        "intake", "check", "eligible", "plan", "accept", "record_acceptance", "work", "scheme", "scheme_done", "design",
        "design_done", "residential_gw", "ready_gw", "start_power_clock", "power_on", "done_gw", "record_completion",
        "callback", "satisfied", "end_closed"]


def test_late_residential_power_on_is_a_breach_and_is_chased(power):
    wo = accepted(power, HOME)
    power.advance(to=at(10, 8, 9))
    power.complete(wo, "scheme", **SCHEME)
    assert power.advance(to=at(10, 13, 16, 0, 1)).fired == 1
    assert power.task(wo, "power_on").breached_at == at(10, 13, 16) == power.work_order(wo).breached_at
    assert any("「装表送电」已超过时限" in b for b in notices(power, wo, "customer_service_mgmt"))
    power.complete(wo, "power_on", **{**POWERED, "powered_on_at": "2026-10-13T16:00:00+08:00"})
    power.complete(wo, "callback", **SATISFIED)
    assert {"chase_power", "end_power_late"} <= set(power.path(wo))


def test_a_slow_supply_scheme_leaves_the_residential_power_on_overdue_from_the_moment_it_starts(power):
    wo = accepted(power, HOME)
    assert power.advance(to=at(10, 14, 9)).fired == 1  # the scheme's own ten days ran out on 10-10
    power.complete(wo, "delay_reason", delay_reason="小区配变容量不足，需先增容")
    power.complete(wo, "scheme", **SCHEME)
    task = power.task(wo, "power_on")
    assert task.due_at == task.breached_at == at(10, 13, 16)
    assert power.events(wo).count("deadline.breached") == 2
    assert any("「装表送电」已超过时限" in b for b in notices(power, wo, "customer_service_mgmt"))


def test_other_customers_power_on_counts_from_the_later_of_inspection_passed_and_contract_signed(power):
    wo = accepted(power, {**FACTORY, "voltage": "low", "application_type": "temporary_swap"})
    power.advance(to=at(10, 21, 16))
    power.complete(wo, "inspection", **INSPECTED)
    assert task_data(power, wo, "start_power_clock")["power_on_from"] == "2026-10-21T07:00:00+00:00"
    assert power.task(wo, "power_on").due_at == at(10, 28, 15)
    power.advance(to=at(10, 28, 14))
    power.complete(wo, "power_on", **{**POWERED, "powered_on_at": "2026-10-28T11:00:00+08:00"})
    assert power.work_order(wo).breached_at is None
    assert power.ready_names(wo) == [("callback", "call_centre")]


def test_a_contract_signed_before_inspection_starts_the_power_on_clock_at_inspection(power):
    wo = accepted(power, {**FACTORY, "application_type": "split"})
    power.advance(to=at(10, 22, 9))
    power.complete(wo, "inspection", **{**INSPECTED, "inspection_passed_at": "2026-10-21T17:00:00+08:00",
                                        "contract_signed_at": "2026-10-19T09:00:00+08:00"})
    assert power.task(wo, "power_on").due_at == at(10, 28, 17)


def test_late_power_on_after_inspection_and_contract_is_a_breach_and_is_chased(power):
    wo = accepted(power, {**FACTORY, "application_type": "merge"})
    power.advance(to=at(10, 21, 16))
    power.complete(wo, "inspection", **INSPECTED)
    assert power.advance(to=at(10, 28, 15, 0, 1)).fired == 1
    assert power.task(wo, "power_on").breached_at == at(10, 28, 15)
    assert any("「装表送电」已超过时限" in b for b in notices(power, wo, "customer_service_mgmt"))


def test_inspection_and_contract_must_both_be_confirmed_with_past_dates(power):
    wo = accepted(power, {**FACTORY, "application_type": "merge"})
    power.advance(to=at(10, 21, 16))
    with pytest.raises(ValidationFailed) as caught:
        power.complete(wo, "inspection", **{**INSPECTED, "inspection_passed": False,
                                            "contract_signed_at": "2026-10-22T09:00:00+08:00"})
    assert set(caught.value.errors) == {"inspection_passed", "contract_signed_at"}


def test_a_full_high_voltage_connection_runs_scheme_design_inspection_and_power_on(power):
    wo = accepted(power, FACTORY)
    power.complete(wo, "scheme", **SCHEME)
    power.complete(wo, "receive_design", design_received_at="2026-09-30T16:00:00+08:00", documents="施工图")
    power.complete(wo, "design_review", review_outcome="approved", review_opinion="同意施工")
    power.advance(to=at(10, 21, 16))
    power.complete(wo, "inspection", **INSPECTED)
    power.complete(wo, "power_on", **{**POWERED, "powered_on_at": "2026-10-21T16:00:00+08:00"})
    power.complete(wo, "callback", **SATISFIED)
    assert power.work_order(wo).status == "closed"
    assert power.path(wo)[6:17] == ["work", "scheme", "scheme_done", "design", "receive_design", "design_review",
                                    "design_done", "residential_gw", "inspection", "ready_gw", "start_power_clock"]


@pytest.mark.parametrize("kind", ["capacity_decrease", "suspension", "temporary_removal", "rename",
                                  "ownership_transfer", "closure", "category_change"])
def test_a_change_without_a_connection_is_carried_out_within_its_limit_and_called_back(power, kind):
    wo = accepted(power, {**FACTORY, "application_type": kind})
    task = power.task(wo, "change")
    assert (task.due_at, task.deadline["rule"]) == (at(10, 13, 16), "5 working days")
    power.advance(to=at(10, 9, 10))
    power.complete(wo, "change", change_note="已办理", effective_at="2026-10-09T09:00:00+08:00")
    assert power.task(wo, "callback").due_at == at(10, 10, 10)  # the make-up Saturday is a working day
    power.complete(wo, "callback", **SATISFIED)
    assert power.work_order(wo).status == "closed" and power.work_order(wo).breached_at is None
    assert "power_on" not in power.path(wo)


def test_late_change_is_a_breach_and_is_chased(power):
    wo = accepted(power, {**FACTORY, "application_type": "closure"})
    assert power.advance(to=at(10, 13, 16, 0, 1)).fired == 1
    assert power.task(wo, "change").breached_at == at(10, 13, 16)
    assert any("「办理变更」已超过时限" in b for b in notices(power, wo, "customer_service_mgmt"))
    power.complete(wo, "change", change_note="已销户", effective_at="2026-10-13T16:00:00+08:00")
    assert {"chase_change", "end_change_late"} <= set(power.path(wo))


def test_late_callback_after_completion_is_a_breach(power):
    wo = accepted(power, {**FACTORY, "application_type": "rename"})
    power.advance(to=at(10, 9, 10))
    power.complete(wo, "change", change_note="已更名", effective_at="2026-10-09T09:00:00+08:00")
    assert power.advance(to=at(10, 12, 9)).fired == 1
    assert power.task(wo, "callback").breached_at == at(10, 10, 10) == power.work_order(wo).breached_at
    power.complete(wo, "callback", **SATISFIED)
    assert "end_callback_late" in power.path(wo)


def test_an_unsatisfied_customer_is_fed_back_to_the_department_verbatim(power):
    wo = accepted(power, {**FACTORY, "application_type": "category_change"})
    power.complete(wo, "change", change_note="已改类", effective_at="2026-09-30T16:00:00+08:00")
    power.complete(wo, "callback", reached=True, satisfaction="unsatisfied", opinion="改类后电价反而上涨")
    assert power.work_order(wo).status == "closed"
    assert notices(power, wo, "customer_service_mgmt")[-1].endswith("回访客户不满意：改类后电价反而上涨")
    assert power.path(wo)[-3:] == ["satisfied", "feedback", "end_feedback"]


def test_an_unreachable_customer_is_recorded_and_the_application_closes(power):
    wo = accepted(power, {**FACTORY, "application_type": "suspension"})
    power.complete(wo, "change", change_note="已暂停", effective_at="2026-09-30T16:00:00+08:00")
    power.complete(wo, "callback", reached=False, attempts=3, unreachable_note="三次无人接听")
    assert power.path(wo)[-2:] == ["satisfied", "end_unreachable"]
    assert task_data(power, wo, "callback")["unreachable_note"] == "三次无人接听"
