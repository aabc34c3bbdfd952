"""Work orders over the API: open any flow, read it with tasks and deadlines, send it events."""
from sqlalchemy import select

from engine.models import WorkOrder
from tests.engine.conftest import INTAKE

WORK_ORDERS = "/api/v1/work-orders"


def test_opening_answers_201_with_number_tasks_and_deadlines(client, ticket, ivr):
    response = client.post(WORK_ORDERS, json={"flow": "test_ticket", "intake": INTAKE, "priority": 2}, headers=ivr)
    assert response.status_code == 201
    body = response.json
    assert body["number"].startswith("WO20260930") and body["id"] > 0 and body["status"] == "open"
    assert response.headers["Location"].endswith(f"/api/v1/work-orders/{body['number']}")
    [task] = body["tasks"]
    assert (task["bpmn_id"], task["group"], task["state"]) == ("handle", "business", "ready")
    assert task["due_at"] == "2026-10-09T08:00:00+00:00" and task["deadline"]["rule"] == "2 working days"
    [deadline] = body["deadlines"]
    assert (deadline["task"], deadline["due_at"]) == ("handle", "2026-10-09T08:00:00+00:00")
    assert "2026-10-01" in deadline["rule"]["skipped_days"]
    assert body["customer"]["customer_phone"] == "13800138000" and body["priority"] == 2
    assert body["opened_by"] == "ivr_gateway"


def test_reading_by_number_or_id_returns_the_same_work_order(client, opened, business):
    by_number = client.get(f"{WORK_ORDERS}/{opened['number']}", headers=business)
    by_id = client.get(f"{WORK_ORDERS}/{opened['id']}", headers=business)
    assert by_number.status_code == by_id.status_code == 200
    assert by_number.json == by_id.json
    assert by_number.json["tasks"][0]["group"] == "business"


def test_reading_an_unknown_work_order_is_404(client, ticket, ivr):
    response = client.get(f"{WORK_ORDERS}/WO20990101000001", headers=ivr)
    assert response.status_code == 404 and response.json["error"] == "not_found"


def test_a_department_outside_the_flow_may_not_read_it(client, opened, api_token):
    response = client.get(f"{WORK_ORDERS}/{opened['number']}", headers=api_token("billing_gw", ["billing"]))
    assert response.status_code == 403 and response.json["error"] == "permission_denied"


def test_opening_an_undeployed_flow_is_404(client, ticket, ivr):
    response = client.post(WORK_ORDERS, json={"flow": "no_such_flow", "intake": INTAKE}, headers=ivr)
    assert response.status_code == 404 and "no_such_flow" in response.json["message"]


def test_only_the_start_lane_may_open_and_nothing_is_saved_otherwise(client, ticket, business, db):
    response = client.post(WORK_ORDERS, json={"flow": "test_ticket", "intake": INTAKE}, headers=business)
    assert response.status_code == 403 and response.json["error"] == "permission_denied"
    with db.reading() as session:
        assert session.scalars(select(WorkOrder)).all() == []


def test_a_missing_flow_and_intake_are_422_with_field_messages(client, ticket, ivr):
    response = client.post(WORK_ORDERS, json={"priority": 99}, headers=ivr)
    assert response.status_code == 422
    assert response.json["error"] == "validation_failed"
    assert set(response.json["errors"]) == {"flow", "intake", "priority"}


def test_invalid_intake_fields_are_422_with_the_form_messages(client, ticket, ivr, db):
    response = client.post(WORK_ORDERS, json={"flow": "test_ticket", "intake": {
        "customer_name": "", "customer_phone": "12345", "summary": "x"}}, headers=ivr)
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"customer_name", "customer_phone"}
    assert all(isinstance(m, list) and m for m in response.json["errors"].values())
    with db.reading() as session:
        assert session.scalars(select(WorkOrder)).all() == []


def test_unknown_envelope_fields_are_422_not_ignored(client, ticket, ivr):
    response = client.post(WORK_ORDERS, json={"flow": "test_ticket", "intake": INTAKE, "secret": 1}, headers=ivr)
    assert response.status_code == 422 and "secret" in response.json["errors"]


def test_a_body_that_is_not_an_object_is_422(client, ticket, ivr):
    response = client.post(WORK_ORDERS, json=["test_ticket"], headers=ivr)
    assert response.status_code == 422 and response.is_json


def test_malformed_json_is_a_json_400_not_a_500(client, ticket, ivr):
    response = client.post(WORK_ORDERS, data="{not json", content_type="application/json", headers=ivr)
    assert response.status_code == 400 and response.is_json and response.json["errors"]


def test_a_body_over_the_size_limit_is_a_json_413(client, app, ticket, ivr):
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(WORK_ORDERS, json={"flow": "test_ticket", "intake": {"summary": big}}, headers=ivr)
    assert response.status_code == 413 and response.is_json and response.json["code"] == 413


def test_an_event_the_work_order_waits_for_moves_it_on(client, opened, business):
    task_id = opened["tasks"][0]["id"]
    done = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"result": "需上门核查", "needs_visit": True}},
                       headers=business)
    assert done.status_code == 200 and done.json["work_order"]["tasks"][-1]["state"] == "completed"
    response = client.post(f"{WORK_ORDERS}/{opened['number']}/events",
                           json={"name": "visit_done", "payload": {"visited_by": "李四"}}, headers=business)
    assert response.status_code == 200
    ready = [t["bpmn_id"] for t in response.json["tasks"] if t["state"] == "ready"]
    assert ready == ["reply"]


def test_an_event_the_work_order_is_not_waiting_for_is_409_invalid_state(client, opened, ivr):
    response = client.post(f"{WORK_ORDERS}/{opened['number']}/events", json={"name": "visit_done"}, headers=ivr)
    assert response.status_code == 409 and response.json["error"] == "invalid_state"
    assert "visit_done" in response.json["message"]


def test_an_event_for_an_unknown_work_order_is_404(client, ticket, ivr):
    response = client.post(f"{WORK_ORDERS}/WO20990101000001/events", json={"name": "visit_done"}, headers=ivr)
    assert response.status_code == 404


def test_an_event_without_a_name_is_422(client, opened, ivr):
    response = client.post(f"{WORK_ORDERS}/{opened['number']}/events", json={"payload": {}}, headers=ivr)
    assert response.status_code == 422 and "name" in response.json["errors"]


def test_a_department_outside_the_flow_may_not_send_it_events(client, opened, api_token):
    response = client.post(f"{WORK_ORDERS}/{opened['number']}/events", json={"name": "visit_done"},
                           headers=api_token("billing_gw", ["billing"]))
    assert response.status_code == 403


def test_a_real_complaint_opens_and_is_handled_over_the_api(client, flow, ivr, business):
    flow.deploy("complaint")
    intake = {"customer_name": "赵六", "customer_phone": "13700137000", "category": "billing_metering",
              "summary": "本月电费比上月高出三倍"}
    opened = client.post(WORK_ORDERS, json={"flow": "complaint", "intake": intake}, headers=ivr)
    assert opened.status_code == 201 and opened.json["number"].startswith("TS")
    [handle] = [t for t in opened.json["tasks"] if t["state"] == "ready"]
    assert handle["group"] == "business" and handle["deadline"]["rule"] == "2 working days"
    url = f"/api/v1/tasks/{handle['id']}/complete"
    final = {"result_type": "final", "handler": "王工", "result": "表计故障，已退费"}
    refused = client.post(url, json={"data": final}, headers=business)
    assert refused.status_code == 422 and "finding" in refused.json["errors"]
    done = client.post(url, json={"data": {**final, "finding": "substantiated"}}, headers=business)
    assert done.status_code == 200
    assert {t["group"] for t in done.json["work_order"]["tasks"] if t["state"] == "ready"} == {"call_centre"}
