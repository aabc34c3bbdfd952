"""Arrears batches (rules §5; art. 18.2): the billing centre's CSV, the late fee as of today and how
it was computed, one reminder per customer — all or nothing."""
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from engine.arrears import read_arrears_csv, submit_arrears_batch
from engine.errors import InvalidState, PermissionDenied, ValidationFailed
from engine.models import WorkOrder
from engine.testing import PROCESSES

SH = ZoneInfo("Asia/Shanghai")
HEADER = "customer_name,customer_phone,address,account_no,customer_kind,billing_months,amount,due_date,pay_at"
HOUSEHOLD = "张三,13800138000,南昌市红谷滩区丰和中大道1号,1000000001,residential,2026-08;2026-09,120.50;98.00,2026-09-15;2026-10-15,红谷滩营业厅或网上国网App"
COMPANY = "南昌某贸易公司,0791-86001234,南昌市东湖区八一大道2号,2000000002,other,2025-11;2026-07,5000.00;3000.00,2025-12-20;2026-08-20,东湖营业厅"


@pytest.fixture
def arrears(flow):
    """The harness with processes/arrears_reminder.bpmn deployed."""
    flow.deploy("arrears_reminder")
    return flow


def submit(flow, *lines: str, actor: str | None = None) -> list[int]:
    rows = read_arrears_csv("\n".join([HEADER, *lines]) + "\n")
    return [w.id for w in submit_arrears_batch(flow.db, rows, actor=actor or flow.user_in("billing"))]


def opened(db) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(WorkOrder))


def test_csv_is_read_from_text_or_from_a_file_with_a_bom_skipping_blank_lines(tmp_path):
    path = tmp_path / "arrears.csv"
    path.write_text(f"{HEADER}\n{HOUSEHOLD}\n\n{COMPANY}\n", encoding="utf-8-sig")
    from_file = read_arrears_csv(path)
    assert [(r["line"], r["account_no"]) for r in from_file] == [(2, "1000000001"), (4, "2000000002")]
    assert read_arrears_csv(str(path)) == from_file
    assert read_arrears_csv(f"{HEADER}\n{HOUSEHOLD}\n")[0]["billing_months"] == "2026-08;2026-09"


def test_csv_without_the_required_columns_names_the_missing_ones():
    with pytest.raises(ValidationFailed) as caught:
        read_arrears_csv("customer_name,customer_phone\n张三,13800138000\n")
    assert set(caught.value.errors["line 1"]) == {"address", "account_no", "customer_kind", "billing_months",
                                                   "amount", "due_date", "pay_at"}


def test_a_batch_opens_one_reminder_per_customer_from_the_billing_lane(arrears):
    household, company = submit(arrears, HOUSEHOLD, COMPANY)
    order = arrears.work_order(household)
    assert order.number.startswith("QF20260930") and order.opened_by == "billing_user"
    assert (order.customer_name, order.customer_phone, order.customer_address) == ("张三", "13800138000", "南昌市红谷滩区丰和中大道1号")
    assert order.summary == "欠费220.31元（2026-08;2026-09）"
    for wo in (household, company):
        assert arrears.ready_names(wo) == [("first_attempt", "call_centre")]
    data = arrears.data(company)
    assert (data["account_no"], data["customer_kind"], data["pay_at"]) == ("2000000002", "other", "东湖营业厅")


def test_only_the_billing_centre_may_submit_arrears(arrears, db):
    with pytest.raises(PermissionDenied):
        submit(arrears, HOUSEHOLD, actor=arrears.user_in("call_centre"))
    assert opened(db) == 0


def test_a_bad_row_is_named_by_line_and_field_and_no_reminder_is_opened(arrears, db):
    bad = "李四,12345,,3000000003,business,2026-13,-5,2026-02-30,营业厅"
    with pytest.raises(ValidationFailed) as caught:
        submit(arrears, HOUSEHOLD, bad, COMPANY)
    errors = caught.value.errors
    assert list(errors) == ["line 3"]
    assert set(errors["line 3"]) == {"customer_phone", "address", "customer_kind", "billing_months", "amount", "due_date"}
    assert "line 3, customer_phone" in str(caught.value)
    assert opened(db) == 0


def test_amounts_and_due_dates_must_pair_with_the_billing_months(arrears, db):
    row = HOUSEHOLD.replace("120.50;98.00", "120.50").replace("2026-09-15;2026-10-15", "2026-09-15;2026-10-15;2026-11-15")
    with pytest.raises(ValidationFailed) as caught:
        submit(arrears, row)
    assert set(caught.value.errors["line 2"]) == {"amount", "due_date"}
    assert opened(db) == 0


def test_one_customer_twice_in_a_batch_is_refused(arrears, db):
    with pytest.raises(ValidationFailed) as caught:
        submit(arrears, HOUSEHOLD, HOUSEHOLD.replace("张三", "张三丰"))
    assert caught.value.errors["line 3"]["account_no"] == ["与第2行重复 / duplicate of line 2"]
    assert opened(db) == 0


def test_a_field_the_reminder_form_refuses_is_reported_on_its_csv_line(arrears, db):
    with pytest.raises(ValidationFailed) as caught:
        submit(arrears, COMPANY, HOUSEHOLD.replace("南昌市红谷滩区丰和中大道1号", "地" * 300))
    assert set(caught.value.errors["line 3"]) == {"address"}
    assert opened(db) == 0


def test_an_empty_batch_is_refused(arrears):
    with pytest.raises(ValidationFailed):
        submit_arrears_batch(arrears.db, [], actor=arrears.user_in("billing"))


def test_residential_late_fee_is_0_1_percent_a_day_per_overdue_month_with_its_breakdown(arrears):
    [wo] = submit(arrears, HOUSEHOLD)
    data = arrears.data(wo)
    assert (data["arrears"], data["late_fee"], data["total"], data["late_fee_as_of"]) == ("218.50", "1.81", "220.31", "2026-09-30")
    assert data["late_fee_lines"] == [
        {"month": "2026-08", "amount": "120.50", "due_date": "2026-09-15", "days_overdue": 15, "daily_rate": "0.1%", "fee": "1.81"},
        {"month": "2026-09", "amount": "98.00", "due_date": "2026-10-15", "days_overdue": 0, "daily_rate": "0.1%", "fee": "0.00"},
    ]
    assert data["late_fee_method"] == (
        "2026-08电费120.50元，2026-09-15到期，逾期15天×0.1%/天=1.81元；2026-09电费98.00元，2026-10-15到期，未逾期。"
        "合计1.81元（居民客户，计至2026-09-30）。")


def test_other_customers_pay_0_2_percent_on_this_years_arrears_and_0_3_percent_on_earlier_years(arrears):
    [wo] = submit(arrears, COMPANY)
    lines = arrears.data(wo)["late_fee_lines"]
    assert [(line["month"], line["days_overdue"], line["daily_rate"], line["fee"]) for line in lines] == [
        ("2025-11", 284, "0.3%", "4260.00"),  # 5000 × 0.3 % × 284
        ("2026-07", 41, "0.2%", "246.00"),    # 3000 × 0.2 % × 41
    ]
    assert (arrears.data(wo)["late_fee"], arrears.data(wo)["total"]) == ("4506.00", "12506.00")


def test_a_late_fee_under_one_yuan_is_charged_one_yuan(arrears):
    [wo] = submit(arrears, "王五,13800138005,南昌市青山湖区3号,1000000005,residential,2026-09,50.00,2026-09-25,营业厅")
    data = arrears.data(wo)
    assert data["late_fee_lines"][0]["fee"] == "0.25"  # 50 × 0.1 % × 5
    assert (data["late_fee"], data["total"]) == ("1.00", "51.00")
    assert "合计0.25元，不足1.00元按1.00元计收" in data["late_fee_method"]


def test_a_bill_not_yet_overdue_carries_no_late_fee(arrears):
    [wo] = submit(arrears, "王五,13800138005,南昌市青山湖区3号,1000000005,residential,2026-09,50.00,2026-10-10,营业厅")
    assert (arrears.data(wo)["late_fee"], arrears.data(wo)["total"]) == ("0.00", "50.00")


def test_the_late_fee_is_counted_to_the_day_of_submission_in_calendar_days(arrears):
    arrears.clock.move_to(datetime(2026, 10, 8, 9, 0, tzinfo=SH))
    [wo] = submit(arrears, HOUSEHOLD)
    first = arrears.data(wo)["late_fee_lines"][0]
    assert (first["days_overdue"], first["fee"]) == (23, "2.77")  # the National Day holiday counts too
    assert arrears.data(wo)["late_fee_as_of"] == "2026-10-08"


def test_late_fee_rates_and_minimum_are_process_properties_an_owner_edits(arrears, tmp_path):
    edited = (PROCESSES / "arrears_reminder.bpmn").read_text(encoding="utf-8").replace(
        'name="late_fee.residential" value="0.1%"', 'name="late_fee.residential" value="0.05%"').replace(
        'name="late_fee.minimum" value="1.00"', 'name="late_fee.minimum" value="2.00"')
    (tmp_path / "arrears_reminder.bpmn").write_text(edited, encoding="utf-8")
    arrears.deploy(tmp_path / "arrears_reminder.bpmn")
    [wo] = submit(arrears, HOUSEHOLD)
    data = arrears.data(wo)
    assert data["late_fee_lines"][0]["daily_rate"] == "0.05%"
    assert Decimal(data["late_fee_lines"][0]["fee"]) == Decimal("0.90")  # 120.50 × 0.05 % × 15
    assert data["late_fee"] == "2.00"


def test_a_rate_that_is_not_a_percentage_is_refused_naming_the_property(arrears, db, tmp_path):
    edited = (PROCESSES / "arrears_reminder.bpmn").read_text(encoding="utf-8").replace(
        'name="late_fee.other_earlier_years" value="0.3%"', 'name="late_fee.other_earlier_years" value="0.003"')
    (tmp_path / "arrears_reminder.bpmn").write_text(edited, encoding="utf-8")
    arrears.deploy(tmp_path / "arrears_reminder.bpmn")
    with pytest.raises(InvalidState, match="late_fee.other_earlier_years"):
        submit(arrears, COMPANY)
    assert opened(db) == 0
