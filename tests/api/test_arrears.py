"""Arrears batches from the billing centre's system: one reminder per customer, all or nothing."""
import pytest
from sqlalchemy import select

from engine.models import WorkOrder

BATCHES = "/api/v1/arrears-batches"
ROWS = [
    {"customer_name": "钱七", "customer_phone": "13600136000", "address": "南昌市东湖区八一大道1号",
     "account_no": "3600001", "customer_kind": "residential", "billing_months": "2026-08", "amount": "120.50",
     "due_date": "2026-09-15", "pay_at": "国网营业厅或网上国网 App"},
    {"customer_name": "孙八商店", "customer_phone": "0791-88888888", "address": "南昌市西湖区中山路2号",
     "account_no": "3600002", "customer_kind": "other", "billing_months": "2026-07;2026-08",
     "amount": "300.00;280.00", "due_date": "2026-08-15;2026-09-15", "pay_at": "国网营业厅"},
]


@pytest.fixture
def billing(api_token):
    return api_token("billing_system", ["billing"])


@pytest.fixture
def arrears(flow):
    flow.deploy("arrears_reminder")
    return flow


def _work_orders(db) -> list[WorkOrder]:
    with db.reading() as session:
        return list(session.scalars(select(WorkOrder)))


def test_a_batch_opens_one_reminder_per_customer_with_its_late_fee(client, arrears, billing):
    response = client.post(BATCHES, json={"rows": ROWS}, headers=billing)
    assert response.status_code == 201 and response.json["count"] == 2
    numbers = [w["number"] for w in response.json["work_orders"]]
    assert all(n.startswith("QF") for n in numbers) and all(w["due_at"] for w in response.json["work_orders"])
    first = client.get(f"/api/v1/work-orders/{numbers[0]}", headers=billing).json
    assert first["intake"]["arrears"] == "120.50" and first["intake"]["late_fee_as_of"] == "2026-09-30"
    assert "2026-09-15" in first["intake"]["late_fee_method"]


def test_a_bad_row_is_422_by_line_and_field_and_opens_nothing(client, arrears, billing, db):
    rows = [ROWS[0], {**ROWS[1], "customer_phone": "12345", "amount": "300.00"}]
    response = client.post(BATCHES, json={"rows": rows}, headers=billing)
    assert response.status_code == 422
    assert set(response.json["errors"]["line 2"]) == {"customer_phone", "amount"}
    assert _work_orders(db) == []


@pytest.mark.parametrize("body, field", [({"rows": []}, "rows"), ({}, "rows"),
                                         ({"rows": [{**ROWS[0], "colour": "red"}]}, "rows")])
def test_a_malformed_batch_is_422(client, arrears, billing, body, field):
    response = client.post(BATCHES, json=body, headers=billing)
    assert response.status_code == 422 and field in response.json["errors"]


def test_only_the_billing_centre_may_submit_a_batch(client, arrears, ivr, db):
    response = client.post(BATCHES, json={"rows": ROWS}, headers=ivr)
    assert response.status_code == 403 and _work_orders(db) == []


def test_a_batch_before_the_flow_is_deployed_is_404(client, flow, billing):
    response = client.post(BATCHES, json={"rows": ROWS}, headers=billing)
    assert response.status_code == 404 and "arrears_reminder" in response.json["message"]
