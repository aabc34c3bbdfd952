"""Tasks over the API: the caller's inbox, one task and its form, claim and complete, and every refusal."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.engine.conftest import INTAKE

SH = ZoneInfo("Asia/Shanghai")
TASKS = "/api/v1/tasks"
HANDLED = {"result": "已核实电费，退还差额", "needs_visit": False}


@pytest.fixture
def task_id(opened) -> int:
    return opened["tasks"][0]["id"]


def test_the_group_view_lists_unclaimed_tasks_of_the_callers_groups(client, opened, business, ivr):
    page = client.get(TASKS, headers=business).json
    assert page["total"] == 1 and page["counts"] == {"group": 1, "mine": 0}
    [item] = page["items"]
    assert item["work_order"]["number"] == opened["number"] and item["urgency"] == "ok"
    assert client.get(TASKS, headers=ivr).json["total"] == 0


def test_a_claimed_task_moves_from_the_group_view_to_mine(client, task_id, business):
    claimed = client.post(f"{TASKS}/{task_id}/claim", headers=business)
    assert claimed.status_code == 200 and claimed.json["claimed_by"] == "business_system"
    assert client.get(TASKS, headers=business).json["total"] == 0
    mine = client.get(TASKS, query_string={"view": "mine"}, headers=business).json
    assert [t["id"] for t in mine["items"]] == [task_id]


def test_the_flow_filter_and_paging_narrow_the_list(client, ticket, ivr, business):
    for _ in range(3):
        assert client.post("/api/v1/work-orders", json={"flow": "test_ticket", "intake": INTAKE},
                           headers=ivr).status_code == 201
    second = client.get(TASKS, query_string={"per_page": 2, "page": 2, "flow": "test_ticket"}, headers=business).json
    assert (second["total"], len(second["items"]), second["page"]) == (3, 1, 2)
    assert client.get(TASKS, query_string={"flow": "complaint"}, headers=business).json["total"] == 0


def test_the_overdue_filter_lists_only_tasks_past_their_deadline(client, ticket, task_id, business):
    assert client.get(TASKS, query_string={"overdue": "true"}, headers=business).json["total"] == 0
    ticket.advance(to=datetime(2026, 10, 9, 16, 30, tzinfo=SH))
    overdue = client.get(TASKS, query_string={"overdue": "true"}, headers=business).json
    [item] = overdue["items"]
    assert item["id"] == task_id and item["urgency"] == "overdue" and item["breached_at"]


@pytest.mark.parametrize("query", [{"view": "everyone"}, {"page": 0}, {"per_page": 1000}, {"overdue": "maybe"}])
def test_bad_list_parameters_are_422(client, ticket, business, query):
    response = client.get(TASKS, query_string=query, headers=business)
    assert response.status_code == 422 and set(query) <= set(response.json["errors"])


def test_a_task_shows_the_form_its_completion_needs(client, task_id, business):
    response = client.get(f"{TASKS}/{task_id}", headers=business)
    assert response.status_code == 200
    form = response.json["form"]
    assert form["key"] == "test.handle" and form["title_en"] == "Department handling"
    assert {f["name"] for f in form["fields"]} == {"result", "needs_visit", "category"}
    assert response.json["task"]["work_order"]["flow"] == "test_ticket"


def test_a_task_of_another_department_is_403_and_an_unknown_one_404(client, task_id, api_token, business):
    outsider = client.get(f"{TASKS}/{task_id}", headers=api_token("expert_sys", ["experts"]))
    assert outsider.status_code == 403
    assert client.get(f"{TASKS}/99999", headers=business).status_code == 404


def test_of_two_claimers_the_second_gets_409(client, task_id, business, api_token):
    assert client.post(f"{TASKS}/{task_id}/claim", headers=business).status_code == 200
    second = client.post(f"{TASKS}/{task_id}/claim", headers=api_token("business_2", ["business"]))
    assert second.status_code == 409 and second.json["error"] == "conflict"
    assert "business_system" in second.json["message"]


def test_claiming_outside_the_tasks_group_is_403_and_an_unknown_task_404(client, task_id, ivr):
    assert client.post(f"{TASKS}/{task_id}/claim", headers=ivr).status_code == 403
    missing = client.post(f"{TASKS}/99999/claim", headers=ivr)
    assert missing.status_code == 404 and missing.json["error"] == "not_found"


def test_completing_moves_the_work_order_to_the_next_task(client, task_id, business):
    response = client.post(f"{TASKS}/{task_id}/complete", json={"data": HANDLED}, headers=business)
    assert response.status_code == 200
    assert response.json["task"]["state"] == "completed" and response.json["task"]["completed_by"] == "business_system"
    ready = [(t["bpmn_id"], t["group"]) for t in response.json["work_order"]["tasks"] if t["state"] == "ready"]
    assert ready == [("reply", "call_centre")]
    assert response.json["work_order"]["deadlines"] == []


def test_a_work_order_runs_to_closed_through_the_api_alone(client, task_id, business, ivr):
    client.post(f"{TASKS}/{task_id}/complete", json={"data": HANDLED}, headers=business)
    [reply] = client.get(TASKS, headers=ivr).json["items"]
    done = client.post(f"{TASKS}/{reply['id']}/complete", json={"data": {"reply": "已告知客户"}}, headers=ivr)
    assert done.status_code == 200 and done.json["work_order"]["status"] == "closed"
    assert [r["form_key"] for r in done.json["work_order"]["records"]] == ["test.intake", "test.handle", "test.reply"]


def test_completing_with_invalid_form_data_is_422_naming_the_field(client, task_id, business):
    response = client.post(f"{TASKS}/{task_id}/complete", json={"data": {"result": "", "category": "weather"}},
                           headers=business)
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"result", "category"}
    assert client.get(TASKS, headers=business).json["total"] == 1


def test_completing_twice_is_409(client, task_id, business):
    assert client.post(f"{TASKS}/{task_id}/complete", json={"data": HANDLED}, headers=business).status_code == 200
    again = client.post(f"{TASKS}/{task_id}/complete", json={"data": HANDLED}, headers=business)
    assert again.status_code == 409 and "business_system" in again.json["message"]


def test_completing_against_a_stale_version_is_409(client, opened, task_id, business):
    stale = opened["lock_version"] - 1
    response = client.post(f"{TASKS}/{task_id}/complete", json={"data": HANDLED, "expected_version": stale},
                           headers=business)
    assert response.status_code == 409 and response.json["error"] == "conflict"


def test_completing_someone_elses_claimed_task_or_another_groups_is_403(client, task_id, business, api_token, ivr):
    client.post(f"{TASKS}/{task_id}/claim", headers=business)
    colleague = client.post(f"{TASKS}/{task_id}/complete", json={"data": HANDLED},
                            headers=api_token("business_2", ["business"]))
    assert colleague.status_code == 403 and "business_system" in colleague.json["message"]
    assert client.post(f"{TASKS}/{task_id}/complete", json={"data": HANDLED}, headers=ivr).status_code == 403


def test_completing_an_unknown_task_is_404(client, ticket, business):
    assert client.post(f"{TASKS}/99999/complete", json={"data": HANDLED}, headers=business).status_code == 404
